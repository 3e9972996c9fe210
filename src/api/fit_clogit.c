/*
 * fit_clogit.c -- conditional logit (clogit, --group) and logit with
 * absorbed fixed effects (felogit, --absorb) through the public API.
 *
 * Both: the intercept is dropped (it cancels within groups / is absorbed);
 *   groups with no variation in the outcome are dropped (for two absorbed
 *   factors repeatedly, as fixest does, until every level of both varies),
 *   counted in a note and in nrows_dropped; a column constant within every
 *   group (or, for two factors, in the span of both sets of dummies) is not
 *   identified and dropped with a note, as Stata does; so is a column
 *   collinear with others once the groups are partialled out.
 * clogit variance: the score belongs to the group, so robust is the
 *   sandwich over group scores (clustering on the group, as Stata's clogit
 *   vce(robust); c = G/(G-1) under the stata preset) and cluster sums the
 *   group scores within clusters, which must nest the groups.
 *   survival::clogit(..., cluster = g) is the hc0 preset.
 * felogit variance: information with the fixed effects profiled out; scores
 *   (y - mu) x~ with x~ the columns with the effects partialled out (weights
 *   mu(1 - mu)), as fixest. fixest's ssc(adj = FALSE, cluster.adj = TRUE)
 *   is the stata preset for cluster, ssc(adj = FALSE, cluster.adj = FALSE)
 *   hc0; loglik0 is the fixed-effects-only model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "checks.h"
#include "../fit/clogit.h"

/* Drops the rows of groups without variation in y, for each factor, until
 * none is left (one pass for a single factor). */
static int drop_novar(df_design *d, const char *const name[2], dyadfit_result *r,
                      dyadfit_error *err)
{
    size_t gdrop[2] = {0, 0}, rdrop[2] = {0, 0}, ng0[2] = {d->ngroup[0], d->ngroup[1]};
    int rc = DYADFIT_OK;
    unsigned char *keep = NULL;
    double *sy = NULL;
    size_t *cnt = NULL;
    for (int pass = 0;; pass++) {
        size_t ndrop = 0;
        free(keep); free(sy); free(cnt);
        keep = df_malloc(d->n, 1);
        size_t mx = d->ngroup[0] > d->ngroup[1] ? d->ngroup[0] : d->ngroup[1];
        sy = df_calloc(mx, sizeof *sy);
        cnt = df_calloc(mx, sizeof *cnt);
        if (!keep || !sy || !cnt) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto done;
        }
        memset(keep, 1, d->n);
        for (int c = 0; c < 2; c++) {
            if (!d->group[c]) continue;
            memset(sy, 0, d->ngroup[c] * sizeof *sy);
            memset(cnt, 0, d->ngroup[c] * sizeof *cnt);
            for (size_t i = 0; i < d->n; i++) {
                sy[d->group[c][i]] += d->y[i];
                cnt[d->group[c][i]]++;
            }
            for (size_t g = 0; g < d->ngroup[c]; g++)
                if (sy[g] == 0 || sy[g] == (double)cnt[g]) gdrop[c]++;
            for (size_t i = 0; i < d->n; i++) {
                size_t g = d->group[c][i];
                if ((sy[g] == 0 || sy[g] == (double)cnt[g]) && keep[i]) {
                    keep[i] = 0;
                    rdrop[c]++;
                    ndrop++;
                }
            }
        }
        if (!ndrop) break;
        if (ndrop == d->n) {
            if (pass == 0 && !d->group[1])
                rc = df_error(err, DYADFIT_ERR_DATA, "no group of '%s' has variation "
                              "in the outcome '%s' (all %zu groups are all 0 or all "
                              "1); the model is not identified", name[0],
                              d->response, ng0[0]);
            else
                rc = df_error(err, DYADFIT_ERR_DATA, "no rows left: dropping the "
                              "groups of %s%s%s without variation in the outcome "
                              "'%s' leaves none", name[0], d->group[1] ? " and " : "",
                              d->group[1] ? name[1] : "", d->response);
            goto done;
        }
        if ((rc = df_design_subset(d, keep, NULL, err))) goto done;
        if (!d->group[1]) break;
    }
    for (int c = 0; c < 2; c++)
        if (gdrop[c])
            df_api_note(r, "%zu groups of %s (%zu rows) with no variation in the "
                        "outcome dropped", gdrop[c], name[c], rdrop[c]);
    r->nrows_dropped += rdrop[0] + rdrop[1];
