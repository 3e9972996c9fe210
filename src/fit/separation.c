/*
 * separation.c -- perfect prediction check before a binary-outcome fit, in
 * the manner of Stata's logit/probit.
 *
 * Input:  df_design (X, y; w: rows with weight 0 are ignored).
 * Output: dropcol[k], droprow[n] flags (either may be NULL), a report with
 *         one line per problem, the number of problems.
 *
 * For each non-intercept column, over the rows still in play:
 * - complete separation: max x over failures < min x over successes (or the
 *   reverse). Stata stops with "outcome = x > c predicts data perfectly";
 *   we report that line (c = the largest x among failures, or for the
 *   reverse "x < c" with c the smallest x among failures), mark the column
 *   and every row, and stop: nothing can be estimated.
 * - quasi-complete separation of a two-valued column (a dummy): when every
 *   row at one of the values has the same outcome, that value predicts the
 *   outcome perfectly: "defense != 0 predicts failure perfectly" (or
 *   "x == 0 ...", or "x == v ..." when 0 is not one of the values). The
 *   column and those rows are marked; later columns are checked on the
 *   remaining rows, as Stata drops as it goes.
 * Outcome: success means y > 0.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fit.h"

/* appends one line, never overflowing; a truncated report ends in "..." */
static void report_add(char *buf, size_t size, const char *fmt, ...)
{
    if (!buf || size == 0) return;
    size_t len = strlen(buf);
    if (len + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
    if (w < 0) {
        buf[len] = 0;
        return;
    }
    if ((size_t)w >= size - len && size >= 4)
        memcpy(buf + size - 4, "...", 4);
}

static void name_of(const df_design *d, size_t j, char *nm, size_t size)
{
    if (d->terms && d->terms[j])
        snprintf(nm, size, "%s", d->terms[j]);
    else
        snprintf(nm, size, "x%zu", j + 1);
}

size_t df_separation_check(const df_design *d, unsigned char *dropcol,
                           unsigned char *droprow, char *report,
                           size_t report_size)
{
    size_t n = d->n, found = 0;
    char nm[128];
    unsigned char *st = NULL, *mark = droprow;
    if (report && report_size) report[0] = 0;
    if (dropcol) memset(dropcol, 0, d->k);
    if (droprow) memset(droprow, 0, n);

    /* row status, kept up to date as rows drop: 0 out of play (dropped or
     * weight not positive), 1 failure, 2 success. Without memory for it the
     * rows are classified on the fly (the same decisions, slower). */
    st = malloc(n ? n : 1);
    if (st)
        for (size_t i = 0; i < n; i++)
            st[i] = (d->w && !(d->w[i] > 0)) ? 0 : d->y[i] > 0 ? 2 : 1;

    for (size_t j = 0; j < d->k; j++) {
        if (d->intercept && j == 0) continue;
        const double *x = d->X + j * n;
        double min0 = INFINITY, max0 = -INFINITY, min1 = INFINITY,
               max1 = -INFINITY;
        size_t n0 = 0, n1 = 0;
        /* one pass: extremes by outcome, and the first two distinct values
         * (== comparison, so -0 and 0 are one value) with their outcome
         * counts; `many` once a third value appears */
        double v[2] = {0, 0};
        size_t nv = 0, cnt[2][2] = {{0, 0}, {0, 0}};
        int many = 0;
        for (size_t i = 0; i < n; i++) {
            int s;
            if (st) s = st[i];
            else s = (mark && mark[i]) || (d->w && !(d->w[i] > 0)) ? 0 : d->y[i] > 0 ? 2 : 1;
            if (!s) continue;
            double xi = x[i];
            if (s == 2) {
                n1++;
                if (xi < min1) min1 = xi;
                if (xi > max1) max1 = xi;
            } else {
                n0++;
                if (xi < min0) min0 = xi;
                if (xi > max0) max0 = xi;
            }
            if (many) continue;
            if (nv > 0 && xi == v[0]) cnt[0][s - 1]++;
            else if (nv > 1 && xi == v[1]) cnt[1][s - 1]++;
            else if (nv < 2) { v[nv] = xi; cnt[nv][s - 1]++; nv++; }
            else many = 1;
        }
        if (n0 == 0 || n1 == 0) break; /* outcome does not vary: not ours */
        name_of(d, j, nm, sizeof nm);
        if (max0 < min1 || max1 < min0) {
            if (max0 < min1)
                report_add(report, report_size,
                           "outcome = %s > %.10g predicts data perfectly\n", nm, max0);
            else
                report_add(report, report_size,
                           "outcome = %s < %.10g predicts data perfectly\n", nm, min0);
            if (dropcol) dropcol[j] = 1;
            if (droprow)
                for (size_t i = 0; i < n; i++) droprow[i] = 1;
            found++;
            break;
        }
        /* two distinct values? */
        double lo = min0 < min1 ? min0 : min1, hi = max0 > max1 ? max0 : max1;
        if (lo == hi) continue;
        if (many) continue;
        /* the value "a" is 0 when 0 is a level; then the other is "!= 0" */
        double a = hi == 0 ? hi : lo, b = a == lo ? hi : lo;
        int zero = a == 0;
        for (int side = 0; side < 2; side++) {
            double val = side == 0 ? b : a;
            /* lo and hi are the two values seen, so val equals one of them */
            int q = val == v[0] ? 0 : 1;
            size_t s0 = cnt[q][0], s1 = cnt[q][1];
            if (s0 && s1) continue;
            const char *what = s1 ? "success" : "failure";
            if (zero && side == 0)
                report_add(report, report_size,
                           "%s != 0 predicts %s perfectly\n", nm, what);
            else
                report_add(report, report_size,
                           "%s == %.10g predicts %s perfectly\n", nm, val, what);
            if (dropcol) dropcol[j] = 1;
            /* without droprow no row leaves play (as before) */
            if (droprow)
                for (size_t i = 0; i < n; i++)
                    if (x[i] == val && !(d->w && !(d->w[i] > 0))) {
                        droprow[i] = 1;
                        if (st) st[i] = 0;
                    }
            found++;
            break; /* both sides constant would be complete separation */
        }
    }
    free(st);
    /* drop the trailing newline */
    if (report && report_size) {
        size_t len = strlen(report);
        if (len && report[len - 1] == '\n') report[len - 1] = 0;
    }
    return found;
}
