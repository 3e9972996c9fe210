/* fit_spells.c -- one-step BTSCS fits (dyadfit_model.spells): peace years
 * computed by dyadfit_btscs on every row of the table, then any model fitted
 * on them, in one call.
 *
 * dyadfit_fit takes a const table, so the spell columns go into a view: a
 * table struct whose column array holds shallow copies of the source's
 * column descriptors (the data stay the source's and are not copied or
 * freed) followed by the new columns, which the view owns. A source column
 * with the name of a new column is left out of the view: the computed one
 * replaces it for this fit only (noted in the result).
 *
 * Order: btscs counts on the whole panel first, then the filter (--if) and
 * listwise deletion choose the rows, so a filter on years or regions does
 * not restart the counts (what `btscs` then `fit --if` gives, and what
 * researchers expect). With drop_ongoing the ongoing-dispute years (flag
 * column 1) are left out through the filter, whether or not the formula
 * uses the peace years. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"

#define MAX_NEW 60

/* Frees a view: only the columns from index `shared` on belong to it. */
static void view_free(dyadfit_table *v, size_t shared)
{
    if (!v) return;
    for (size_t j = shared; j < v->ncol; j++) df_column_free(&v->cols[j]);
    free(v->cols);
    free(v);
}

/* The view of t without the columns named in names[0..nnames); *replaced
 * gets a comma-separated list of those left out. */
static int view_new(const dyadfit_table *t, char (*names)[256], size_t nnames,
                    dyadfit_table **out, char *replaced, size_t rlen,
                    dyadfit_error *err)
{
    dyadfit_table *v = df_calloc(1, sizeof *v);
    if (!v || !(v->cols = df_malloc(t->ncol ? t->ncol : 1, sizeof *v->cols))) {
        free(v);
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    }
    size_t o = 0;
    replaced[0] = 0;
    for (size_t j = 0; j < t->ncol; j++) {
        int clash = 0;
        for (size_t a = 0; a < nnames && !clash; a++) clash = !strcmp(t->cols[j].name, names[a]);
        if (clash) {
            if (o < rlen) o += (size_t)snprintf(replaced + o, rlen - o, "%s'%s'", o ? ", " : "", t->cols[j].name);
            continue;
        }
        v->cols[v->ncol++] = t->cols[j];
    }
    v->nrow = t->nrow;
    v->path = t->path;          /* borrowed: provenance of the fit */
    v->format = t->format;
    memcpy(v->sha256, t->sha256, sizeof v->sha256);
    *out = v;
    return DYADFIT_OK;
}

dyadfit_btscs_opts df_api_spell_defaults(const dyadfit_btscs_opts *o)
{
    dyadfit_btscs_opts d = *o;
    if (!d.number_name || !*d.number_name) d.number_name = "spellnum";
    d.replace = 0;
    return d;
}

static const char *gap_name(dyadfit_gap g)
{
    return g == DYADFIT_GAP_CONTINUE ? "continue" : g == DYADFIT_GAP_RESTART ? "restart" : "btscs";
}

int df_api_fit_spells(const dyadfit_table *t, const dyadfit_model *m,
                      dyadfit_result **out, dyadfit_error *err)
{
    const dyadfit_btscs_opts o = df_api_spell_defaults(m->spells), *so = &o;
    dyadfit_table *v = NULL;
    char names[MAX_NEW][256], replaced[600], *filter = NULL;
    size_t shared = 0;
    int rc;

    *out = NULL;
    if (!t) return df_error(err, DYADFIT_ERR_USAGE, "no data given");
    if (!so->event || !so->time || !so->unit)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "peace years for the fit need an event (--spells), a time (--time) "
                        "and a unit (--unit) variable");
    size_t nnames = df_btscs_column_names(so, names, MAX_NEW);
    if ((rc = view_new(t, names, nnames, &v, replaced, sizeof replaced, err))) return rc;
    shared = v->ncol;

    if ((rc = dyadfit_btscs(v, so, err))) goto cleanup;
    size_t nspell = 0, nongoing = 0;
    {
        const df_column *sp = df_table_find(v, names[1]);
        const df_column *dr = so->ongoing ? df_table_find(v, names[2]) : NULL;
        for (size_t i = 0; sp && i < v->nrow; i++)
            if (!isnan(sp->num[i]) && sp->num[i] > (double)nspell) nspell = (size_t)sp->num[i];
        for (size_t i = 0; dr && i < v->nrow; i++) nongoing += dr->num[i] == 1;
    }

    dyadfit_model mm = *m;
    mm.spells = NULL;
    if (so->ongoing && so->drop_ongoing) {
        /* left out through the filter, reported with it */
        size_t len = strlen(names[2]) + (m->filter ? strlen(m->filter) : 0) + 32;
        if (!(filter = df_malloc(len, 1))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        if (m->filter && *m->filter) snprintf(filter, len, "(%s) & %s == 0", m->filter, names[2]);
        else snprintf(filter, len, "%s == 0", names[2]);
        mm.filter = filter;
    }
    if ((rc = dyadfit_fit(v, &mm, out, err))) goto cleanup;

    dyadfit_result *r = *out;
    int bad = df_api_note(r, "peace years computed before the fit (btscs on all %zu rows, "
                          "before any --if): %s = years since the last %s = 1 within %s, "
                          "by %s (gap rule %s); %zu spells, spell id in %s, "
                          "spell number within %s in %s",
                          t->nrow, names[0], so->event, so->unit, so->time,
                          gap_name(so->gap), nspell, names[1], so->unit,
                          so->number_name);
    if (so->ongoing)
        bad |= df_api_note(r, "%zu ongoing-dispute years (%s = 1, no onset) counted as dispute "
                           "years, flagged in %s%s", nongoing, so->ongoing, names[2],
                           so->drop_ongoing ? " and left out of the fit (--drop-ongoing)" : "");
    if (*replaced)
        bad |= df_api_note(r, "the data's own %s replaced by the computed column for this fit",
                           replaced);
    /* for a saved fit, so that post-estimation makes the same columns */
    bad |= !(r->spells.event = df_strdup(so->event)) || !(r->spells.time = df_strdup(so->time)) ||
           !(r->spells.unit = df_strdup(so->unit)) ||
           (so->ongoing && !(r->spells.ongoing = df_strdup(so->ongoing))) ||
           !(r->spells.name = df_strdup(names[0])) ||
           !(r->spells.spell_name = df_strdup(names[1])) ||
           !(r->spells.drop_name = df_strdup(so->ongoing ? names[2] : "_drop")) ||
           !(r->spells.number_name = df_strdup(so->number_name)) ||
           !(r->spells.spline_prefix = df_strdup(so->spline_prefix && *so->spline_prefix
                                                 ? so->spline_prefix : "_spline"));
    r->spells.splines = so->splines;
    r->spells.gap = so->gap;
    r->spells.drop_ongoing = so->ongoing && so->drop_ongoing;
    if (bad) {
        dyadfit_result_free(r);
        *out = NULL;
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    }
cleanup:
    free(filter);
    view_free(v, shared);
    return rc;
}
