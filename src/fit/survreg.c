/*
 * survreg.c -- Weibull and exponential regression by Newton-Raphson with
 * the analytic gradient and observed information (see survreg.h).
 *
 * Every row's contribution depends on the coefficients only through its
 * linear predictor eta = x'beta + offset, so one pass computes, per row,
 * the derivatives of l_i with respect to eta and the ancillary parameter
 * (tau = log sigma for AFT, theta = ln p for PH) and accumulates
 * gradient = sum w_i dl_i/deta x_i and information = -sum w_i (second
 * derivatives) (x_i, 1)(x_i, 1)'.
 *
 * AFT (survreg), z = (log t - eta)/sigma, e = exp(z); truncation at a > 0
 * adds + exp(za), za = (log a - eta)/sigma:
 *   l = d (-tau + z - log t) - e + ea
 * PH (streg), u = exp(p log t + eta), ua = exp(p log a + eta):
 *   l = d (theta + (p - 1) log t + eta) - u + ua
 * Without truncation the ea / ua terms (and their za, log a factors) are
 * exactly 0: they are skipped rather than computed as 0 * -inf.
 *
 * Both metrics are fitted directly in their own parameters: at the
 * maximum the two are related by the (exact) reparameterisation
 * g = -b/sigma, ln p = -log sigma, and observed-information and sandwich
 * variances transform by the delta method, so fitting in the metric asked
 * for gives streg's delta-method standard errors without a Jacobian.
 * The PH log-likelihood is jointly concave in (g, p) without truncation,
 * which keeps Newton well behaved from a crude start.
 *
 * Strata (survreg's strata(), AFT Weibull): row i uses the ancillary
 * parameter k + s_i, so the information's ancillary block is diagonal and
 * each row touches one ancillary column. A stratum without events has its
 * sup at sigma_s -> infinity (or 0); one with a single row is unbounded
 * (its row fitted exactly as sigma_s -> 0): both are refused before the
 * fit, where survreg returns a meaningless scale.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "survreg.h"
#include "../util/util.h"

void df_survreg_defaults(df_survreg_data *d)
{
    memset(d, 0, sizeof *d);
    d->dist = DF_SURV_WEIBULL;
    d->metric = DF_SURV_AFT;
    df_newton_defaults(&d->newton);
}

void df_survreg_fit_free(df_survreg_fit *f)
{
    if (!f) return;
    free(f->theta);
    free(f->info);
    free(f->scorew);
    memset(f, 0, sizeof *f);
}

typedef struct {
    const df_survreg_data *d;
    size_t npar;              /* k + (Weibull: 1, or nstrata) */
    double *logt, *loga;      /* n; loga[i] = -inf when start is 0 */
    double *scores;           /* when non-NULL, eval fills n x npar */
} ctx_t;

/* Derivatives of one row's log-likelihood: with respect to eta (ge, hee),
 * the ancillary parameter (ga, haa) and the cross term (hea). */
typedef struct { double ll, ge, ga, hee, hea, haa; } rowd;

static rowd row_aft(double d, double L, double La, double eta, double tau, int weib)
{
    rowd r;
    double sig = weib ? exp(tau) : 1.0;
    double z = (L - eta) / sig, e = exp(z);
    double za = 0, ea = 0;
    if (isfinite(La)) { za = (La - eta) / sig; ea = exp(za); }
    r.ll = d * ((weib ? -tau : 0) + z - L) - e + ea;
    r.ge = -(d - e + ea) / sig;
    r.hee = -(e - ea) / (sig * sig);
    r.ga = -d - z * (d - e) - za * ea;
    r.hea = (d - e + ea - e * z + ea * za) / sig;
    r.haa = z * (d - e) - z * z * e + za * ea + za * za * ea;
    return r;
}

static rowd row_ph(double d, double L, double La, double eta, double th, int weib)
{
    rowd r;
    double p = weib ? exp(th) : 1.0;
    double pL = p * L, u = exp(pL + eta);
    double pLa = 0, ua = 0;
    if (isfinite(La)) { pLa = p * La; ua = exp(pLa + eta); }
    r.ll = d * ((weib ? th : 0) + (p - 1) * L + eta) - u + ua;
    r.ge = d - u + ua;
    r.hee = -(u - ua);
    r.ga = d * (1 + pL) - u * pL + ua * pLa;
    r.hea = -u * pL + ua * pLa;
    r.haa = d * pL - u * pL - u * pL * pL + ua * pLa + ua * pLa * pLa;
    return r;
}

/* Every stratum id in range; every stratum with two rows or more and an
 * event (see the header comment for why). */
