/*
 * terms.c -- from the formula's variables to model-matrix columns: checks
 * the functions used, evaluates transforms (with domain errors that name the
 * row), codes factors with treatment contrasts and expands the terms into
 * columns named as R's model.matrix names them.
 *
 * Factor levels: numeric factors sort ascending and print as R's
 * as.character() does (15 significant digits); string factors sort in C
 * locale byte order (R sorts in the session's locale, so "B" and "a" may
 * differ in order from R under en_US). Levels are those present in the rows
 * used, as glm's model.frame(drop.unused.levels = TRUE) does; the first is
 * the reference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/util.h"
#include "design_int.h"
#include "../prepare/prepare.h"

static const char *SUPPORTED = "log, exp, sqrt, abs, I, factor, poly, ns";

static int spec(const char *formula, dyadfit_error *err, const char *msg)
{
    return df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": %s", formula, msg);
}

static int add_name(char ***names, size_t *n, size_t *cap, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*names)[i], s)) return 0;
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 8;
        char **nn = df_realloc(*names, c, sizeof *nn);
        if (!nn) return -1;
        *names = nn;
        *cap = c;
    }
    if (!((*names)[*n] = df_strdup(s))) return -1;
    (*n)++;
    return 0;
}

static int is_math(const char *f)
{
    return !strcmp(f, "log") || !strcmp(f, "exp") || !strcmp(f, "sqrt") ||
           !strcmp(f, "abs") || !strcmp(f, "I");
}

static int is_true(const df_expr *a)
{
    return a->kind == DF_X_VAR && (!strcmp(a->text, "TRUE") || !strcmp(a->text, "T"));
}

static int is_false(const df_expr *a)
{
    return a->kind == DF_X_VAR && (!strcmp(a->text, "FALSE") || !strcmp(a->text, "F"));
}

/* ----------------------------------------------------------- ns() */

#define NS_MAXKNOTS 100

typedef struct {
    int df;                   /* 0 when knots are given */
    size_t nknots;
    double knots[NS_MAXKNOTS];
    int has_knots, has_boundary;
    double boundary[2];
} ns_args;

/* A number literal, possibly negated. */
static int ns_number(const df_expr *a, double *v)
{
    if (a->kind == DF_X_NUM) { *v = a->num; return 0; }
    if (a->kind == DF_X_UNARY && a->l->kind == DF_X_NUM) {
        *v = a->op == '-' ? -a->l->num : a->l->num;
        return 0;
    }
    if (a->kind == DF_X_PAREN) return ns_number(a->l, v);
    return -1;
}

/* A number or c(number, ...): up to max values into v. */
static int ns_vector(const df_expr *a, double *v, size_t max, size_t *nv)
{
    *nv = 0;
    if (a->kind == DF_X_CALL && !strcmp(a->text, "c")) {
        if (a->nargs > max) return -1;
        for (size_t i = 0; i < a->nargs; i++)
            if (a->argnames[i] || ns_number(a->args[i], &v[i]) || !isfinite(v[i])) return -1;
        *nv = a->nargs;
        return 0;
    }
    if (ns_number(a, v) || !isfinite(v[0])) return -1;
    *nv = 1;
    return 0;
}

/* Reads ns(x, df = , knots = , Boundary.knots = , intercept = FALSE) as
 * splines::ns matches them (positional order x, df, knots, intercept,
 * Boundary.knots). Returns -1 with msg on an unsupported form. */
