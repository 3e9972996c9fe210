/*
 * spells.c -- peace years / spells for BTSCS data (see prepare.h for the
 * definitions and the rules for gaps, first years and ongoing disputes).
 *
 * Input: a table with unit, time, event (and optionally ongoing) columns in
 * any row order. Output: per-row peace years, spell id, counting-process
 * (start, stop], event and drop flag in the input order.
 * Method: one sort of (unit key, time, row) triples -- the row index as the
 * last key makes qsort's order total, so the sort is stable and the output
 * does not depend on the C library -- then one pass over each unit's rows.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prepare.h"
#include "table/table.h"
#include "util/util.h"

typedef struct {
    double unit;   /* numeric value, or rank of the string level */
    double time;
    size_t row;
} spell_key;

static int key_cmp(const void *a, const void *b)
{
    const spell_key *x = a, *y = b;
    if (x->unit != y->unit) return x->unit < y->unit ? -1 : 1;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Sorting string levels by their text gives each level its rank. */
typedef struct {
    const char *s;
    size_t level;
} level_ref;

static int level_cmp(const void *a, const void *b)
{
    return strcmp(((const level_ref *)a)->s, ((const level_ref *)b)->s);
}

void df_spell_opts_init(df_spell_opts *o)
{
    memset(o, 0, sizeof *o);
    o->gap = DF_GAP_BTSCS;
    o->first = DF_FIRST_ZERO;
}

void df_spell_result_free(df_spell_result *r)
{
    if (!r) return;
    free(r->peace);
    free(r->spell);
    free(r->number);
    free(r->start);
    free(r->stop);
    free(r->event);
    free(r->drop);
    memset(r, 0, sizeof *r);
}

static void unit_text(const df_column *u, size_t i, char *buf, size_t len)
{
    if (u->type == DF_COL_STRING)
        snprintf(buf, len, "\"%s\"", u->levels[u->code[i]]);
    else
        snprintf(buf, len, "%.15g", u->num[i]);
}

static int find_column(const dyadfit_table *t, const char *name,
                       const char *role, int numeric_only,
                       const df_column **out, dyadfit_error *err)
{
    const df_column *c;
    if (!name) return df_error(err, DYADFIT_ERR_SPEC, "spells: no %s variable given", role);
    if (!(c = df_table_find(t, name)))
        return df_error(err, DYADFIT_ERR_SPEC, "spells: %s variable '%s' not found", role, name);
    if (numeric_only && c->type != DF_COL_NUMERIC)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "spells: %s variable '%s' must be numeric", role, name);
    *out = c;
    return DYADFIT_OK;
}

/* 0/1 check of an indicator; NaN is allowed (the row becomes unusable). */
static int check_binary(const df_column *c, const char *role, size_t i,
                        dyadfit_error *err)
{
    double v = c->num[i];
    if (isnan(v) || v == 0 || v == 1) return DYADFIT_OK;
    return df_error(err, DYADFIT_ERR_DATA,
                    "spells: %s variable '%s' is %.15g in row %zu; it must be 0 or 1",
                    role, c->name, v, i + 1);
}

/* Validates every row and fills the sort keys. */
static int make_keys(const dyadfit_table *t, const df_column *u,
                     const df_column *tm, const df_column *ev,
                     const df_column *og, spell_key *keys, dyadfit_error *err)
{
    double *rank = NULL;
    level_ref *lv = NULL;
    int rc = DYADFIT_OK;
    if (u->type == DF_COL_STRING) {
        rank = df_malloc(u->nlevels ? u->nlevels : 1, sizeof *rank);
        lv = df_malloc(u->nlevels ? u->nlevels : 1, sizeof *lv);
        if (!rank || !lv) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        for (size_t l = 0; l < u->nlevels; l++) {
            lv[l].s = u->levels[l];
            lv[l].level = l;
        }
        qsort(lv, u->nlevels, sizeof *lv, level_cmp);
        for (size_t l = 0; l < u->nlevels; l++) rank[lv[l].level] = (double)l;
    }
    for (size_t i = 0; i < t->nrow; i++) {
        double tv = tm->num[i];
        if (u->type == DF_COL_STRING ? u->code[i] < 0 : isnan(u->num[i])) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "spells: unit variable '%s' is missing in row %zu", u->name, i + 1);
            goto cleanup;
        }
        if (isnan(tv)) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "spells: time variable '%s' is missing in row %zu", tm->name, i + 1);
            goto cleanup;
        }
        /* integer years; beyond 2^53 "t + 1" is no longer exact */
        if (tv != floor(tv) || fabs(tv) > 9007199254740992.0) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "spells: time variable '%s' is %.15g in row %zu; it must be an integer",
                          tm->name, tv, i + 1);
            goto cleanup;
        }
        if ((rc = check_binary(ev, "event", i, err)) != DYADFIT_OK) goto cleanup;
        if (og && (rc = check_binary(og, "ongoing", i, err)) != DYADFIT_OK) goto cleanup;
        keys[i].unit = rank ? rank[u->code[i]] : u->num[i];
        keys[i].time = tv;
        keys[i].row = i;
    }