done:
    free(keep);
    free(sy);
    free(cnt);
    return rc;
}

/* Residual of x on the group dummies (one factor: exact; two: alternating
 * projections to a tight tolerance, enough to tell zero from non-zero). */
static void demean(const df_design *d, double *x, double *sum, size_t *cnt)
{
    int nf = d->group[1] ? 2 : 1;
    double x2 = 0;
    for (size_t i = 0; i < d->n; i++) x2 += x[i] * x[i];
    for (int it = 0; it < (nf == 1 ? 1 : 2000); it++) {
        double change = 0;
        for (int c = 0; c < nf; c++) {
            const size_t *g = d->group[c];
            memset(sum, 0, d->ngroup[c] * sizeof *sum);
            memset(cnt, 0, d->ngroup[c] * sizeof *cnt);
            for (size_t i = 0; i < d->n; i++) { sum[g[i]] += x[i]; cnt[g[i]]++; }
            for (size_t q = 0; q < d->ngroup[c]; q++) {
                sum[q] /= (double)cnt[q];
                change += sum[q] * sum[q] * (double)cnt[q];
            }
            for (size_t i = 0; i < d->n; i++) x[i] -= sum[g[i]];
        }
        if (change <= 1e-26 * x2) break;
    }
}

/* Drops the intercept and the columns not identified given the groups. */
static int check_columns(df_design *d, const char *what, dyadfit_result *r,
                         dyadfit_error *err)
{
    size_t n = d->n, k = d->k;
    int rc = DYADFIT_OK;
    unsigned char *keepcol = df_malloc(k, 1), *drop = NULL;
    double *Xt = df_malloc(n, k * sizeof *Xt), *sum = NULL;
    size_t *cnt = NULL, mx = d->ngroup[0] > d->ngroup[1] ? d->ngroup[0] : d->ngroup[1];
    sum = df_malloc(mx, sizeof *sum);
    cnt = df_malloc(mx, sizeof *cnt);
    drop = df_malloc(k, 1);
    if (!keepcol || !Xt || !sum || !cnt || !drop) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto done;
    }
    size_t kept = 0, kt = 0;
    size_t *map = cnt;   /* reused below only after demeaning */
    (void)map;
    for (size_t j = 0; j < k; j++) {
        keepcol[j] = !(d->intercept && j == 0);
        if (!keepcol[j]) continue;
        double *x = Xt + kt * n, x2 = 0, r2 = 0;
        memcpy(x, d->X + j * n, n * sizeof *x);
        for (size_t i = 0; i < n; i++) x2 += x[i] * x[i];
        demean(d, x, sum, cnt);
        for (size_t i = 0; i < n; i++) r2 += x[i] * x[i];
        if (!(r2 > 1e-18 * x2)) {
            keepcol[j] = 0;
            df_api_note(r, "%s dropped: constant within %s (not identified)",
                        d->terms[j], what);
            continue;
        }
        kt++;
    }
    /* collinearity among the demeaned columns */
    if (kt > 1) {
        if ((rc = df_design_find_collinear(Xt, n, kt, drop, err))) goto done;
        for (size_t j = 0, t = 0; j < k; j++) {
            if (!keepcol[j]) continue;
            if (drop[t++]) {
                keepcol[j] = 0;
                df_api_note(r, "%s dropped: collinear with other terms given the "
                            "groups of %s", d->terms[j], what);
            }
        }
    }
    for (size_t j = 0; j < k; j++) kept += keepcol[j];
    if (kept == 0) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "%s: no covariate varies within the "
                      "groups of %s; nothing to estimate",
                      df_estimator_name(r->estimator), what);
        goto done;
    }
    if (kept < k) rc = df_design_subset(d, NULL, keepcol, err);
    d->intercept = 0;
done:
    free(keepcol);
    free(drop);
    free(Xt);
    free(sum);
    free(cnt);
    return rc;
}

/* clogit variance from group-level scores: robust = sandwich over groups;
 * cluster = group scores summed within clusters that nest the groups. */
