/*
 * survreg_post.c -- predictions from a saved Weibull or exponential fit at
 * profiles: the linear predictor, the median survival time and S(t | x),
 * with delta-method standard errors and intervals.
 *
 * Parameters theta as saved: the coefficients of z = (1, x) (b in the AFT
 * metric, g in the PH metric), then the scale parameters: log sigma_s
 * (AFT; one per stratum with strata()) or ln p (PH, p = 1 / sigma); none
 * for the exponential model (sigma = p = 1). With lp = z'theta + offset
 * and c = log(log 2):
 *
 *   AFT (survreg): S(t) = exp(-exp(u)), u = (log t - lp) / sigma
 *     median: log m = lp + sigma c     d/db = z,    d/dlog sigma = sigma c
 *     u:                               d/db = -z/sigma, d/dlog sigma = -u
 *   PH (streg): S(t) = exp(-exp(lp) t^p), u = lp + p log t
 *     median: log m = (c - lp) / p     d/dg = -z/p, d/dln p = -log m
 *     u:                               d/dg = z,    d/dln p = p log t
 *
 * The median and S(t) are the same numbers in both metrics (one model),
 * and so are their delta-method errors (the saved PH variance is the
 * delta-method transform of the AFT one). Variance J'VJ with V the saved
 * variance matrix. Intervals: lp +- z se; the median on the log scale,
 * exp(log m +- z se(log m)), std.error m se(log m) (survreg's predict
 * type = "quantile" se.fit); S on the log(-log S) = u scale, as the Cox
 * curve (cox_post.c), std.error S H se(u) with H = exp(u).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include "survreg_post.h"
#include "../util/util.h"

/* ------------------------------------------------------------ metric */

/* The saved JSON's text, or NULL. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int bad = 0;
    for (;;) {
        if (len + 4097 > cap) {
            size_t nc = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, nc);
            if (!nb) {
                bad = 1;
                break;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) break;
    }
    bad |= ferror(fp) || !buf;
    fclose(fp);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

int df_post_survreg_metric(const df_post_fit *f)
{
    for (size_t j = 0; j < f->k; j++) {
        if (strncmp(f->terms[j], "Log(scale", 9) == 0) return 1;
        if (strcmp(f->terms[j], "/ln_p") == 0) return 0;
    }
    char *text = f->json_path ? slurp(f->json_path) : NULL;
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    int aft = -1;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *met = cJSON_GetObjectItemCaseSensitive(m, "metric");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(root, "subtitle");
    if (cJSON_IsString(met))
        aft = !strcmp(met->valuestring, "aft") ? 1 : !strcmp(met->valuestring, "ph") ? 0 : -1;
    else if (cJSON_IsString(sub))
        aft = strstr(sub->valuestring, "accelerated failure time") ? 1
              : strstr(sub->valuestring, "proportional hazards") ? 0 : -1;
    cJSON_Delete(root);
    free(text);
    return aft;
}

/* ---------------------------------------------------------- one row */

/* J'VJ over the K parameters */
static double quad(const df_post_fit *f, const double *J)
{
    size_t K = f->k;
    long double v = 0;
    for (size_t i = 0; i < K; i++) {
        if (J[i] == 0) continue;
        for (size_t j = 0; j < K; j++) v += (long double)J[i] * f->vcov[i * K + j] * J[j];
    }
    return v > 0 ? (double)v : 0;
}

static int set_row(df_post_row *row, const char *term, const char *contrast, double est,
                   double se, double lo, double hi, double stat)
{
    if (!(row->term = df_strdup(term)) || !(row->contrast = df_strdup(contrast))) return -1;
    row->estimate = est;
    row->std_error = se;
    row->conf_low = lo;
    row->conf_high = hi;
    row->statistic = stat;
    row->p_value = isnan(stat) ? NAN : erfc(fabs(stat) * 0.70710678118654752440);
    return 0;
}

/* The stratum label inside "Log(scale[LABEL])", or "" for one scale. */
static const char *scale_label(const char *term, char *buf, size_t size)
{
    const char *a = strchr(term, '[');
    size_t len = a ? strlen(a + 1) : 0;
    if (!a || len < 2 || strcmp(a + len - 1, "])") != 0) return "";
    snprintf(buf, size, "%.*s", (int)(len - 2), a + 1);
    return buf;
}