static int ns_parse(const df_expr *e, ns_args *a, char *msg, size_t size)
{
    static const char *pos_names[] = {"x", "df", "knots", "intercept", "Boundary.knots"};
    memset(a, 0, sizeof *a);
    int have_x = 0;
    for (size_t i = 0; i < e->nargs; i++) {
        const char *an = e->argnames[i];
        const df_expr *v = e->args[i];
        if (!an && i < 5) an = pos_names[i];
        else if (!an) {
            snprintf(msg, size, "ns() at position %zu has too many arguments", e->pos);
            return -1;
        }
        if (!strcmp(an, "x")) {
            have_x = 1;
        } else if (!strcmp(an, "df")) {
            double d;
            if (ns_number(v, &d) || d < 1 || d > NS_MAXKNOTS || d != floor(d)) {
                snprintf(msg, size, "ns() at position %zu: df must be a whole number from 1 to %d",
                         e->pos, NS_MAXKNOTS);
                return -1;
            }
            a->df = (int)d;
        } else if (!strcmp(an, "knots")) {
            if (ns_vector(v, a->knots, NS_MAXKNOTS, &a->nknots)) {
                snprintf(msg, size, "ns() at position %zu: knots must be numbers, as in knots = c(1, 4, 7) (at most %d)",
                         e->pos, NS_MAXKNOTS);
                return -1;
            }
            a->has_knots = 1;
        } else if (!strcmp(an, "Boundary.knots")) {
            size_t nb;
            if (ns_vector(v, a->boundary, 2, &nb) || nb != 2 || !(a->boundary[0] < a->boundary[1])) {
                snprintf(msg, size, "ns() at position %zu: Boundary.knots must be c(lower, upper) with lower < upper",
                         e->pos);
                return -1;
            }
            a->has_boundary = 1;
        } else if (!strcmp(an, "intercept")) {
            if (!is_false(v)) {
                snprintf(msg, size, "ns() at position %zu: only intercept = FALSE is supported (the model has its own intercept)",
                         e->pos);
                return -1;
            }
        } else {
            snprintf(msg, size, "ns() at position %zu: unsupported argument '%.40s' (use df, knots, Boundary.knots)",
                     e->pos, an);
            return -1;
        }
    }
    if (!have_x) {
        snprintf(msg, size, "ns() at position %zu needs a variable, as in ns(peaceyrs, df = 3)", e->pos);
        return -1;
    }
    if (!a->has_knots && !a->df) {
        snprintf(msg, size, "ns() at position %zu needs df = or knots =, as in ns(peaceyrs, df = 3) or ns(peaceyrs, knots = c(1, 4, 7)); without them R's ns() is a single linear column",
                 e->pos);
        return -1;
    }
    if (a->has_knots) a->df = 0;   /* knots win, as in R */
    if (a->has_knots && a->has_boundary)
        for (size_t j = 0; j < a->nknots; j++)
            if (!(a->knots[j] > a->boundary[0] && a->knots[j] < a->boundary[1])) {
                snprintf(msg, size, "ns() at position %zu: knot %g is not inside Boundary.knots", e->pos, a->knots[j]);
                return -1;
            }
    return 0;
}

int df_expr_check(const char *formula, const df_expr *e, int top,
                  char ***names, size_t *nnames, size_t *cap, dyadfit_error *err)
{
    char msg[300];
    int rc;
    switch (e->kind) {
    case DF_X_NUM:
        return 0;
    case DF_X_VAR:
        if (!strcmp(e->text, ".")) {
            snprintf(msg, sizeof msg, "'.' (all other variables) at position %zu is not supported; list the variables",
                     e->pos);
            return spec(formula, err, msg);
        }
        if (add_name(names, nnames, cap, e->text))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        return 0;
    case DF_X_UNARY: case DF_X_PAREN:
        return df_expr_check(formula, e->l, top, names, nnames, cap, err);
    case DF_X_BIN:
        if (!top && (e->op == ':' || e->op == '~')) {
            snprintf(msg, sizeof msg, "operator '%c' at position %zu cannot be used inside a function",
                     e->op, e->pos);
            return spec(formula, err, msg);
        }
        if ((rc = df_expr_check(formula, e->l, top, names, nnames, cap, err))) return rc;
        if (top && e->op == '^') return 0;     /* the power: checked by the expansion */
        return df_expr_check(formula, e->r, top, names, nnames, cap, err);
    case DF_X_CALL:
        break;
    }
    const char *f = e->text;
    if (is_math(f)) {
        if (e->nargs != 1 || e->argnames[0]) {
            snprintf(msg, sizeof msg, "%s() at position %zu takes exactly one unnamed argument",
                     f, e->pos);
            return spec(formula, err, msg);
        }
        return df_expr_check(formula, e->args[0], 0, names, nnames, cap, err);
    }
    if (!strcmp(f, "ns")) {
        if (!top) {
            snprintf(msg, sizeof msg, "ns() at position %zu cannot be used inside another function or expression",
                     e->pos);
            return spec(formula, err, msg);
        }
        ns_args na;
        if (ns_parse(e, &na, msg, sizeof msg)) return spec(formula, err, msg);
        return df_expr_check(formula, e->args[0], 0, names, nnames, cap, err);
    }
    if (!strcmp(f, "factor") || !strcmp(f, "poly")) {
        if (!top) {
            snprintf(msg, sizeof msg, "%s() at position %zu cannot be used inside another function or expression",
                     f, e->pos);
            return spec(formula, err, msg);
        }
        if (!strcmp(f, "factor")) {
            if (e->nargs != 1 || e->argnames[0] || e->args[0]->kind != DF_X_VAR) {
                snprintf(msg, sizeof msg, "factor() at position %zu takes one variable name, as in factor(region)",
                         e->pos);
                return spec(formula, err, msg);
            }
            return df_expr_check(formula, e->args[0], 0, names, nnames, cap, err);
        }
        /* poly(x, degree, raw = TRUE) */
        int have_deg = 0, raw = 0;
        for (size_t i = 0; i < e->nargs; i++) {
            const char *an = e->argnames[i];
            const df_expr *a = e->args[i];
            if (i == 0 && (!an || !strcmp(an, "x"))) continue;
            if ((!an && i == 1) || (an && !strcmp(an, "degree"))) {
                if (a->kind != DF_X_NUM || a->num < 1 || a->num != floor(a->num) || a->num > 100) {
                    snprintf(msg, sizeof msg, "the degree of poly() at position %zu must be a whole number from 1 to 100",
                             e->pos);
                    return spec(formula, err, msg);
                }
                have_deg = 1;
            } else if (an && !strcmp(an, "raw")) {
                if (is_true(a)) raw = 1;
                else if (!is_false(a)) {
                    snprintf(msg, sizeof msg, "poly() at position %zu: raw must be TRUE or FALSE", e->pos);
                    return spec(formula, err, msg);
                }
            } else {
                snprintf(msg, sizeof msg, "poly() at position %zu: unsupported argument %zu%s%s (use poly(x, degree, raw = TRUE))",
                         e->pos, i + 1, an ? " " : "", an ? an : "");
                return spec(formula, err, msg);
            }
        }
        if (e->nargs < 1 || (e->argnames[0] && strcmp(e->argnames[0], "x")) || !have_deg) {
            snprintf(msg, sizeof msg, "poly() at position %zu needs a variable and a degree, as in poly(x, 3, raw = TRUE)",
                     e->pos);
            return spec(formula, err, msg);
        }
        if (!raw) {
            snprintf(msg, sizeof msg, "poly() at position %zu without raw = TRUE means orthogonal polynomials, which dyadfit does not compute; write poly(x, k, raw = TRUE) for raw powers",
                     e->pos);
            return spec(formula, err, msg);
        }
        return df_expr_check(formula, e->args[0], 0, names, nnames, cap, err);
    }
    snprintf(msg, sizeof msg, "unknown function '%.40s' at position %zu (supported: %s)",
             f, e->pos, SUPPORTED);
    return spec(formula, err, msg);
}