static int check_strata(const df_survreg_data *d, size_t ns, dyadfit_error *err)
{
    size_t *cnt = df_calloc(2 * ns, sizeof *cnt);   /* rows, then events */
    int rc = DYADFIT_OK;
    if (!cnt) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (%zu strata)", ns);
    for (size_t i = 0; i < d->n && !rc; i++) {
        if (d->strata[i] >= ns)
            rc = df_error(err, DYADFIT_ERR_DATA, "row %zu: stratum id %zu is not below "
                          "the %zu strata", i + 1, d->strata[i], ns);
        else {
            cnt[d->strata[i]]++;
            if (d->event[i] == 1) cnt[ns + d->strata[i]]++;
        }
    }
    for (size_t s = 0; s < ns && !rc; s++) {
        if (cnt[s] == 0)
            rc = df_error(err, DYADFIT_ERR_DATA, "stratum %zu has no rows", s + 1);
        else if (cnt[s] == 1 && cnt[ns + s] == 1)
            rc = df_error(err, DYADFIT_ERR_ESTIM, "stratum %zu has a single observation: "
                          "with its own scale the likelihood is unbounded", s + 1);
        else if (cnt[ns + s] == 0)
            rc = df_error(err, DYADFIT_ERR_ESTIM, "stratum %zu has no events (%zu row%s, all "
                          "censored): its scale cannot be estimated", s + 1, cnt[s],
                          cnt[s] == 1 ? "" : "s");
    }
    free(cnt);
    return rc;
}

static int eval(void *vc, const double *beta, double *loglik, double *grad, double *info)
{
    ctx_t *c = vc;
    const df_survreg_data *d = c->d;
    size_t n = d->n, k = d->k, K = c->npar;
    int weib = d->dist == DF_SURV_WEIBULL;
    double ll = 0;
    if (grad) memset(grad, 0, K * sizeof *grad);
    if (info) memset(info, 0, K * K * sizeof *info);
    for (size_t i = 0; i < n; i++) {
        size_t ja = k + (d->strata ? d->strata[i] : 0);   /* this row's ancillary */
        double anc = weib ? beta[ja] : 0;
        double eta = d->offset ? d->offset[i] : 0;
        for (size_t j = 0; j < k; j++) eta += d->X[j * n + i] * beta[j];
        rowd r = d->metric == DF_SURV_AFT ? row_aft(d->event[i], c->logt[i], c->loga[i], eta, anc, weib)
                                          : row_ph(d->event[i], c->logt[i], c->loga[i], eta, anc, weib);
        double w = d->weights ? d->weights[i] : 1.0;
        if (!isfinite(r.ll) || !isfinite(r.ge) || !isfinite(r.hee) ||
            (weib && (!isfinite(r.ga) || !isfinite(r.hea) || !isfinite(r.haa))))
            return 1;
        ll += w * r.ll;
        if (c->scores) {
            for (size_t j = 0; j < k; j++) c->scores[j * n + i] = w * r.ge * d->X[j * n + i];
            if (weib)
                for (size_t j = k; j < K; j++) c->scores[j * n + i] = j == ja ? w * r.ga : 0;
        }
        if (grad) {
            for (size_t j = 0; j < k; j++) grad[j] += w * r.ge * d->X[j * n + i];
            if (weib) grad[ja] += w * r.ga;
        }
        if (info) {
            /* lower triangle here, mirrored below */
            for (size_t a = 0; a < k; a++) {
                double xa = -w * r.hee * d->X[a * n + i];
                for (size_t b = a; b < k; b++) info[a * K + b] += xa * d->X[b * n + i];
                if (weib) info[a * K + ja] -= w * r.hea * d->X[a * n + i];
            }
            if (weib) info[ja * K + ja] -= w * r.haa;
        }
    }
    if (info)
        for (size_t a = 0; a < K; a++)
            for (size_t b = a + 1; b < K; b++) info[b * K + a] = info[a * K + b];
    *loglik = ll;
    return isfinite(ll) ? 0 : 1;
}