static int clogit_vce(dyadfit_result *r, const df_design *d, const dyadfit_model *m,
                      const df_clogit_fit *f, dyadfit_error *err)
{
    size_t G = f->ngroup, n = d->n;
    size_t *gcl[2] = {NULL, NULL};
    int rc = DYADFIT_OK;
    df_vce_opts vo;
    df_vce_info vi;
    memset(&vo, 0, sizeof vo);
    memset(&vi, 0, sizeof vi);
    vo.type = m->vce;
    vo.ssc = m->ssc;
    vo.fix_psd = m->fix_psd;
    if (m->vce == DYADFIT_VCE_CLUSTER) {
        vo.ncluster = d->ncluster;
        for (size_t c = 0; c < d->ncluster; c++) {
            size_t *map = NULL;
            if (!(gcl[c] = df_malloc(G, sizeof *gcl[c])) ||
                !(map = df_malloc(d->ng[c] ? d->ng[c] : 1, sizeof *map))) {
                free(map);
                rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                goto done;
            }
            for (size_t g = 0; g < G; g++) gcl[c][g] = (size_t)-1;
            for (size_t i = 0; i < n; i++) {
                size_t g = d->group[0][i], cl = d->cl[c][i];
                if (gcl[c][g] == (size_t)-1) gcl[c][g] = cl;
                else if (gcl[c][g] != cl) {
                    free(map);
                    rc = df_error(err, DYADFIT_ERR_SPEC, "clogit: the cluster "
                                  "variable '%s' does not nest the groups of '%s' "
                                  "(a group spans clusters at row %zu); cluster "
                                  "on '%s' or on a variable constant within each "
                                  "group", m->cluster[c], m->group, d->rows[i] + 1,
                                  m->group);
                    goto done;
                }
            }
            /* dense ids over the groups */
            size_t ng = 0;
            for (size_t q = 0; q < d->ng[c]; q++) map[q] = (size_t)-1;
            for (size_t g = 0; g < G; g++) {
                if (map[gcl[c][g]] == (size_t)-1) map[gcl[c][g]] = ng++;
                gcl[c][g] = map[gcl[c][g]];
            }
            free(map);
            vo.cl[c] = gcl[c];
            vo.ng[c] = ng;
        }
    }
    df_scores sc = {G, f->k, NULL, NULL, f->S, NULL};
    if ((rc = df_vce(f->info, &sc, &vo, r->vcov, &vi, err))) goto done;
    r->ssc_factor = m->vce == DYADFIT_VCE_OIM ? 1 : vi.factor;
    memcpy(r->ssc_factors, vi.factors, sizeof r->ssc_factors);
    r->ncluster = vo.ncluster;
    memcpy(r->ng, vi.ng, sizeof r->ng);
    if (vi.note[0]) df_api_note(r, "%s", vi.note);
    if (m->vce == DYADFIT_VCE_ROBUST)
        df_api_note(r, "clogit: robust variance from the %zu group scores "
                    "(clustered on %s, as Stata's clogit)", G, m->group);
done:
    free(gcl[0]);
    free(gcl[1]);
    return rc;
}

static int fit_clogit(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                      dyadfit_error *err)
{
    df_clogit_fit f;
    int rc;
    memset(&f, 0, sizeof f);
    const char *name[2] = {m->group, NULL};
    if (d->w) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "clogit: weights are not supported");
        goto cleanup;
    }
    if (d->offset) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "clogit: an offset is not supported");
        goto cleanup;
    }
    if ((rc = drop_novar(d, name, r, err))) goto cleanup;
    if ((rc = check_columns(d, m->group, r, err))) goto cleanup;
    /* each group's likelihood is conditional on its events: a group of
     * n_g rows tells n_g - 1 things about the coefficients */
    char gdetail[200];
    snprintf(gdetail, sizeof gdetail, "%zu covariate%s and %zu groups of %.60s "
             "conditioned out", d->k, d->k == 1 ? "" : "s", d->ngroup[0], m->group);
    if ((rc = df_api_check_nobs(d, d->k + d->ngroup[0], gdetail, err))) goto cleanup;
    df_newton_opts o;
    df_newton_defaults(&o);
    o.maxiter = m->maxiter;
    o.tol = m->tolerance;
    if ((rc = df_clogit(d, d->group[0], d->ngroup[0], &o, &f, err))) goto cleanup;
    if ((rc = df_api_set_coef(r, d, f.beta, err))) goto cleanup;
    if ((rc = clogit_vce(r, d, m, &f, err))) goto cleanup;
    r->loglik = f.loglik;
    r->loglik0 = f.loglik0;
    r->iterations = f.iterations;
    r->converged = f.converged;
    r->max_gradient = f.max_gradient;
    char sub[160];
    snprintf(sub, sizeof sub, "exact likelihood, %zu groups of %s",
             f.ngroup, m->group);
    if (!(r->subtitle = df_strdup(sub))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_note(r, "clogit: %zu groups of %s with variation in the outcome; "
                "log likelihoods are conditional (loglik0 at b = 0)", f.ngroup,
                m->group);
    if (!f.converged)
        df_api_note(r, "convergence not achieved: %s", f.message);
    rc = DYADFIT_OK;
cleanup:
    df_clogit_fit_free(&f);
    return rc;
}

