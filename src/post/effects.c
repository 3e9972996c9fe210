/* effects.c -- predictions, marginal effects and first differences from an
 * attached saved fit.
 *
 * Every quantity here is an average of P_i = F(x_i'b + offset_i) over a set
 * of counterfactual rows (the fitted rows with some variables changed, or
 * one profile row), or a difference of two such averages. For each set we
 * need the average Pbar and its gradient J = d Pbar / d b = mean f(eta_i) x_i
 * (f = F'), so the delta-method variance is J'VJ. Both are accumulated in
 * one pass over the counterfactual rows: O(k) extra state, never n x k.
 *
 * The counterfactual rows are made by changing the raw variables of a copy
 * of the fitted rows and rebuilding the model matrix with the design layer
 * (factor(), log(), I(x^2), interactions follow by construction), one block
 * of CF_BLOCK rows at a time. Each block is stacked under a basis of fitted
 * rows (ctx_basis: the first 2048 and one of each factor level): factor
 * levels and the collinearity check then see the fitted data (setting
 * defense = 1 on every row alone would make the defense column collinear
 * with the intercept and the builder would drop it). Memory is O((2048 +
 * CF_BLOCK) k) beyond the attached fit, whatever n is.
 *
 * Derivatives dP/dx are central differences of these averages,
 * (Pbar(x + h) - Pbar(x - h)) / 2h with h = 1e-5 times the range of x over
 * the fitted rows: truncation error O(h^2 P''') and rounding error
 * O(eps Pbar / h) both stay near 1e-10 relative for the usual scales, and
 * the difference of averages equals the average of differences, so the
 * effect still needs only the two streaming passes. Variables whose fitted
 * values are all 0 or 1 get the discrete change P(x=1) - P(x=0) instead, as
 * marginaleffects does for binary variables and Stata's margins for i.x.
 *
 * Cox fits use the same machinery with F = f = exp (the relative hazard
 * exp(x'b) against covariates = 0): the design is rebuilt with the
 * survival builder, the Surv() and strata() variables keep their observed
 * values in every counterfactual row (a profile may not set them), the
 * interval is made on the log scale, and --fd gives the hazard ratio.
 *
 * Weibull and exponential fits (survreg_post.c) use only the profile row
 * (df_post_profile_x): their design is the survival builder's too, and its
 * columns are the saved coefficients without the intercept and the scale
 * parameters, so the checks below compare with the attached design's
 * terms, not with f->terms. Averages of probabilities are refused for them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "post.h"
#include "../util/util.h"
#include "../fit/fit.h"

void df_post_opts_init(df_post_opts *o)
{
    memset(o, 0, sizeof *o);
    o->others = DF_POST_MEAN;
    o->method = DF_POST_DELTA;
    o->draws = 1000;
    o->seed = 1;
}

void df_post_table_free(df_post_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].term);
        free(t->rows[i].contrast);
    }
    free(t->rows);
    free(t->what);
    free(t->note);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------- link */

static double link_F(int link, double eta)
{
    switch (link) {
    case DF_POST_LINK_RISK: return exp(eta);
    case DF_LINK_PROBIT: return gsl_cdf_ugaussian_P(eta);
    case DF_LINK_CLOGLOG: return -expm1(-exp(eta));
    default: return eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
    }
}

static double link_f(int link, double eta)
{
    switch (link) {
    case DF_POST_LINK_RISK: return exp(eta);
    case DF_LINK_PROBIT: return exp(-0.5 * eta * eta) * 0.39894228040143267794;
    case DF_LINK_CLOGLOG: return exp(eta - exp(eta));
    default: {
        double e = exp(-fabs(eta));
        return e / ((1 + e) * (1 + e));
    }
    }
}

/* The link effects use: a Cox fit (df_post_fit.link -1, so that fitstat
 * and other callers keep treating it as having no probability) gives the
 * relative hazard exp(eta). */
static int post_link(const df_post_fit *f)
{
    return f->est == DYADFIT_COX ? DF_POST_LINK_RISK : f->link;
}

/* Models whose design comes from the survival builder (Surv() response,
 * strata() terms). */
static int surv_model(const df_post_fit *f)
{
    return f->est == DYADFIT_COX || f->est == DYADFIT_WEIBULL || f->est == DYADFIT_EXPONENTIAL;
}

/* Weibull / exponential: no probability to average (survreg_post.c has
 * their predictions). */
static int refuse_survreg(const df_post_fit *f, dyadfit_error *err)
{
    if (f->est != DYADFIT_WEIBULL && f->est != DYADFIT_EXPONENTIAL) return DYADFIT_OK;
    return df_error(err, DYADFIT_ERR_SPEC,
                    "saved fit '%s' is %s: marginal effects, first differences and predicted "
                    "probabilities are not available for it; dyadfit predict gives the linear "
                    "predictor, the median survival time and (--survival --times) S(t | x) "
                    "at profiles", f->json_path, f->estimator);
}

/* ------------------------------------------------ the model's variables */

/* Raw variables of the formula (and the offset) that are columns of the
 * table, with a flag for those inside factor(). Found by scanning the
 * formula's identifiers: a name that is not a column (log, I, factor) is
 * simply not kept. */
typedef struct {
    size_t n;
    size_t *col;
    int *factor;
    int *role;                  /* NEED_COVARIATE, ... (Cox fits; else 0) */
} needset;

/* A Cox formula's variables that are not covariates keep their observed
 * values in every counterfactual row and cannot be set by a profile. */
enum { NEED_COVARIATE = 0, NEED_SURV = 1, NEED_STRATA = 2 };

static void needset_free(needset *s)
{
    free(s->col);
    free(s->factor);
    free(s->role);
}

static int is_id_start(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' || c == '_'; }
static int is_id_char(int c) { return is_id_start(c) || (c >= '0' && c <= '9'); }

static int need_add(needset *s, size_t col, int factor)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->col[i] == col) {
            s->factor[i] |= factor;
            return 0;
        }
    size_t *c = realloc(s->col, (s->n + 1) * sizeof *c);
    if (!c) return -1;
    s->col = c;
    int *f = realloc(s->factor, (s->n + 1) * sizeof *f);
    if (!f) return -1;
    s->factor = f;
    s->col[s->n] = col;
    s->factor[s->n++] = factor;
    return 0;
}