/* ---------------------------------------------------------- predict */

typedef struct {
    const df_post_fit *f;
    int aft;
    size_t kx, nscale;
    double zq;
    df_post_table *out;
    size_t cap;
    double *J;                /* K */
} sctx;

static df_post_row *next_row(sctx *c)
{
    if (c->out->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 16;
        df_post_row *r = realloc(c->out->rows, nc * sizeof *r);
        if (!r) return NULL;
        memset(r + c->cap, 0, (nc - c->cap) * sizeof *r);
        c->out->rows = r;
        c->cap = nc;
    }
    return &c->out->rows[c->out->n++];
}

/* Rows for one profile (z = (1, x), lp): see survreg_post.h. */
static int profile_rows(sctx *c, const char *ptext, const double *z, double lp, int survival,
                        const double *times, size_t ntimes)
{
    const df_post_fit *f = c->f;
    size_t kx = c->kx, K = f->k;
    double *J = c->J;
    char term[1400], lab[1100], con[64];
    df_post_row *row;
    if (!survival) {
        for (size_t j = 0; j < K; j++) J[j] = j < kx ? z[j] : 0;
        double se = sqrt(quad(f, J));
        if (!(row = next_row(c)) ||
            set_row(row, ptext, "xb", lp, se, lp - c->zq * se, lp + c->zq * se, lp / se))
            return -1;
    }
    const double cc = log(log(2.0));
    size_t ns = c->nscale ? c->nscale : 1;
    for (size_t s = 0; s < ns; s++) {
        double th = c->nscale ? f->coef[kx + s] : 0;
        const char *l = c->nscale > 1 ? scale_label(f->terms[kx + s], lab, sizeof lab) : "";
        snprintf(term, sizeof term, "%s%s%s", ptext, *l ? " | " : "", l);
        /* sigma (AFT) or p (PH) */
        double sg = exp(th);
        if (!survival) {
            double lm = c->aft ? lp + sg * cc : (cc - lp) / sg;
            for (size_t j = 0; j < K; j++) J[j] = 0;
            for (size_t j = 0; j < kx; j++) J[j] = c->aft ? z[j] : -z[j] / sg;
            if (c->nscale) J[kx + s] = c->aft ? sg * cc : -lm;
            double sl = sqrt(quad(f, J)), m = exp(lm);
            if (!(row = next_row(c)) ||
                set_row(row, term, "median", m, m * sl, exp(lm - c->zq * sl),
                        exp(lm + c->zq * sl), NAN))
                return -1;
            continue;
        }
        for (size_t q = 0; q < ntimes; q++) {
            double t = times[q];
            snprintf(con, sizeof con, "S(t=%.10g)", t);
            if (!(row = next_row(c))) return -1;
            if (t <= 0) {
                /* S(0) = 1 exactly: no interval */
                if (set_row(row, term, con, 1, 0, NAN, NAN, NAN)) return -1;
                continue;
            }
            double lt = log(t);
            double u = c->aft ? (lt - lp) / sg : lp + sg * lt;
            for (size_t j = 0; j < K; j++) J[j] = 0;
            for (size_t j = 0; j < kx; j++) J[j] = c->aft ? -z[j] / sg : z[j];
            if (c->nscale) J[kx + s] = c->aft ? -u : sg * lt;
            double su = sqrt(quad(f, J)), H = exp(u), S = exp(-H);
            if (set_row(row, term, con, S, S * H * su, exp(-exp(u + c->zq * su)),
                        exp(-exp(u - c->zq * su)), NAN))
                return -1;
        }
    }
    return 0;
}