cleanup:
    free(rank);
    free(lv);
    return rc;
}

static int alloc_result(df_spell_result *r, size_t n)
{
    size_t m = n ? n : 1;
    r->n = n;
    r->peace = df_malloc(m, sizeof(double));
    r->spell = df_malloc(m, sizeof(double));
    r->number = df_malloc(m, sizeof(double));
    r->start = df_malloc(m, sizeof(double));
    r->stop = df_malloc(m, sizeof(double));
    r->event = df_malloc(m, sizeof(double));
    r->drop = df_calloc(m, 1);
    return r->peace && r->spell && r->number && r->start && r->stop && r->event && r->drop;
}

/* The counting pass over the sorted rows. Within a unit: `anchor` is the
 * year the current count started from (peace = time - anchor); `seen` says
 * whether a dispute year has been observed in the unit (for
 * DF_FIRST_MISSING). Unusable rows (missing event/ongoing) are skipped, so
 * the next usable row sees a gap. */
static void count_spells(const spell_key *keys, size_t n, const df_column *ev,
                         const df_column *og, const df_spell_opts *o,
                         df_spell_result *r)
{
    const double nan = NAN;
    size_t spell = 0, unit_first = 1;
    int have_prev = 0, prev_dispute = 0, seen = 0;
    double prev_time = 0, anchor = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = keys[k].row;
        double tv = keys[k].time, e = ev->num[i];
        double g = og ? og->num[i] : 0;
        if (k == 0 || keys[k].unit != keys[k - 1].unit) {
            have_prev = 0;
            seen = 0;
        }
        r->drop[i] = 0;
        if (isnan(e) || isnan(g)) {
            r->peace[i] = r->spell[i] = r->number[i] = r->start[i] = r->stop[i] = nan;
            r->event[i] = nan;
            continue;
        }
        if (!have_prev) {
            spell++;
            unit_first = spell;
            anchor = tv;
        } else if (prev_dispute) {
            spell++;
            /* btscs: the new spell starts at this row; CONTINUE: counts
             * calendar years from the year after the dispute */
            anchor = o->gap == DF_GAP_CONTINUE ? prev_time + 1 : tv;
        } else if (o->gap == DF_GAP_RESTART && tv - prev_time > 1) {
            spell++;
            anchor = tv;
        }
        double p = tv - anchor;
        if (o->first == DF_FIRST_MISSING && !seen) p = nan;
        r->peace[i] = r->start[i] = p;
        r->stop[i] = p + 1;
        r->event[i] = e;
        r->spell[i] = (double)spell;
        r->number[i] = (double)(spell - unit_first + 1);
        r->drop[i] = g == 1 && e == 0;
        if (!isnan(p)) r->nused++;
        prev_dispute = e == 1 || g == 1;
        if (prev_dispute) seen = 1;
        prev_time = tv;
        have_prev = 1;
    }
    r->nspells = spell;
}

int df_spells(const dyadfit_table *t, const df_spell_opts *o,
              df_spell_result *out, dyadfit_error *err)
{
    const df_column *u = NULL, *tm = NULL, *ev = NULL, *og = NULL;
    spell_key *keys = NULL;
    df_spell_result r;
    int rc;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    if (!t || !o) return df_error(err, DYADFIT_ERR_USAGE, "spells: no table or options");
    if ((int)o->gap < DF_GAP_BTSCS || (int)o->gap > DF_GAP_RESTART ||
        (int)o->first < DF_FIRST_ZERO || (int)o->first > DF_FIRST_MISSING)
        return df_error(err, DYADFIT_ERR_USAGE, "spells: unknown gap or first-year rule");
    if ((rc = find_column(t, o->unit, "unit", 0, &u, err)) ||
        (rc = find_column(t, o->time, "time", 1, &tm, err)) ||
        (rc = find_column(t, o->event, "event", 1, &ev, err)) ||
        (o->ongoing && (rc = find_column(t, o->ongoing, "ongoing", 1, &og, err))))
        return rc;

    if (!(keys = df_malloc(t->nrow ? t->nrow : 1, sizeof *keys)) || !alloc_result(&r, t->nrow)) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if ((rc = make_keys(t, u, tm, ev, og, keys, err)) != DYADFIT_OK) goto cleanup;
    qsort(keys, t->nrow, sizeof *keys, key_cmp);
    for (size_t k = 1; k < t->nrow; k++) {
        if (keys[k].unit == keys[k - 1].unit && keys[k].time == keys[k - 1].time) {
            char ub[300];
            unit_text(u, keys[k].row, ub, sizeof ub);
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "spells: rows %zu and %zu have the same unit (%s = %s) and time (%s = %.15g)",
                          keys[k - 1].row + 1, keys[k].row + 1, u->name, ub, tm->name,
                          keys[k].time);
            goto cleanup;
        }
    }
    count_spells(keys, t->nrow, ev, og, o, &r);
    *out = r;
    memset(&r, 0, sizeof r);
cleanup:
    free(keys);
    df_spell_result_free(&r);
    return rc;
}
