/* cox_plot.c -- survival curves of a saved Cox fit as step curves for the
 * figure (dyadfit plot survival): the rows of df_post_survival at every
 * event time, grouped by profile and stratum, each drawn as a step
 * function from (0, 1): (t_u, S_{u-1}) then (t_u, S_u). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cox_plot.h"
#include "../util/util.h"

/* One step curve from rows r[0..n-1] (times ascending). */
static int step_curve(const df_post_row *r, size_t n, df_plot_curve *c)
{
    size_t m = 1 + 2 * n;
    c->x = df_malloc(m, sizeof *c->x);
    c->p = df_malloc(m, sizeof *c->p);
    c->lo = df_malloc(m, sizeof *c->lo);
    c->hi = df_malloc(m, sizeof *c->hi);
    c->label = df_strdup(r[0].term);
    if (!c->x || !c->p || !c->lo || !c->hi || !c->label) return -1;
    double s = 1, lo = 1, hi = 1, t0 = atof(r[0].contrast + 4);
    c->x[0] = t0 < 0 ? t0 : 0;
    c->p[0] = c->lo[0] = c->hi[0] = 1;
    size_t k = 1;
    for (size_t u = 0; u < n; u++) {
        double t = atof(r[u].contrast + 4);   /* "S(t=T)", T with 10 digits */
        c->x[k] = t, c->p[k] = s, c->lo[k] = lo, c->hi[k] = hi, k++;
        s = r[u].estimate;
        lo = isfinite(r[u].conf_low) ? r[u].conf_low : 1;
        hi = isfinite(r[u].conf_high) ? r[u].conf_high : 1;
        c->x[k] = t, c->p[k] = s, c->lo[k] = lo, c->hi[k] = hi, k++;
    }
    c->n = k;
    return 0;
}

int df_plot_survival_data(const df_post_fit *f, const df_post_opts *o,
                          const char *const *at, size_t nat, df_plot_curve **curves,
                          size_t *nc, char **note, dyadfit_error *err)
{
    size_t np = nat ? nat : 1, ncur = 0;
    df_post_profile *prof = calloc(np, sizeof *prof);
    df_post_table tab;
    int rc = DYADFIT_OK;

    memset(&tab, 0, sizeof tab);
    *curves = NULL;
    *nc = 0;
    *note = NULL;
    if (!prof) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if (nat == 0 && !(prof[0].text = df_strdup("at means"))) goto oom;
    for (size_t p = 0; p < nat; p++)
        if ((rc = df_post_profile_parse(f, at[p], &prof[p], err))) goto cleanup;
    if ((rc = df_post_survival(f, prof, np, NULL, 0, o, &tab, err))) goto cleanup;
    if (tab.n == 0) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "no event times: nothing to plot");
        goto cleanup;
    }
    size_t cap = 0;
    for (size_t i = 0; i < tab.n; i++) cap += i == 0 || strcmp(tab.rows[i].term, tab.rows[i - 1].term);
    if (!(*curves = calloc(cap, sizeof **curves))) goto oom;
    for (size_t i = 0; i < tab.n;) {
        size_t e = i + 1;
        while (e < tab.n && strcmp(tab.rows[e].term, tab.rows[i].term) == 0) e++;
        if (step_curve(tab.rows + i, e - i, &(*curves)[ncur++])) goto oom;
        i = e;
    }
    if (!(*note = df_strdup(tab.note))) goto oom;
    *nc = ncur;
    goto cleanup;
oom:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    if (rc) {
        df_plot_curves_free(*curves, ncur);
        *curves = NULL;
        free(*note);
        *note = NULL;
    }
    for (size_t p = 0; p < np; p++) df_post_profile_free(&prof[p]);
    free(prof);
    df_post_table_free(&tab);
    return rc;
}