int df_post_survreg_predict(const df_post_fit *f, const df_post_profile *prof, size_t nprof,
                            int survival, const double *times, size_t ntimes,
                            const df_post_opts *o, df_post_table *out, dyadfit_error *err)
{
    sctx c;
    double *z = NULL;
    int rc = DYADFIT_OK;

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if (f->est != DYADFIT_WEIBULL && f->est != DYADFIT_EXPONENTIAL)
        return df_error(err, DYADFIT_ERR_SPEC, "saved fit '%s' is %s, not a Weibull or "
                        "exponential fit", f->json_path, f->estimator);
    if (!f->design)
        return df_error(err, DYADFIT_ERR_USAGE, "the saved fit has no data attached");
    if (o->method == DF_POST_SIMULATION)
        return df_error(err, DYADFIT_ERR_USAGE, "%s fits: intervals by the delta method only "
                        "(no --method simulation)", f->estimator);
    if (o->others == DF_POST_OBSERVED)
        return df_error(err, DYADFIT_ERR_USAGE, "%s fits: predictions at a profile need "
                        "--others mean or median, not observed", f->estimator);
    if (nprof == 0)
        return df_error(err, DYADFIT_ERR_USAGE, "no profile given (--at \"x=1 z=0\")");
    if (survival && ntimes == 0)
        return df_error(err, DYADFIT_ERR_USAGE, "--survival for a %s fit needs --times "
                        "(e.g. --times 1,5,10): the curve is continuous", f->estimator);
    for (size_t i = 0; survival && i < ntimes; i++)
        if (!(times[i] >= 0) || !isfinite(times[i]) || (i && times[i] <= times[i - 1]))
            return df_error(err, DYADFIT_ERR_USAGE, "--times: %g (time %zu) is %s; give "
                            "times >= 0 in increasing order", times[i], i + 1,
                            !(times[i] >= 0) || !isfinite(times[i])
                                ? "negative or not finite" : "not larger than the one before");
    if (o->level != 0 && !(o->level > 0 && o->level < 1))
        return df_error(err, DYADFIT_ERR_USAGE, "level %g is not between 0 and 1", o->level);
    c.f = f;
    c.out = out;
    c.kx = f->design->k + 1;
    c.nscale = f->k - c.kx;
    if ((c.aft = df_post_survreg_metric(f)) < 0)
        return df_error(err, DYADFIT_ERR_SPEC, "saved fit '%s': cannot tell its metric (AFT or "
                        "PH): no scale parameter and no subtitle naming it", f->json_path);
    double level = o->level > 0 ? o->level : f->level;
    c.zq = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    if (!(z = df_malloc(c.kx, sizeof *z)) || !(c.J = df_malloc(f->k, sizeof *c.J))) goto oom;
    for (size_t p = 0; p < nprof; p++) {
        double off;
        z[0] = 1;
        if ((rc = df_post_profile_x(f, &prof[p], o, z + 1, &off, err))) goto cleanup;
        long double lp = off;
        for (size_t j = 0; j < c.kx; j++) lp += (long double)z[j] * f->coef[j];
        if (profile_rows(&c, prof[p].text, z, (double)lp, survival, times, ntimes)) goto oom;
    }
    char note[700];
    snprintf(note, sizeof note,
             "other variables %s; %s metric (%s); %s; delta-method std.error with the saved %s "
             "variance; %g%% interval %s; n = %zu",
             o->others == DF_POST_MEDIAN ? "at medians (factors at modes)"
                                         : "at means (factors at modes)",
             c.aft ? "AFT" : "PH", c.aft ? "survreg" : "streg",
             survival ? (c.aft ? "S(t | x) = exp(-(t / exp(xb))^(1/scale))"
                               : "S(t | x) = exp(-exp(xb) t^p)")
                      : (c.aft ? "xb = predict(type = \"lp\"), median = predict(type = "
                                 "\"quantile\", p = 0.5)"
                               : "xb = log relative hazard (streg's xb), median = "
                                 "(log 2 / exp(xb))^(1/p)"),
             f->vce ? f->vce : "?", 100 * level,
             survival ? "on the log(-log S) scale" : "xb +- z se, the median's on the log scale",
             f->design->n);
    if (!(out->what = df_strdup(survival ? (f->est == DYADFIT_WEIBULL ? "Survival at profiles (Weibull)"
                                                                    : "Survival at profiles (exponential)")
                                         : (f->est == DYADFIT_WEIBULL ? "Linear predictor and median survival time (Weibull)"
                                                                    : "Linear predictor and median survival time (exponential)"))) ||
        !(out->note = df_strdup(note)))
        goto oom;
    goto cleanup;
oom:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    free(z);
    free(c.J);
    if (rc) df_post_table_free(out);
    return rc;
}