static int scan_names(const dyadfit_table *t, const char *text, needset *s)
{
    const char *p = text;
    char name[256];
    while (p && *p) {
        const char *b, *e;
        if (*p == '`') {
            b = ++p;
            while (*p && *p != '`') p++;
            e = p;
            if (*p) p++;
        } else if (is_id_start((unsigned char)*p)) {
            b = p;
            while (is_id_char((unsigned char)*p)) p++;
            e = p;
        } else if (*p >= '0' && *p <= '9') {
            while (is_id_char((unsigned char)*p)) p++;   /* 1e-5, 2L */
            continue;
        } else {
            p++;
            continue;
        }
        size_t len = (size_t)(e - b);
        if (len == 0 || len >= sizeof name) continue;
        memcpy(name, b, len);
        name[len] = 0;
        /* factor( name ) marks name as categorical */
        int factor = 0;
        if (b >= text + 7 && strncmp(b - 7, "factor(", 7) == 0) factor = 1;
        else {
            const char *q = b - 1;
            while (q >= text && *q == ' ') q--;
            if (q >= text + 6 && *q == '(' && strncmp(q - 6, "factor", 6) == 0) factor = 1;
        }
        size_t c = df_table_index(t, name);
        if (c != (size_t)-1 && need_add(s, c, factor)) return -1;
    }
    return 0;
}

static long need_find(const needset *s, size_t col)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->col[i] == col) return (long)i;
    return -1;
}

/* A Cox formula split in two texts: the covariates (right of '~' with the
 * strata(...) terms blanked) and the strata(...) terms alone. */
static int cox_texts(const char *formula, char **cov, char **str)
{
    size_t len = strlen(formula);
    const char *tilde = strchr(formula, '~');
    *cov = df_malloc(len + 1, 1);
    *str = df_malloc(len + 1, 1);
    if (!*cov || !*str) return -1;
    memset(*str, ' ', len);
    (*str)[len] = 0;
    memcpy(*cov, formula, len + 1);
    if (tilde) memset(*cov, ' ', (size_t)(tilde - formula) + 1);   /* the Surv() side */
    for (const char *p = strstr(formula, "strata("); p; p = strstr(p + 1, "strata(")) {
        if (p > formula && is_id_char((unsigned char)p[-1])) continue;
        size_t b = (size_t)(p - formula), e = b + 7;
        for (int depth = 1; e < len && depth > 0; e++)
            depth += formula[e] == '(' ? 1 : formula[e] == ')' ? -1 : 0;
        memcpy(*str + b, formula + b, e - b);
        memset(*cov + b, ' ', e - b);
    }
    return 0;
}

static int needed_vars(const df_post_fit *f, needset *s, dyadfit_error *err)
{
    needset cov, str;
    char *ct = NULL, *st = NULL;
    int bad = 0;
    memset(s, 0, sizeof *s);
    memset(&cov, 0, sizeof cov);
    memset(&str, 0, sizeof str);
    if (scan_names(f->table, f->formula, s) ||
        (f->offset && scan_names(f->table, f->offset, s)) ||
        !(s->role = df_calloc(s->n ? s->n : 1, sizeof *s->role)))
        bad = 1;
    if (!bad && surv_model(f)) {
        bad = cox_texts(f->formula, &ct, &st) || scan_names(f->table, ct, &cov) ||
              (f->offset && scan_names(f->table, f->offset, &cov)) ||
              scan_names(f->table, st, &str);
        for (size_t q = 0; !bad && q < s->n; q++)
            s->role[q] = need_find(&cov, s->col[q]) >= 0   ? NEED_COVARIATE
                         : need_find(&str, s->col[q]) >= 0 ? NEED_STRATA
                                                           : NEED_SURV;
    }
    free(ct);
    free(st);
    needset_free(&cov);
    needset_free(&str);
    if (bad) {
        needset_free(s);
        memset(s, 0, sizeof *s);
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    }
    return DYADFIT_OK;
}

/* -------------------------------------------------------------- profiles */

void df_post_profile_free(df_post_profile *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->a[i].var);
        free(p->a[i].level);
    }
    free(p->a);
    free(p->text);
    memset(p, 0, sizeof *p);
}

static int parse_token(const df_post_fit *f, const needset *need, const char *tok,
                       const char *text, df_post_assign *a, dyadfit_error *err)
{
    const char *eq = strchr(tok, '=');
    memset(a, 0, sizeof *a);
    if (!eq || eq == tok || !eq[1] || strchr(eq + 1, '=') || eq[-1] == '!' ||
        eq[-1] == '<' || eq[-1] == '>')
        return df_error(err, DYADFIT_ERR_USAGE,
                        "malformed --at \"%s\": '%s' is not NAME=VALUE (one '=', no spaces "
                        "inside the name or value)", text, tok);
    size_t nl = (size_t)(eq - tok);
    if (!(a->var = df_malloc(nl + 1, 1))) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    memcpy(a->var, tok, nl);
    a->var[nl] = 0;
    size_t c = df_table_index(f->table, a->var);
    if (c == (size_t)-1 && !f->table_subset)
        return df_error(err, DYADFIT_ERR_USAGE, "--at \"%s\": unknown variable '%s' (not in %s)",
                        text, a->var, f->data_used);
    long q = c == (size_t)-1 ? -1 : need_find(need, c);
    if (q < 0)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "--at \"%s\": '%s' is not a variable of the model (%s)", text, a->var,
                        f->formula);
    if (need->role[q] == NEED_STRATA)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "--at \"%s\": '%s' is a strata() variable of the Cox model: strata have "
                        "no coefficient (each has its own baseline hazard), so a relative "
                        "hazard does not depend on them, and --survival gives one curve per "
                        "stratum", text, a->var);
    if (need->role[q] == NEED_SURV)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "--at \"%s\": '%s' is part of the Surv() response of the Cox model, "
                        "not a covariate (for survival at given times use --survival --times)",
                        text, a->var);
    const df_column *col = &f->table->cols[c];
    const char *v = eq + 1;
    if (col->type == DF_COL_STRING) {
        for (size_t l = 0; l < col->nlevels; l++)
            if (strcmp(col->levels[l], v) == 0) {
                if (!(a->level = df_strdup(v)))
                    return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                return DYADFIT_OK;
            }
        return df_error(err, DYADFIT_ERR_USAGE,
                        "--at \"%s\": '%s' is not a value of the string variable '%s'", text, v,
                        a->var);
    }
    char *end;
    a->value = strtod(v, &end);
    if (*end || !isfinite(a->value))
        return df_error(err, DYADFIT_ERR_USAGE,
                        "--at \"%s\": value '%s' for '%s' is not a number", text, v, a->var);
    return DYADFIT_OK;
}