/* ------------------------------------------------------- evaluation */

typedef struct {
    const dyadfit_table *t;
    const char *label;
    const size_t *rows;
    size_t n;
    dyadfit_error *err;
    int lenient;              /* non-finite results become NaN, no error */
} evalctx;

static int domain_err(evalctx *c, const char *what, double v, size_t i)
{
    char b[40];
    df_format_num(v, b);
    return df_error(c->err, DYADFIT_ERR_DATA,
                    "%s: value %s at row %zu is outside the domain of %s",
                    c->label, b, c->rows[i] + 1, what);
}

/* Evaluates a numeric expression into out[0..n-1]. Every operation whose
 * finite inputs give a non-finite result is an error naming the row. */
static int eval_num(evalctx *c, const df_expr *e, double *out)
{
    size_t n = c->n;
    int rc = 0;
    double *tmp = NULL;
    switch (e->kind) {
    case DF_X_NUM:
        for (size_t i = 0; i < n; i++) out[i] = e->num;
        return 0;
    case DF_X_VAR: {
        const df_column *col = df_table_find(c->t, e->text);
        if (!col)
            return df_error(c->err, DYADFIT_ERR_SPEC, "variable '%s' not found in the data", e->text);
        if (col->type != DF_COL_NUMERIC)
            return df_error(c->err, DYADFIT_ERR_SPEC,
                            "%s: variable '%s' is a string and cannot be used in arithmetic (use it bare or in factor())",
                            c->label, e->text);
        for (size_t i = 0; i < n; i++) out[i] = col->num[c->rows[i]];
        return 0;
    }
    case DF_X_PAREN:
        return eval_num(c, e->l, out);
    case DF_X_UNARY:
        if ((rc = eval_num(c, e->l, out))) return rc;
        if (e->op == '-') for (size_t i = 0; i < n; i++) out[i] = -out[i];
        return 0;
    case DF_X_CALL: {
        const char *f = e->text;
        if ((rc = eval_num(c, e->args[0], out))) return rc;
        if (!strcmp(f, "I")) return 0;
        for (size_t i = 0; i < n; i++) {
            double x = out[i], y;
            if (!strcmp(f, "log")) y = x > 0 ? log(x) : NAN;
            else if (!strcmp(f, "exp")) y = exp(x);
            else if (!strcmp(f, "sqrt")) y = x >= 0 ? sqrt(x) : NAN;
            else y = fabs(x);
            if (!isfinite(y) && c->lenient) y = NAN;
            else if (!isfinite(y)) return domain_err(c, f, x, i);
            out[i] = y;
        }
        return 0;
    }
    case DF_X_BIN:
        break;
    }
    tmp = df_malloc(n, sizeof *tmp);
    if (!tmp) return df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory");
    if ((rc = eval_num(c, e->l, out)) || (rc = eval_num(c, e->r, tmp))) goto done;
    for (size_t i = 0; i < n; i++) {
        double a = out[i], b = tmp[i], y;
        switch (e->op) {
        case '+': y = a + b; break;
        case '-': y = a - b; break;
        case '*': y = a * b; break;
        case '/': y = a / b; break;
        default: y = b == 2.0 ? a * a : pow(a, b); break;   /* as R's R_POW */
        }
        if (!isfinite(y) && c->lenient) {
            y = NAN;
        } else if (!isfinite(y)) {
            char sa[40], sb[40];
            df_format_num(a, sa);
            df_format_num(b, sb);
            rc = df_error(c->err, DYADFIT_ERR_DATA,
                          "%s: %s %c %s at row %zu is %s", c->label, sa, e->op, sb,
                          c->rows[i] + 1, isnan(y) ? "undefined" : "infinite");
            goto done;
        }
        out[i] = y;
    }
done:
    free(tmp);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct { const char *s; int32_t idx; } lvl;
static int cmp_lvl(const void *a, const void *b)
{
    return strcmp(((const lvl *)a)->s, ((const lvl *)b)->s);   /* C locale order */
}

static int eval_factor(evalctx *c, const char *var, df_varval *v)
{
    const df_column *col = df_table_find(c->t, var);
    size_t n = c->n;
    double *u = NULL;
    int32_t *map = NULL;
    lvl *order = NULL;
    int rc = DYADFIT_ERR_SYSTEM;
    v->factor = 1;
    if (!(v->codes = df_malloc(n, sizeof *v->codes))) goto done;
    if (col->type == DF_COL_NUMERIC) {
        /* levels: sorted distinct values; values that print alike merge,
         * as R's factor() matches on as.character() */
        if (!(u = df_malloc(n, sizeof *u))) goto done;
        for (size_t i = 0; i < n; i++) {
            u[i] = col->num[c->rows[i]];
            if (u[i] == 0) u[i] = 0;   /* -0 -> 0 */
        }
        qsort(u, n, sizeof *u, cmp_double);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (m == 0 || u[i] != u[m - 1]) u[m++] = u[i];
        if (!(map = df_malloc(m, sizeof *map)) ||
            !(v->levels = df_calloc(m, sizeof *v->levels))) goto done;
        char b[40], prev[40] = "";
        for (size_t j = 0; j < m; j++) {
            df_format_num(u[j], b);
            if (j == 0 || strcmp(b, prev)) {
                if (!(v->levels[v->nlev] = df_strdup(b))) goto done;
                v->nlev++;
                strcpy(prev, b);
            }
            map[j] = (int32_t)(v->nlev - 1);
        }
        for (size_t i = 0; i < n; i++) {
            double x = col->num[c->rows[i]];
            if (x == 0) x = 0;
            double *hit = bsearch(&x, u, m, sizeof *u, cmp_double);
            v->codes[i] = map[hit - u];
        }
    } else {
        size_t L = col->nlevels;
        if (!(map = df_malloc(L ? L : 1, sizeof *map)) ||
            !(order = df_malloc(L ? L : 1, sizeof *order))) goto done;
        for (size_t j = 0; j < L; j++) map[j] = -1;
        for (size_t i = 0; i < n; i++) map[col->code[c->rows[i]]] = 0;
        size_t m = 0;
        for (size_t j = 0; j < L; j++)
            if (map[j] == 0) { order[m].s = col->levels[j]; order[m++].idx = (int32_t)j; }
        qsort(order, m, sizeof *order, cmp_lvl);
        if (!(v->levels = df_calloc(m ? m : 1, sizeof *v->levels))) goto done;
        for (size_t j = 0; j < m; j++) {
            map[order[j].idx] = (int32_t)j;
            if (!(v->levels[j] = df_strdup(order[j].s))) goto done;
            v->nlev++;
        }
        for (size_t i = 0; i < n; i++) v->codes[i] = map[col->code[c->rows[i]]];
    }
    rc = 0;
done:
    if (rc) df_error(c->err, rc, "out of memory");
    free(u);
    free(map);
    free(order);
    return rc;
}

/* ns(): knots and boundary from x over every row of the table where it is
 * defined (as R's model.frame, see the header), the basis over the rows
 * used. */
static int eval_ns(evalctx *c, const df_expr *e, df_varval *v)
{
    ns_args a;
    char msg[300];
    int rc;
    double *xall = NULL, *xs = NULL, bnd[2];
    size_t *all = NULL, N = c->t->nrow, m = 0;
    if (ns_parse(e, &a, msg, sizeof msg))
        return df_error(c->err, DYADFIT_ERR_SPEC, "%s", msg);
    size_t ncol = a.has_knots ? a.nknots + 1 : (size_t)a.df;
    xall = df_malloc(N ? N : 1, sizeof *xall);
    all = df_malloc(N ? N : 1, sizeof *all);
    if (!(v->val = df_malloc(c->n ? c->n : 1, ncol * sizeof *v->val)) || !xall || !all) {
        rc = df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto done;
    }
    v->ncol = ncol;
    for (size_t i = 0; i < N; i++) all[i] = i;
    evalctx ca = {c->t, c->label, all, N, c->err, 1};
    if ((rc = eval_num(&ca, e->args[0], xall))) goto done;
    for (size_t i = 0; i < N; i++)
        if (!isnan(xall[i])) xall[m++] = xall[i];
    if (m == 0) {
        rc = df_error(c->err, DYADFIT_ERR_DATA, "%s: no defined values of the variable", c->label);
        goto done;
    }
    if (a.has_boundary) {
        bnd[0] = a.boundary[0];
        bnd[1] = a.boundary[1];
    } else {
        bnd[0] = bnd[1] = xall[0];
        for (size_t i = 1; i < m; i++) {
            if (xall[i] < bnd[0]) bnd[0] = xall[i];
            if (xall[i] > bnd[1]) bnd[1] = xall[i];
        }
    }
    if (!a.has_knots) {
        a.nknots = (size_t)a.df - 1;
        if ((rc = df_ns_quantile_knots(xall, m, a.df, bnd, a.knots, NULL, c->err))) goto prefix;
    } else {
        for (size_t j = 0; j < a.nknots; j++)
            if (!(a.knots[j] > bnd[0] && a.knots[j] < bnd[1])) {
                char b[40], lo[40], hi[40];
                df_format_num(a.knots[j], b);
                df_format_num(bnd[0], lo);
                df_format_num(bnd[1], hi);
                rc = df_error(c->err, DYADFIT_ERR_SPEC,
                              "%s: knot %s is not inside the range of the data [%s, %s]",
                              c->label, b, lo, hi);
                goto done;
            }
    }
    if (!(xs = df_malloc(c->n ? c->n : 1, sizeof *xs))) {
        rc = df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto done;
    }
    if ((rc = eval_num(c, e->args[0], xs))) goto done;
    if ((rc = df_ns_basis(xs, c->n, a.knots, a.nknots, bnd, v->val, c->err))) goto prefix;
    goto done;
prefix:
    /* name the term in the prepare layer's message */
    if (c->err) {
        char inner[sizeof c->err->message];
        snprintf(inner, sizeof inner, "%s", c->err->message);
        df_error(c->err, rc, "%s: %.400s", c->label, inner);
    }
done:
    free(xall);
    free(all);
    free(xs);
    return rc;
}

int df_var_eval(const dyadfit_table *t, const df_expr *e, const char *label,
                const size_t *rows, size_t n, df_varval *v, dyadfit_error *err)
{
    evalctx c = {t, label, rows, n, err, 0};
    memset(v, 0, sizeof *v);
    int rc;
    if (e->kind == DF_X_VAR) {
        const df_column *col = df_table_find(t, e->text);
        if (col && col->type == DF_COL_STRING) rc = eval_factor(&c, e->text, v);
        else goto numeric;
    } else if (e->kind == DF_X_CALL && !strcmp(e->text, "factor")) {
        rc = eval_factor(&c, e->args[0]->text, v);
    } else if (e->kind == DF_X_CALL && !strcmp(e->text, "poly")) {
        size_t deg = 0;
        for (size_t i = 1; i < e->nargs; i++)
            if (!e->argnames[i] || !strcmp(e->argnames[i], "degree")) deg = (size_t)e->args[i]->num;
        v->ncol = deg;
        if (!(v->val = df_malloc(n, deg * sizeof *v->val)))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        if ((rc = eval_num(&c, e->args[0], v->val))) goto done;
        for (size_t d = 1; d < deg; d++)
            for (size_t i = 0; i < n; i++) {
                /* R's raw poly() is outer(x, 1:degree, "^"): x * x for
                 * the square, pow() otherwise (R_POW), matched bit for bit */
                double x = v->val[i], y = d == 1 ? x * x : pow(x, (double)(d + 1));
                if (!isfinite(y)) { rc = domain_err(&c, "poly", v->val[i], i); goto done; }
                v->val[d * n + i] = y;
            }
    } else if (e->kind == DF_X_CALL && !strcmp(e->text, "ns")) {
        rc = eval_ns(&c, e, v);
    } else {
numeric:
        v->ncol = 1;
        if (!(v->val = df_malloc(n, sizeof *v->val)))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        rc = eval_num(&c, e, v->val);
    }
done:
    if (rc) df_varval_free(v);
    return rc;
}

void df_varval_free(df_varval *v)
{
    if (!v) return;
    if (!v->borrowed) free(v->val);
    free(v->codes);
    for (size_t j = 0; j < v->nlev; j++) free(v->levels[j]);
    free(v->levels);
    memset(v, 0, sizeof *v);
}

/* ---------------------------------------------------- model matrix */

static char *join(const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *s = df_malloc(la + ls + lb + 1, 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, sep, ls);
    memcpy(s + la + ls, b, lb + 1);
    return s;
}

/* Columns variable v contributes with coding `code`, and the name suffix
 * and values of its column kk. */
static size_t var_ncol(const df_varval *v, int code)
{
    if (!v->factor) return v->ncol;
    return code == 1 ? v->nlev - 1 : v->nlev;
}

static char *var_colname(const df_terms *t, size_t vi, const df_varval *v,
                         int code, size_t kk)
{
    char b[16];
    if (v->factor) return join(t->varname[vi], "", v->levels[code == 1 ? kk + 1 : kk]);
    if (v->ncol == 1) return df_strdup(t->varname[vi]);
    snprintf(b, sizeof b, "%zu", kk + 1);
    return join(t->varname[vi], "", b);
}

static void var_col(const df_varval *v, int code, size_t kk, size_t n, double *out)
{
    if (!v->factor) { memcpy(out, v->val + kk * n, n * sizeof *out); return; }
    int32_t lev = (int32_t)(code == 1 ? kk + 1 : kk);
    for (size_t i = 0; i < n; i++) out[i] = v->codes[i] == lev ? 1.0 : 0.0;
}

int df_model_matrix(const df_terms *t, const df_varval *vals, size_t n,
                    double **Xout, char ***namesout, size_t *kout, dyadfit_error *err)
{
    int *code = NULL;
    double *X = NULL, *col = NULL;
    char **names = NULL;
    size_t k = 0, nv = t->nvar;
    int rc = DYADFIT_ERR_SYSTEM;
    if (!(code = df_malloc(t->nterm * nv + 1, sizeof *code))) goto done;
    memcpy(code, t->code, t->nterm * nv * sizeof *code);
    /* Without an intercept, R codes the first factor of the first term that
     * has one by indicators for all its levels (model.c: modelmatrix). */
    if (!t->intercept) {
        for (size_t j = 0; j < t->nterm; j++)
            for (size_t v = 0; v < nv; v++)
                if (vals[v].factor && code[j * nv + v]) { code[j * nv + v] = 2; goto adjusted; }
    }
adjusted:
    k = t->intercept ? 1 : 0;
    for (size_t j = 0; j < t->nterm; j++) {
        size_t c = 1;
        for (size_t v = 0; v < nv; v++) {
            if (!code[j * nv + v]) continue;
            if (vals[v].factor && vals[v].nlev < 2 && code[j * nv + v] == 1) {
                rc = df_error(err, DYADFIT_ERR_DATA,
                              "%s has a single level (%s) in the rows used; a factor needs two or more",
                              t->varname[v], vals[v].nlev ? vals[v].levels[0] : "none");
                goto done;
            }
            c *= var_ncol(&vals[v], code[j * nv + v]);
        }
        k += c;
    }
    if ((rc = df_design_mem_check(n, k, err))) {
        free(code);
        return rc;
    }
    if (!(X = df_malloc(n, k * sizeof *X)) || !(names = df_calloc(k ? k : 1, sizeof *names)) ||
        !(col = df_malloc(n ? n : 1, sizeof *col)))
        goto done;
    size_t js = 0;
    if (t->intercept) {
        for (size_t i = 0; i < n; i++) X[i] = 1.0;
        if (!(names[0] = df_strdup("(Intercept)"))) goto done;
        js = 1;
    }
    for (size_t j = 0; j < t->nterm; j++) {
        size_t ncur = 0;
        for (size_t v = 0; v < nv; v++) {
            int cd = code[j * nv + v];
            if (!cd) continue;
            size_t nc = var_ncol(&vals[v], cd);
            if (ncur == 0) {
                for (size_t kk = 0; kk < nc; kk++) {
                    var_col(&vals[v], cd, kk, n, X + (js + kk) * n);
                    if (!(names[js + kk] = var_colname(t, v, &vals[v], cd, kk))) goto done;
                }
                ncur = nc;
                continue;
            }
            /* R's addvar: the earlier variables' columns vary fastest;
             * walk backwards so block 0 is overwritten last */
            for (size_t kk = nc; kk-- > 0;) {
                var_col(&vals[v], cd, kk, n, col);
                char *suffix = var_colname(t, v, &vals[v], cd, kk);
                if (!suffix) goto done;
                for (size_t jj = 0; jj < ncur; jj++) {
                    double *src = X + (js + jj) * n, *dst = X + (js + kk * ncur + jj) * n;
                    for (size_t i = 0; i < n; i++) dst[i] = src[i] * col[i];
                    char *nm = join(names[js + jj], ":", suffix);
                    if (!nm) { free(suffix); goto done; }
                    if (kk == 0) free(names[js + jj]);
                    names[js + kk * ncur + jj] = nm;
                }
                free(suffix);
            }
            ncur *= nc;
        }
        js += ncur;
    }
    *Xout = X;
    *namesout = names;
    *kout = k;
    X = NULL;
    names = NULL;
    rc = 0;
done:
    if (rc == DYADFIT_ERR_SYSTEM) df_error(err, rc, "out of memory building the design matrix");
    if (names) for (size_t j = 0; j < k; j++) free(names[j]);
    free(names);
    free(X);
    free(col);
    free(code);
    return rc;
}

/* ------------------------------------------- direct model matrix */

#define DF_EVAL_CHUNK 4096    /* rows per chunk: the temporaries stay in cache */

/* Evaluates numeric expression e (poly(x, deg) when deg > 0: its deg raw
 * powers) over rows[0..n-1] into out (column stride ld), chunk by chunk.
 * Every value is computed by the same operations as df_var_eval. */
static int eval_direct(const dyadfit_table *tab, const df_expr *e, size_t deg,
                       const size_t *rows, size_t n, double *out, size_t ld,
                       dyadfit_error *err)
{
    const df_expr *arg = deg ? e->args[0] : e;
    for (size_t i0 = 0; i0 < n; i0 += DF_EVAL_CHUNK) {
        size_t m = n - i0 < DF_EVAL_CHUNK ? n - i0 : DF_EVAL_CHUNK;
        evalctx c = {tab, "", rows + i0, m, err, 0};
        double *x = out + i0;
        int rc = eval_num(&c, arg, x);
        if (rc) return rc;
        for (size_t d = 1; d < deg; d++) {
            double *y = out + d * ld + i0;
            for (size_t i = 0; i < m; i++) {
                double v = d == 1 ? x[i] * x[i] : pow(x[i], (double)(d + 1));
                if (!isfinite(v)) return DYADFIT_ERR_DATA;
                y[i] = v;
            }
        }
    }
    return 0;
}

int df_model_matrix_direct(const df_terms *t, const dyadfit_table *tab,
                           const size_t *rows, size_t n, double **Xout,
                           char ***namesout, size_t *kout)
{
    size_t nv = t->nvar, k = 0;
    df_varval *vals = NULL;
    int *code = NULL;
    size_t *mainterm = NULL, *deg = NULL;
    double *X = NULL, *col = NULL;
    char **names = NULL;
    dyadfit_error scratch;      /* messages of this path are discarded */
    df_prefault *pf = NULL;
    int rc = -1;
    if (!(vals = df_calloc(nv ? nv : 1, sizeof *vals)) ||
        !(mainterm = df_malloc(nv ? nv : 1, sizeof *mainterm)) ||
        !(deg = df_malloc(nv ? nv : 1, sizeof *deg)) ||
        !(code = df_malloc(t->nterm * nv + 1, sizeof *code)))
        goto done;
    memcpy(code, t->code, t->nterm * nv * sizeof *code);
    /* a variable goes straight into X when it is numeric (not ns()), has a
     * term of its own, and no earlier term uses it */
    for (size_t v = 0; v < nv; v++) {
        const df_expr *e = t->var[v];
        mainterm[v] = (size_t)-1;
        deg[v] = 1;
        int isfactor = (e->kind == DF_X_CALL && !strcmp(e->text, "factor"));
        if (e->kind == DF_X_VAR) {
            const df_column *c = df_table_find(tab, e->text);
            if (!c) goto done;
            isfactor = c->type == DF_COL_STRING;
        }
        if (e->kind == DF_X_CALL && !strcmp(e->text, "ns")) isfactor = 1;  /* buffered */
        if (e->kind == DF_X_CALL && !strcmp(e->text, "poly")) {
            deg[v] = 0;
            for (size_t i = 1; i < e->nargs; i++)
                if (!e->argnames[i] || !strcmp(e->argnames[i], "degree"))
                    deg[v] = (size_t)e->args[i]->num;
            if (!deg[v]) goto done;
        }
        if (!isfactor)
            for (size_t j = 0; j < t->nterm; j++) {
                if (!code[j * nv + v]) continue;
                size_t others = 0;
                for (size_t w = 0; w < nv; w++) others += w != v && code[j * nv + w];
                if (!others) mainterm[v] = j;
                break;
            }
        if (mainterm[v] != (size_t)-1) {
            vals[v].ncol = deg[v];     /* evaluated when its term is filled */
            continue;
        }
        if (df_var_eval(tab, e, t->varname[v], rows, n, &vals[v], &scratch)) goto done;
    }
    if (!t->intercept) {
        for (size_t j = 0; j < t->nterm; j++)
            for (size_t v = 0; v < nv; v++)
                if (vals[v].factor && code[j * nv + v]) { code[j * nv + v] = 2; goto adjusted; }
    }
adjusted:
    k = t->intercept ? 1 : 0;
    for (size_t j = 0; j < t->nterm; j++) {
        size_t c = 1;
        for (size_t v = 0; v < nv; v++) {
            if (!code[j * nv + v]) continue;
            if (vals[v].factor && vals[v].nlev < 2 && code[j * nv + v] == 1) goto done;
            c *= var_ncol(&vals[v], code[j * nv + v]);
        }
        k += c;
    }
    if (df_design_mem_check(n, k, &scratch)) goto done;   /* reported by the other path */
    if (!(X = df_malloc(n, k * sizeof *X)) || !(names = df_calloc(k ? k : 1, sizeof *names)) ||
        !(col = df_malloc(n ? n : 1, sizeof *col)))
        goto done;
    /* X is filled column by column from the front: have it backed from
     * the back meanwhile */
    void *xblock = X;
    size_t xbytes = n * k * sizeof *X;
    pf = df_prefault_start(&xblock, &xbytes, 1);
    size_t js = 0;
    if (t->intercept) {
        for (size_t i = 0; i < n; i++) X[i] = 1.0;
        if (!(names[0] = df_strdup("(Intercept)"))) goto done;
        js = 1;
    }
    for (size_t j = 0; j < t->nterm; j++) {
        size_t ncur = 0;
        for (size_t v = 0; v < nv; v++) {
            int cd = code[j * nv + v];
            if (!cd) continue;
            size_t nc = var_ncol(&vals[v], cd);
            if (mainterm[v] == j) {
                /* the variable's own term: evaluate into place */
                const df_expr *e = t->var[v];
                int ispoly = e->kind == DF_X_CALL && !strcmp(e->text, "poly");
                if (eval_direct(tab, e, ispoly ? deg[v] : 0, rows, n, X + js * n, n, &scratch))
                    goto done;
                vals[v].val = X + js * n;
                vals[v].borrowed = 1;
                for (size_t kk = 0; kk < nc; kk++)
                    if (!(names[js + kk] = var_colname(t, v, &vals[v], cd, kk))) goto done;
                ncur = nc;
                continue;
            }
            if (ncur == 0) {
                for (size_t kk = 0; kk < nc; kk++) {
                    var_col(&vals[v], cd, kk, n, X + (js + kk) * n);
                    if (!(names[js + kk] = var_colname(t, v, &vals[v], cd, kk))) goto done;
                }
                ncur = nc;
                continue;
            }
            /* as df_model_matrix */
            for (size_t kk = nc; kk-- > 0;) {
                var_col(&vals[v], cd, kk, n, col);
                char *suffix = var_colname(t, v, &vals[v], cd, kk);
                if (!suffix) goto done;
                for (size_t jj = 0; jj < ncur; jj++) {
                    double *src = X + (js + jj) * n, *dst = X + (js + kk * ncur + jj) * n;
                    for (size_t i = 0; i < n; i++) dst[i] = src[i] * col[i];
                    char *nm = join(names[js + jj], ":", suffix);
                    if (!nm) { free(suffix); goto done; }
                    if (kk == 0) free(names[js + jj]);
                    names[js + kk * ncur + jj] = nm;
                }
                free(suffix);
            }
            ncur *= nc;
        }
        js += ncur;
    }
    *Xout = X;
    *namesout = names;
    *kout = k;
    X = NULL;
    names = NULL;
    rc = 0;
done:
    df_prefault_end(pf);
    if (names) for (size_t j = 0; j < k; j++) free(names[j]);
    free(names);
    if (vals) for (size_t v = 0; v < nv; v++) df_varval_free(&vals[v]);
    free(vals);
    free(X);
    free(col);
    free(code);
    free(mainterm);
    free(deg);
    return rc;
}