int df_survreg(const df_survreg_data *d, df_survreg_fit *out, dyadfit_error *err)
{
    ctx_t c;
    int rc = DYADFIT_OK;
    size_t n = d->n, k = d->k;
    int weib = d->dist == DF_SURV_WEIBULL;
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if (k == 0) return df_error(err, DYADFIT_ERR_SPEC, "survival regression needs at least one column (the intercept)");
    if (n == 0) return df_error(err, DYADFIT_ERR_DATA, "no observations");
    size_t ns = d->strata ? d->nstrata : 1;
    if (ns == 0) return df_error(err, DYADFIT_ERR_SPEC, "strata given with nstrata = 0");
    if (ns > 1 && !weib)
        return df_error(err, DYADFIT_ERR_SPEC, "the exponential model has no scale to "
                        "vary by stratum (its scale is fixed at 1)");
    if (ns > 1 && d->metric == DF_SURV_PH)
        return df_error(err, DYADFIT_ERR_SPEC, "stratum-specific scales have no single "
                        "proportional-hazards metric (the hazard ratios exp(-b/scale) "
                        "differ by stratum)");
    c.d = d;
    c.npar = k + (weib ? ns : 0);
    size_t K = c.npar;

    double sw_t = 0, sw_d = 0;
    for (size_t i = 0; i < n; i++) {
        double a = d->start ? d->start[i] : 0, t = d->stop[i], ev = d->event[i];
        double w = d->weights ? d->weights[i] : 1.0;
        if (!isfinite(t) || !isfinite(a) || !isfinite(ev) || !isfinite(w) ||
            (d->offset && !isfinite(d->offset[i])))
            return df_error(err, DYADFIT_ERR_DATA, "row %zu: a value is not finite", i + 1);
        for (size_t j = 0; j < k; j++)
            if (!isfinite(d->X[j * n + i]))
                return df_error(err, DYADFIT_ERR_DATA, "row %zu: covariate %zu is not finite", i + 1, j + 1);
        if (a < 0)
            return df_error(err, DYADFIT_ERR_DATA, "row %zu: start time %g is negative", i + 1, a);
        if (!(t > 0))
            return df_error(err, DYADFIT_ERR_DATA, "row %zu: survival time %g is not positive (Weibull and exponential models need t > 0)", i + 1, t);
        if (!(t > a))
            return df_error(err, DYADFIT_ERR_DATA, "row %zu: stop time %g is not after the start time %g", i + 1, t, a);
        if (ev != 0 && ev != 1)
            return df_error(err, DYADFIT_ERR_DATA, "row %zu: event %g is not 0 or 1", i + 1, ev);
        if (!(w > 0))
            return df_error(err, DYADFIT_ERR_DATA, "row %zu: weight %g is not positive", i + 1, w);
        sw_t += w * (t - a);
        sw_d += w * ev;
        if (ev == 1) out->nevents++;
        if (a > 0) out->truncated = 1;
    }
    if (out->nevents == 0)
        return df_error(err, DYADFIT_ERR_ESTIM, "no events: every observation is censored");
    if (ns > 1 && (rc = check_strata(d, ns, err))) return rc;

    c.logt = df_malloc(n, sizeof *c.logt);
    c.loga = df_malloc(n, sizeof *c.loga);
    out->theta = df_calloc(K, sizeof *out->theta);
    out->info = df_malloc(K * K, sizeof *out->info);
    out->scorew = df_malloc(n * K, sizeof *out->scorew);
    double *grad = df_malloc(K, sizeof *grad);
    if (!c.logt || !c.loga || !out->theta || !out->info || !out->scorew || !grad) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (survival regression, n = %zu)", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        double a = d->start ? d->start[i] : 0;
        c.logt[i] = log(d->stop[i]);
        c.loga[i] = a > 0 ? log(a) : -INFINITY;
    }

    /* Start: the exponential model's constant hazard events / exposure put
     * on an intercept-like column if there is one (a column of ones),
     * the rest 0, sigma = 1. */
    double lam = log(sw_d / sw_t);
    for (size_t j = 0; j < k; j++) {
        int ones = 1;
        for (size_t i = 0; i < n && ones; i++) ones = d->X[j * n + i] == 1.0;
        if (ones) { out->theta[j] = d->metric == DF_SURV_PH ? lam : -lam; break; }
    }
    df_newton_status st;
    if ((rc = df_newton(eval, &c, K, out->theta, &d->newton, &st, err))) goto cleanup;
    c.scores = out->scorew;
    if (eval(&c, out->theta, &out->loglik, grad, out->info)) {
        rc = df_error(err, DYADFIT_ERR_ESTIM, "the log-likelihood cannot be evaluated at the estimates");
        goto cleanup;
    }
    out->n = n;
    out->k = K;
    out->iterations = st.iterations;
    out->converged = st.converged;
    out->max_gradient = 0;
    for (size_t j = 0; j < K; j++)
        if (fabs(grad[j]) > out->max_gradient) out->max_gradient = fabs(grad[j]);
    snprintf(out->message, sizeof out->message, "%s", st.message);
cleanup:
    free(c.logt);
    free(c.loga);
    free(grad);
    if (rc) df_survreg_fit_free(out);
    return rc;
}