int df_post_profile_parse(const df_post_fit *f, const char *text,
                          df_post_profile *p, dyadfit_error *err)
{
    needset need;
    char *buf = NULL;
    int rc;
    memset(p, 0, sizeof *p);
    if (!f->table) return df_error(err, DYADFIT_ERR_USAGE, "the saved fit has no data attached");
    if ((rc = needed_vars(f, &need, err))) return rc;
    size_t len = strlen(text);
    /* "defense = 1" -> "defense=1": drop blanks around '=' */
    if (!(buf = df_malloc(len + 1, 1)) || !(p->text = df_strdup(text))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ' || text[i] == '\t') {
            size_t j = i;
            while (j < len && (text[j] == ' ' || text[j] == '\t')) j++;
            if ((o > 0 && buf[o - 1] == '=') || (j < len && text[j] == '=')) {
                i = j - 1;
                continue;
            }
        }
        buf[o++] = text[i] == ',' || text[i] == '\t' ? ' ' : text[i];
    }
    buf[o] = 0;
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        df_post_assign *na = realloc(p->a, (p->n + 1) * sizeof *na);
        if (!na) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        p->a = na;
        p->n++;
        if ((rc = parse_token(f, &need, tok, text, &p->a[p->n - 1], err))) goto cleanup;
        for (size_t i = 0; i + 1 < p->n; i++)
            if (strcmp(p->a[i].var, p->a[p->n - 1].var) == 0) {
                rc = df_error(err, DYADFIT_ERR_USAGE, "--at \"%s\": '%s' is set twice", text,
                              p->a[i].var);
                goto cleanup;
            }
    }
    if (p->n == 0) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "--at \"%s\": no NAME=VALUE assignment", text);
        goto cleanup;
    }
    /* the term column: the assignments written one way ("x=1 z=0") */
    size_t tl = 1;
    for (size_t i = 0; i < p->n; i++)
        tl += strlen(p->a[i].var) + 34 + (p->a[i].level ? strlen(p->a[i].level) : 0);
    char *canon = df_malloc(tl, 1);
    if (!canon) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    size_t cl = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->a[i].level)
            cl += (size_t)snprintf(canon + cl, tl - cl, "%s%s=%s", i ? " " : "", p->a[i].var,
                                   p->a[i].level);
        else
            cl += (size_t)snprintf(canon + cl, tl - cl, "%s%s=%.15g", i ? " " : "", p->a[i].var,
                                   p->a[i].value);
    }
    free(p->text);
    p->text = canon;
cleanup:
    free(buf);
    needset_free(&need);
    if (rc) df_post_profile_free(p);
    return rc;
}

/* ------------------------------------------------------- counterfactuals */

/* One set of counterfactual rows: the fitted rows (observed) or one profile
 * row (values per needed variable), then the profile's assignments, then
 * one change of variable `mod` (column index): set to `mod_value` or moved
 * by `mod_value`. */
typedef struct {
    int observed;
    double hfloor;              /* mod_add: step scale for x = 0 */
    const double *num;          /* profile: value per needed variable */
    const int32_t *code;        /* profile: string code per needed variable */
    const df_post_profile *prof;
    size_t mod;                 /* (size_t)-1: none */
    int mod_add;
    double mod_value;
} cf_spec;

/* The derivative's step for a value x: relative (1e-5 |x|, so log(x) stays
 * in its domain and the truncation error is O(1e-10) relative), at least
 * 1e-7 times the mean |x| (for x near 0); mod_value (+1 or -1) gives the side. */
static double step(const cf_spec *cs, double x)
{
    double a = fabs(x);
    double lo = 0.01 * cs->hfloor;
    return cs->mod_value * 1e-5 * (a > lo ? a : lo);
}

/* Simulation state: nd draws of beta (nd x k, row-major). */
typedef struct {
    size_t nd;
    const double *B;
} sim;

typedef struct {
    const df_post_fit *f;
    needset need;
    double *num;                /* MEAN/MEDIAN profile values per need */
    int32_t *code;
    /* the basis: fitted rows (indices into the design's rows) stacked
     * above each block of counterfactual rows, so that factor levels and
     * the collinearity check see the fitted data; NULL: all n of them */
    size_t *basis;
    size_t nbasis;
} ctx;

static void assign_value(const df_column *col, const df_post_assign *a, double *num,
                         int32_t *code)
{
    if (col->type == DF_COL_STRING) {
        for (size_t l = 0; l < col->nlevels; l++)
            if (strcmp(col->levels[l], a->level) == 0) *code = (int32_t)l;
    } else {
        *num = a->value;
    }
}

/* Counterfactual rows per design build: memory O((basis + block) k). */
#define CF_BLOCK 32768

/* The design of one block of counterfactual rows: the basis rows (fitted
 * rows as they are, see ctx_basis) stacked above counterfactual rows b0 ..
 * b0 + nblk - 1 (copies of fitted rows b0.., or the one profile row).
 * *d gets the design; DYADFIT_ERR_SPEC when its columns differ from the
 * fit's (the caller may retry with every fitted row as the basis). */