static int fit_felogit(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                       dyadfit_error *err)
{
    df_felogit_fit f, f0;
    int rc;
    memset(&f, 0, sizeof f);
    memset(&f0, 0, sizeof f0);
    const char *name[2] = {m->absorb[0], d->group[1] ? m->absorb[1] : NULL};
    char what[200];
    snprintf(what, sizeof what, "%s%s%s", name[0], name[1] ? " and " : "",
             name[1] ? name[1] : "");
    if (d->w) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "felogit: weights are not supported");
        goto cleanup;
    }
    if (d->offset) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "felogit: an offset is not supported");
        goto cleanup;
    }
    if ((rc = drop_novar(d, name, r, err))) goto cleanup;
    if ((rc = check_columns(d, what, r, err))) goto cleanup;
    /* the absorbed effects are estimated too (one level of a second
     * factor is aliased with the first) */
    size_t nfe = d->ngroup[0] + (d->group[1] ? d->ngroup[1] - 1 : 0);
    char fedetail[80];
    snprintf(fedetail, sizeof fedetail, "%zu covariate%s and %zu absorbed effects",
             d->k, d->k == 1 ? "" : "s", nfe);
    if ((rc = df_api_check_nobs(d, d->k + nfe, fedetail, err))) goto cleanup;
    df_newton_opts o;
    df_newton_defaults(&o);
    o.maxiter = m->maxiter;
    o.tol = m->tolerance;
    const size_t *fe[2] = {d->group[0], d->group[1]};
    if ((rc = df_felogit(d, fe, d->ngroup, &o, &f, err))) goto cleanup;
    /* fixed effects only, for loglik0 */
    df_design d0 = *d;
    d0.k = 0;
    if ((rc = df_felogit(&d0, fe, d->ngroup, &o, &f0, err))) goto cleanup;
    if ((rc = df_api_set_coef(r, d, f.beta, err))) goto cleanup;
    df_scores sc = {d->n, d->k, NULL, NULL, f.S, NULL};
    if ((rc = df_api_vce(r, d, m, f.info, &sc, err))) goto cleanup;
    r->loglik = f.loglik;
    r->loglik0 = f0.loglik;
    r->iterations = f.iterations;
    r->converged = f.converged;
    r->max_gradient = f.max_gradient;
    char sub[200];
    if (name[1])
        snprintf(sub, sizeof sub, "absorbed: %s (%zu), %s (%zu)",
                 name[0], d->ngroup[0], name[1], d->ngroup[1]);
    else
        snprintf(sub, sizeof sub, "absorbed: %s (%zu)", name[0],
                 d->ngroup[0]);
    if (!(r->subtitle = df_strdup(sub))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_api_note(r, "felogit: %zu fixed-effect parameters absorbed (%s); "
                "loglik0 is the fixed-effects-only model", f.nfe, what);
    if (!f.converged)
        df_api_note(r, "convergence not achieved: %s", f.message);
    if (!f0.converged)
        df_api_note(r, "felogit: the fixed-effects-only fit did not converge");
    rc = DYADFIT_OK;
cleanup:
    df_felogit_fit_free(&f);
    df_felogit_fit_free(&f0);
    return rc;
}

int df_api_fit_clogit(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                      dyadfit_error *err)
{
    if (!d->group[0])
        return df_error(err, DYADFIT_ERR_SPEC, "%s: no grouping variable in the "
                        "design (%s)", df_estimator_name(m->estimator),
                        m->estimator == DYADFIT_CLOGIT ? "--group" : "--absorb");
    if (m->estimator == DYADFIT_CLOGIT) return fit_clogit(d, m, r, err);
    if (m->estimator == DYADFIT_FELOGIT) return fit_felogit(d, m, r, err);
    return df_error(err, DYADFIT_ERR_SPEC, "estimator %s is not a conditional "
                    "or fixed-effects logit", df_estimator_name(m->estimator));
}