static int cf_block(const ctx *c, const cf_spec *cs, size_t b0, size_t nblk, df_design **out,
                    dyadfit_error *err)
{
    const df_post_fit *f = c->f;
    const df_design *d0 = f->design;
    const dyadfit_table *t = f->table;
    size_t nsb = c->nbasis, N = nsb + nblk, k = d0->k;   /* = f->k but for survreg */
    dyadfit_table *T = NULL;
    df_design *d = NULL;
    double *v = NULL;
    const char **sv = NULL;
    int rc = DYADFIT_OK;

    *out = NULL;
    if ((rc = dyadfit_table_new(N, &T, err))) goto cleanup;
    if (!(v = df_malloc(N, sizeof *v)) || !(sv = df_malloc(N, sizeof *sv))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t q = 0; q < c->need.n; q++) {
        const df_column *col = &t->cols[c->need.col[q]];
        double pv = c->num[q];
        int32_t pc = c->code[q];
        int changed = 0;
        if (cs->prof)
            for (size_t a = 0; a < cs->prof->n; a++)
                if (strcmp(cs->prof->a[a].var, col->name) == 0) {
                    assign_value(col, &cs->prof->a[a], &pv, &pc);
                    changed = 1;
                }
        if (c->need.role[q] != NEED_COVARIATE) changed = 0;
        for (size_t i = 0; i < N; i++) {
            /* base: a counterfactual row (not a basis row); Surv() and
             * strata() variables stay as observed */
            int cfrow = i >= nsb, base = cfrow && c->need.role[q] == NEED_COVARIATE;
            size_t src = d0->rows[cfrow ? b0 + (i - nsb) : c->basis ? c->basis[i] : i];
            if (col->type == DF_COL_STRING) {
                int32_t code = col->code[src];
                if (base && (!cs->observed || changed)) code = pc;
                sv[i] = code >= 0 ? col->levels[code] : NULL;
            } else {
                double x = col->num[src];
                if (base && (!cs->observed || changed)) x = pv;
                if (base && c->need.col[q] == cs->mod)
                    x = cs->mod_add ? x + step(cs, x) : cs->mod_value;
                v[i] = x;
            }
        }
        rc = col->type == DF_COL_STRING ? dyadfit_table_add_string(T, col->name, sv, err)
                                        : dyadfit_table_add_numeric(T, col->name, v, err);
        if (rc) goto cleanup;
    }
    free(v);
    free(sv);
    v = NULL;
    sv = NULL;

    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = f->formula;
    spec.offset = f->offset;
    rc = surv_model(f) ? df_design_build_survival(T, &spec, &d, err)
                       : df_design_build(T, &spec, &d, err);
    if (rc) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        rc = df_error(err, DYADFIT_ERR_USAGE, "the values set give no model matrix: %s", msg);
        goto cleanup;
    }
    int same = d->k == k;
    for (size_t j = 0; same && j < k; j++) same = strcmp(d->terms[j], d0->terms[j]) == 0;
    if (!same) {
        rc = df_error(err, DYADFIT_ERR_SPEC,
                      "the values set change the model's columns (%zu instead of %zu%s%s): "
                      "a factor value not in the fitted data?", d->k, k,
                      d->k > 0 ? ", first " : "", d->k > 0 ? d->terms[d->k - 1] : "");
        goto cleanup;
    }
    if (d->n != N) {
        size_t miss = 0;
        for (size_t r = 0, i = 0; i < N; i++) {
            if (r < d->n && d->rows[r] == i) r++;
            else if (i >= nsb) { miss = b0 + (i - nsb); break; }
        }
        rc = df_error(err, DYADFIT_ERR_USAGE,
                      "the values set make a model term missing or not finite (counterfactual "
                      "row %zu, data row %zu): e.g. log() of a value <= 0", miss + 1,
                      d0->rows[miss] + 1);
        goto cleanup;
    }
    *out = d;
    d = NULL;
cleanup:
    free(v);
    free(sv);
    df_design_free(d);
    dyadfit_table_free(T);
    return rc;
}

/* Averages over one counterfactual set: *pbar, J (k) and, with s, the
 * average at each draw (pd, s->nd). The set is built and summed in blocks
 * of CF_BLOCK rows in row order (the sums are those of one pass). */
static int cf_eval(ctx *c, const cf_spec *cs, const sim *s, double *pbar,
                   double *J, double *pd, dyadfit_error *err)
{
    const df_post_fit *f = c->f;
    const df_design *d0 = f->design;
    const dyadfit_table *t = f->table;
    size_t n = d0->n, nb = cs->observed ? n : 1, k = f->k;
    df_design *d = NULL;
    int rc = DYADFIT_OK;

    /* Sums in long double: the central differences subtract two averages
     * that agree to ~5 digits. */
    long double sw = 0, sp = 0;
    long double *sj = calloc(k, sizeof *sj), *sd = s ? calloc(s->nd, sizeof *sd) : NULL;
    double x[512];
    double *xr = k <= 512 ? x : df_malloc(k, sizeof *xr);
    if (!sj || (s && !sd) || !xr) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t b0 = 0; b0 < nb; b0 += CF_BLOCK) {
        size_t nblk = nb - b0 < CF_BLOCK ? nb - b0 : CF_BLOCK;
        rc = cf_block(c, cs, b0, nblk, &d, err);
        if (rc == DYADFIT_ERR_SPEC && c->basis) {
            /* the basis rows did not give the fit's columns: use them all */
            free(c->basis);
            c->basis = NULL;
            c->nbasis = n;
            rc = cf_block(c, cs, b0, nblk, &d, err);
        }
        if (rc == DYADFIT_ERR_SPEC) rc = err->code = DYADFIT_ERR_USAGE;
        if (rc) goto cleanup;
        size_t nsb = c->nbasis;
        for (size_t r = 0; r < d->n; r++) {
            if (d->rows[r] < nsb) continue;
            size_t i0 = b0 + (d->rows[r] - nsb);     /* the fitted row it copies */
            double w = cs->observed && d0->w ? d0->w[i0] : 1;
            /* a derivative: each row's difference is divided by its own 2 h_i,
             * so that weight goes into both averages (sw keeps the plain
             * weights) */
            double wd = w;
            if (cs->mod != (size_t)-1 && cs->mod_add) {
                const df_column *mc = &t->cols[cs->mod];
                double x0 = cs->observed ? mc->num[d0->rows[i0]] : c->num[need_find(&c->need, cs->mod)];
                if (cs->prof)
                    for (size_t a = 0; a < cs->prof->n; a++)
                        if (strcmp(cs->prof->a[a].var, mc->name) == 0) x0 = cs->prof->a[a].value;
                wd = w / (2 * fabs(step(cs, x0)));
            }
            double off = d->offset ? d->offset[r] : 0, eta = off;
            for (size_t j = 0; j < k; j++) {
                xr[j] = d->X[j * d->n + r];
                eta += xr[j] * f->coef[j];
            }
            double fe = link_f(post_link(f), eta);
            sw += w;
            sp += wd * link_F(post_link(f), eta);
            for (size_t j = 0; j < k; j++) sj[j] += wd * fe * xr[j];
            if (s)
                for (size_t q = 0; q < s->nd; q++) {
                    const double *b = s->B + q * k;
                    double e = off;
                    for (size_t j = 0; j < k; j++) e += xr[j] * b[j];
                    sd[q] += wd * link_F(post_link(f), e);
                }
        }
        df_design_free(d);
        d = NULL;
    }
    *pbar = (double)(sp / sw);
    for (size_t j = 0; j < k; j++) J[j] = (double)(sj[j] / sw);
    if (s)
        for (size_t q = 0; q < s->nd; q++) pd[q] = (double)(sd[q] / sw);
cleanup:
    if (xr != x) free(xr);
    free(sj);
    free(sd);
    df_design_free(d);
    return rc;
}

/* ------------------------------------------------- context and helpers */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double v;
    size_t i;
} val_row;

static int cmp_val_row(const void *a, const void *b)
{
    const val_row *x = a, *y = b;
    if (x->v != y->v) return (x->v > y->v) - (x->v < y->v);
    return (x->i > y->i) - (x->i < y->i);
}

/* The basis rows: the first BASIS_ROWS fitted rows and the first fitted row
 * of every level of each factor() or string variable. The model's terms
 * are row-wise functions of the variables but for factor levels and the
 * columns dropped as collinear, so these rows give the fit's columns in
 * almost every case; cf_eval checks that they do and otherwise falls back
 * to all fitted rows. */
#define BASIS_ROWS 2048
static int ctx_basis(ctx *c, dyadfit_error *err)
{
    const df_design *d0 = c->f->design;
    const dyadfit_table *t = c->f->table;
    size_t n = d0->n, m = n < BASIS_ROWS ? n : BASIS_ROWS;
    unsigned char *in = df_calloc(n ? n : 1, 1);
    val_row *vr = NULL;
    if (!in) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < m; i++) in[i] = 1;
    for (size_t q = 0; q < c->need.n && m < n; q++) {
        const df_column *col = &t->cols[c->need.col[q]];
        if (col->type != DF_COL_STRING && !c->need.factor[q]) continue;
        if (!vr && !(vr = df_malloc(n, sizeof *vr))) {
            free(in);
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            size_t src = d0->rows[i];
            vr[i].v = col->type == DF_COL_STRING ? (double)col->code[src] : col->num[src];
            vr[i].i = i;
        }
        qsort(vr, n, sizeof *vr, cmp_val_row);
        for (size_t i = 0; i < n; i++)
            if ((i == 0 || vr[i].v != vr[i - 1].v) && !in[vr[i].i]) {
                in[vr[i].i] = 1;
                m++;
            }
    }
    free(vr);
    if (m * 2 < n) {
        if (!(c->basis = df_malloc(m, sizeof *c->basis))) {
            free(in);
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
        for (size_t i = 0, j = 0; i < n; i++)
            if (in[i]) c->basis[j++] = i;
    }
    c->nbasis = c->basis ? m : n;
    free(in);
    return DYADFIT_OK;
}

/* Profile values of the variables not named: mean or median over the
 * fitted rows (mean weighted by the model's weights, as Stata's atmeans),
 * factor() and string variables at their most frequent value. */
static int ctx_init(ctx *c, const df_post_fit *f, df_post_others others, dyadfit_error *err)
{
    int rc;
    memset(c, 0, sizeof *c);
    c->f = f;
    if (!f->design) return df_error(err, DYADFIT_ERR_USAGE, "the saved fit has no data attached");
    if ((rc = needed_vars(f, &c->need, err))) return rc;
    if ((rc = ctx_basis(c, err))) return rc;
    size_t n = f->design->n;
    c->num = df_calloc(c->need.n ? c->need.n : 1, sizeof *c->num);
    c->code = df_calloc(c->need.n ? c->need.n : 1, sizeof *c->code);
    if (!c->num || !c->code) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if (others == DF_POST_OBSERVED) return DYADFIT_OK;
    double *tmp = df_malloc(n ? n : 1, sizeof *tmp);
    if (!tmp) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t q = 0; q < c->need.n; q++) {
        const df_column *col = &f->table->cols[c->need.col[q]];
        for (size_t i = 0; i < n; i++) {
            size_t src = f->design->rows[i];
            tmp[i] = col->type == DF_COL_STRING ? (double)col->code[src] : col->num[src];
        }
        if (col->type == DF_COL_STRING || c->need.factor[q]) {
            /* mode: the most frequent value (the smallest on ties) */
            qsort(tmp, n, sizeof *tmp, cmp_double);
            double best = n ? tmp[0] : 0;
            size_t bestn = 0;
            for (size_t i = 0; i < n;) {
                size_t e = i;
                while (e < n && tmp[e] == tmp[i]) e++;
                if (e - i > bestn) {
                    bestn = e - i;
                    best = tmp[i];
                }
                i = e;
            }
            if (col->type == DF_COL_STRING) c->code[q] = (int32_t)best;
            else c->num[q] = best;
        } else if (others == DF_POST_MEDIAN) {
            qsort(tmp, n, sizeof *tmp, cmp_double);
            c->num[q] = n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
        } else {
            long double s = 0, sw = 0;
            for (size_t i = 0; i < n; i++) {
                double w = f->design->w ? f->design->w[i] : 1;
                s += w * tmp[i];
                sw += w;
            }
            c->num[q] = (double)(s / sw);
        }
    }
    free(tmp);
    return DYADFIT_OK;
}

static void ctx_free(ctx *c)
{
    free(c->basis);
    needset_free(&c->need);
    free(c->num);
    free(c->code);
}

/* Draws of beta from N(b, V) for the simulation method: b + L z with
 * L = Q diag(sqrt(max(lambda, 0))) from V's eigen-decomposition, which
 * also serves a positive semi-definite V (a two-way cluster variance). */
static int make_draws(const df_post_fit *f, const df_post_opts *o, double **B,
                      dyadfit_error *err)
{
    size_t k = f->k, nd = o->draws;
    int rc = DYADFIT_OK;
    gsl_matrix *V = gsl_matrix_alloc(k, k), *Q = gsl_matrix_alloc(k, k);
    gsl_vector *lam = gsl_vector_alloc(k);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(k);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *z = df_malloc(k, sizeof *z);
    *B = df_malloc(nd * k, sizeof **B);
    if (!V || !Q || !lam || !ws || !rng || !z || !*B) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) gsl_matrix_set(V, i, j, f->vcov[i * k + j]);
    if (gsl_eigen_symmv(V, lam, Q, ws)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "the variance matrix has no eigen-decomposition");
        goto cleanup;
    }
    gsl_rng_set(rng, o->seed);
    for (size_t q = 0; q < nd; q++) {
        for (size_t j = 0; j < k; j++) {
            double l = gsl_vector_get(lam, j);
            z[j] = gsl_ran_gaussian_ziggurat(rng, 1.0) * (l > 0 ? sqrt(l) : 0);
        }
        for (size_t i = 0; i < k; i++) {
            double s = f->coef[i];
            for (size_t j = 0; j < k; j++) s += gsl_matrix_get(Q, i, j) * z[j];
            (*B)[q * k + i] = s;
        }
    }
cleanup:
    gsl_matrix_free(V);
    gsl_matrix_free(Q);
    gsl_vector_free(lam);
    if (ws) gsl_eigen_symmv_free(ws);
    if (rng) gsl_rng_free(rng);
    free(z);
    if (rc) {
        free(*B);
        *B = NULL;
    }
    return rc;
}

/* Fills a row from the estimate and either the gradient (delta method:
 * se = sqrt(J'VJ), symmetric normal interval) or the draws (simulation:
 * se = sd of the draws, percentile interval). */
static int fill_row(df_post_row *row, const char *term, const char *contrast, double est,
                    const double *J, const double *draws, const df_post_fit *f,
                    const df_post_opts *o)
{
    double level = o->level > 0 ? o->level : f->level;
    double zq = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    size_t k = f->k;
    row->term = df_strdup(term);
    row->contrast = contrast ? df_strdup(contrast) : NULL;
    if (!row->term || (contrast && !row->contrast)) return -1;
    row->estimate = est;
    if (o->method == DF_POST_SIMULATION && draws) {
        size_t nd = o->draws;
        double *s = df_malloc(nd, sizeof *s);
        if (!s) return -1;
        memcpy(s, draws, nd * sizeof *s);
        gsl_sort(s, 1, nd);
        row->std_error = gsl_stats_sd(s, 1, nd);
        row->conf_low = gsl_stats_quantile_from_sorted_data(s, 1, nd, (1 - level) / 2);
        row->conf_high = gsl_stats_quantile_from_sorted_data(s, 1, nd, (1 + level) / 2);
        free(s);
    } else {
        long double v = 0;
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) v += (long double)J[i] * f->vcov[i * k + j] * J[j];
        row->std_error = sqrt((double)(v > 0 ? v : 0));
        if (post_link(f) == DF_POST_LINK_RISK) {
            /* a relative hazard: interval exp(log est +- z se(log est)),
             * se(log est) = se / est */
            double sl = row->std_error / est;
            row->conf_low = est * exp(-zq * sl);
            row->conf_high = est * exp(zq * sl);
        } else {
            row->conf_low = est - zq * row->std_error;
            row->conf_high = est + zq * row->std_error;
        }
    }
    /* a relative hazard is tested on the log scale: log(est) / se(log est) */
    row->statistic = post_link(f) == DF_POST_LINK_RISK ? log(est) * est / row->std_error
                                                  : est / row->std_error;
    row->p_value = erfc(fabs(row->statistic) * 0.70710678118654752440);
    return 0;
}

static int table_grow(df_post_table *t, size_t n, dyadfit_error *err)
{
    t->rows = df_calloc(n ? n : 1, sizeof *t->rows);
    if (!t->rows) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    return DYADFIT_OK;
}

static const char *others_name(df_post_others o)
{
    return o == DF_POST_OBSERVED ? "averaged over the fitted rows"
           : o == DF_POST_MEDIAN ? "at medians (factors at modes)"
                                 : "at means (factors at modes)";
}

static int set_note(df_post_table *t, const char *what, const df_post_fit *f,
                    const df_post_opts *o)
{
    char note[512];
    double level = o->level > 0 ? o->level : f->level;
    if (o->method == DF_POST_SIMULATION)
        snprintf(note, sizeof note,
                 "other variables %s; std.error and %g%% percentile interval from %zu draws of "
                 "the coefficients from N(b, V) (seed %lu); vce %s; n = %zu",
                 others_name(o->others), 100 * level, o->draws, o->seed,
                 f->vce ? f->vce : "?", f->design->n);
    else if (post_link(f) == DF_POST_LINK_RISK)
        snprintf(note, sizeof note,
                 "other variables %s; relative hazard exp(x'b) against covariates = 0 "
                 "(R predict.coxph type = \"risk\", reference = \"zero\"), hazard ratio "
                 "exp((xA - xB)'b); delta-method std.error; %g%% interval exp(log(est) +- z "
                 "se/est) on the log scale, z and p test log(est) = 0; vce %s; n = %zu",
                 others_name(o->others), 100 * level, f->vce ? f->vce : "?", f->design->n);
    else
        snprintf(note, sizeof note,
                 "other variables %s; delta-method std.error, symmetric %g%% interval on the "
                 "probability scale (as Stata's margins); vce %s; n = %zu",
                 others_name(o->others), 100 * level, f->vce ? f->vce : "?", f->design->n);
    t->what = df_strdup(what);
    t->note = df_strdup(note);
    return t->what && t->note ? 0 : -1;
}

static int check_opts(const df_post_opts *o, dyadfit_error *err)
{
    if (o->method == DF_POST_SIMULATION && (o->draws < 2 || o->draws > 10000000))
        return df_error(err, DYADFIT_ERR_USAGE, "draws must be between 2 and 10000000");
    if (o->level != 0 && !(o->level > 0 && o->level < 1))
        return df_error(err, DYADFIT_ERR_USAGE, "level %g is not between 0 and 1", o->level);
    return DYADFIT_OK;
}

/* ------------------------------------------------------------ predict */

int df_post_predict(const df_post_fit *f, const df_post_profile *prof, size_t nprof,
                    const df_post_opts *o, df_post_table *out, dyadfit_error *err)
{
    ctx c;
    double *J = NULL, *B = NULL, *pd = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if ((rc = refuse_survreg(f, err)) || (rc = check_opts(o, err)) ||
        (rc = ctx_init(&c, f, o->others, err)))
        goto cleanup;
    if (nprof == 0) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "no profile given (--at \"x=1 z=0\")");
        goto cleanup;
    }
    sim s = {0, NULL};
    if (o->method == DF_POST_SIMULATION) {
        if ((rc = make_draws(f, o, &B, err))) goto cleanup;
        s.nd = o->draws;
        s.B = B;
    }
    J = df_malloc(f->k, sizeof *J);
    pd = df_malloc(s.nd ? s.nd : 1, sizeof *pd);
    if (!J || !pd || (rc = table_grow(out, nprof, err))) {
        rc = rc ? rc : df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t p = 0; p < nprof; p++) {
        cf_spec cs = {o->others == DF_POST_OBSERVED, 1, c.num, c.code, &prof[p], (size_t)-1, 0, 0};
        double pbar;
        if ((rc = cf_eval(&c, &cs, s.nd ? &s : NULL, &pbar, J, pd, err))) goto cleanup;
        if (fill_row(&out->rows[out->n++], prof[p].text,
                     post_link(f) == DF_POST_LINK_RISK ? "exp(xb)" : "P(Y=1)", pbar, J, pd, f, o)) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
    }
    if (set_note(out, post_link(f) == DF_POST_LINK_RISK ? "Relative hazards (against covariates = 0)"
                                                   : "Predicted probabilities", f, o))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    ctx_free(&c);
    free(J);
    free(B);
    free(pd);
    if (rc) df_post_table_free(out);
    return rc;
}

/* Difference (ratio 0) or ratio (1) of two averages with their gradients
 * and draws: the gradient of a/b is (Ja b - a Jb) / b^2. */
static void combine(int ratio, double a, const double *Ja, const double *da, double b,
                    const double *Jb, const double *db, size_t k, size_t nd, double scale,
                    double *est, double *J, double *dd)
{
    if (ratio) {
        *est = a / b;
        for (size_t j = 0; j < k; j++) J[j] = (Ja[j] * b - a * Jb[j]) / (b * b);
        for (size_t q = 0; q < nd; q++) dd[q] = da[q] / db[q];
    } else {
        *est = (a - b) / scale;
        for (size_t j = 0; j < k; j++) J[j] = (Ja[j] - Jb[j]) / scale;
        for (size_t q = 0; q < nd; q++) dd[q] = (da[q] - db[q]) / scale;
    }
}

/* ---------------------------------------------------------------- dydx */

int df_post_dydx(const df_post_fit *f, const char *const *vars, size_t nvars,
                 const df_post_profile *prof, const df_post_opts *o, df_post_table *out,
                 dyadfit_error *err)
{
    ctx c;
    double *J1 = NULL, *J0 = NULL, *J = NULL, *B = NULL, *d1 = NULL, *d0 = NULL, *dd = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if ((rc = refuse_survreg(f, err))) goto cleanup;
    if (post_link(f) == DF_POST_LINK_RISK) {
        rc = df_error(err, DYADFIT_ERR_USAGE,
                      "--dydx is not available for a Cox fit: compare two profiles with --fd "
                      "--at A --at B (hazard ratio)");
        goto cleanup;
    }
    if ((rc = check_opts(o, err)) || (rc = ctx_init(&c, f, o->others, err))) goto cleanup;
    if (nvars == 0) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "no variable given (--dydx x,z)");
        goto cleanup;
    }
    sim s = {0, NULL};
    if (o->method == DF_POST_SIMULATION) {
        if ((rc = make_draws(f, o, &B, err))) goto cleanup;
        s.nd = o->draws;
        s.B = B;
    }
    size_t k = f->k, nd1 = s.nd ? s.nd : 1;
    J1 = df_malloc(k, sizeof *J1);
    J0 = df_malloc(k, sizeof *J0);
    J = df_malloc(k, sizeof *J);
    d1 = df_malloc(nd1, sizeof *d1);
    d0 = df_malloc(nd1, sizeof *d0);
    dd = df_malloc(nd1, sizeof *dd);
    if (!J1 || !J0 || !J || !d1 || !d0 || !dd || (rc = table_grow(out, nvars, err))) {
        rc = rc ? rc : df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    const df_design *des = f->design;
    for (size_t v = 0; v < nvars; v++) {
        size_t col = df_table_index(f->table, vars[v]);
        long q = col == (size_t)-1 ? -1 : need_find(&c.need, col);
        if (col == (size_t)-1 && !f->table_subset) {
            rc = df_error(err, DYADFIT_ERR_USAGE, "--dydx: unknown variable '%s' (not in %s)",
                          vars[v], f->data_used);
            goto cleanup;
        }
        if (q < 0) {
            rc = df_error(err, DYADFIT_ERR_USAGE, "--dydx: '%s' is not a variable of the model (%s)",
                          vars[v], f->formula);
            goto cleanup;
        }
        const df_column *cl = &f->table->cols[col];
        if (cl->type == DF_COL_STRING) {
            rc = df_error(err, DYADFIT_ERR_USAGE,
                          "--dydx: '%s' is a string variable: compare its values with --fd "
                          "--at \"%s=A\" --at \"%s=B\"", vars[v], vars[v], vars[v]);
            goto cleanup;
        }
        if (prof)
            for (size_t a = 0; a < prof->n; a++)
                if (strcmp(prof->a[a].var, vars[v]) == 0) {
                    rc = df_error(err, DYADFIT_ERR_USAGE,
                                  "--dydx %s: the variable is also set by --at \"%s\"", vars[v],
                                  prof->text);
                    goto cleanup;
                }
        /* binary 0/1 over the fitted rows: discrete change, else derivative */
        int binary = 1;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < des->n; i++) {
            double x = cl->num[des->rows[i]];
            if (x != 0 && x != 1) binary = 0;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
        }
        if (!binary && c.need.factor[q]) {
            rc = df_error(err, DYADFIT_ERR_USAGE,
                          "--dydx: '%s' enters the model as factor(): compare its levels with "
                          "--fd --at \"%s=A\" --at \"%s=B\"", vars[v], vars[v], vars[v]);
            goto cleanup;
        }
        /* floor of the step for x = 0: the mean |x| (or 1) */
        long double sa = 0;
        for (size_t i = 0; i < des->n; i++) sa += fabs(cl->num[des->rows[i]]);
        double hfloor = sa > 0 ? (double)(sa / des->n) : 1, p1, p0, est;
        (void)lo;
        (void)hi;
        cf_spec cs = {o->others == DF_POST_OBSERVED, hfloor, c.num, c.code, prof, col, !binary, 1};
        if ((rc = cf_eval(&c, &cs, s.nd ? &s : NULL, &p1, J1, d1, err))) goto cleanup;
        cs.mod_value = binary ? 0 : -1;
        if ((rc = cf_eval(&c, &cs, s.nd ? &s : NULL, &p0, J0, d0, err))) goto cleanup;
        combine(0, p1, J1, d1, p0, J0, d0, k, s.nd, 1, &est, J, dd);
        if (fill_row(&out->rows[out->n++], vars[v], binary ? "1 - 0" : "dY/dX", est, J, dd, f,
                     o)) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
    }
    if (set_note(out, o->others == DF_POST_OBSERVED ? "Average marginal effects"
                                                    : "Marginal effects at a profile", f, o))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    ctx_free(&c);
    free(J1);
    free(J0);
    free(J);
    free(B);
    free(d1);
    free(d0);
    free(dd);
    if (rc) df_post_table_free(out);
    return rc;
}

/* ------------------------------------------------------------------ fd */

int df_post_fd(const df_post_fit *f, const df_post_profile *a, const df_post_profile *b,
               const df_post_opts *o, df_post_table *out, dyadfit_error *err)
{
    ctx c;
    double *Ja = NULL, *Jb = NULL, *J = NULL, *B = NULL, *da = NULL, *db = NULL, *dd = NULL;
    char *term = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if ((rc = refuse_survreg(f, err)) || (rc = check_opts(o, err)) ||
        (rc = ctx_init(&c, f, o->others, err)))
        goto cleanup;
    sim s = {0, NULL};
    if (o->method == DF_POST_SIMULATION) {
        if ((rc = make_draws(f, o, &B, err))) goto cleanup;
        s.nd = o->draws;
        s.B = B;
    }
    size_t k = f->k, nd1 = s.nd ? s.nd : 1;
    Ja = df_malloc(k, sizeof *Ja);
    Jb = df_malloc(k, sizeof *Jb);
    J = df_malloc(k, sizeof *J);
    da = df_malloc(nd1, sizeof *da);
    db = df_malloc(nd1, sizeof *db);
    dd = df_malloc(nd1, sizeof *dd);
    term = df_malloc(strlen(a->text) + strlen(b->text) + 16, 1);
    if (!Ja || !Jb || !J || !da || !db || !dd || !term || (rc = table_grow(out, 2, err))) {
        rc = rc ? rc : df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    double pa, pb, est;
    cf_spec cs = {o->others == DF_POST_OBSERVED, 1, c.num, c.code, a, (size_t)-1, 0, 0};
    if ((rc = cf_eval(&c, &cs, s.nd ? &s : NULL, &pa, Ja, da, err))) goto cleanup;
    cs.prof = b;
    if ((rc = cf_eval(&c, &cs, s.nd ? &s : NULL, &pb, Jb, db, err))) goto cleanup;
    /* Cox: the hazard ratio alone (a difference of relative hazards has no
     * meaning of its own) */
    int cox = post_link(f) == DF_POST_LINK_RISK;
    for (int ratio = cox; ratio < 2; ratio++) {
        sprintf(term, "%s %s %s", a->text, ratio ? "/" : "-", b->text);
        combine(ratio, pa, Ja, da, pb, Jb, db, k, s.nd, 1, &est, J, dd);
        if (fill_row(&out->rows[out->n++], term,
                     cox ? "HR" : ratio ? "risk ratio" : "difference", est, J, dd, f, o)) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
    }
    if (set_note(out, cox ? "Hazard ratio between two profiles" : "First difference and risk ratio",
                 f, o))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    ctx_free(&c);
    free(Ja);
    free(Jb);
    free(J);
    free(B);
    free(da);
    free(db);
    free(dd);
    free(term);
    if (rc) df_post_table_free(out);
    return rc;
}

/* ------------------------------------------------- one profile's row */

int df_post_profile_x(const df_post_fit *f, const df_post_profile *p, const df_post_opts *o,
                      double *x, double *offset, dyadfit_error *err)
{
    ctx c;
    df_design *d = NULL;
    int rc;
    if (o->others == DF_POST_OBSERVED)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "a single profile needs --others mean or median, not observed");
    if ((rc = ctx_init(&c, f, o->others, err))) goto cleanup;
    cf_spec cs = {0, 1, c.num, c.code, p, (size_t)-1, 0, 0};
    rc = cf_block(&c, &cs, 0, 1, &d, err);
    if (rc == DYADFIT_ERR_SPEC && c.basis) {
        free(c.basis);
        c.basis = NULL;
        c.nbasis = f->design->n;
        rc = cf_block(&c, &cs, 0, 1, &d, err);
    }
    if (rc == DYADFIT_ERR_SPEC) rc = err->code = DYADFIT_ERR_USAGE;
    if (rc) goto cleanup;
    /* the profile row is the last one (cf_block checked that no row was lost) */
    size_t r = d->n - 1;
    for (size_t j = 0; j < f->design->k; j++) x[j] = d->X[j * d->n + r];
    *offset = d->offset ? d->offset[r] : 0;
cleanup:
    df_design_free(d);
    ctx_free(&c);
    return rc;
}
