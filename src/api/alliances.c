/* alliances.c -- dyadfit_alliances: the alliance measures of the prepare
 * layer (df_alliance_measures, docs/alliance_measures.md) appended to a
 * dyad-year table as labelled columns, grouped as the command line asks
 * for them (--measures ties,allycap,sscore,taub,shared). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "../prepare/alliances.h"

enum { G_TIES = 1, G_ALLYCAP = 2, G_SSCORE = 4, G_TAUB = 8, G_SHARED = 16, G_ALL = 31 };

static const struct {
    const char *name;
    int group;
    const char *label;  /* Stata's limit: 80 characters */
} measure_info[] = {
    {"ally_defense", G_TIES, "A and B share a defense pact"},
    {"ally_offense", G_TIES, "A and B share an offense pact"},
    {"ally_neutrality", G_TIES, "A and B share a neutrality pact"},
    {"ally_nonagg", G_TIES, "A and B share a non-aggression pact"},
    {"ally_consul", G_TIES, "A and B share a consultation (entente) pact"},
    {"ally_value", G_TIES, "Valued tie A-B: 3 defense/offense, 2 neutrality/nonagg, 1 consul, 0"},
    {"n_def_allies1", G_ALLYCAP, "Number of A's defense allies other than B"},
    {"cap_def_allies1", G_ALLYCAP, "Summed CINC of A's defense allies other than B"},
    {"n_def_allies2", G_ALLYCAP, "Number of B's defense allies other than A"},
    {"cap_def_allies2", G_ALLYCAP, "Summed CINC of B's defense allies other than A"},
    {"cap_balance_allies", G_ALLYCAP, "CINC share of B and its allies: (B+allies)/(A+allies+B+allies)"},
    {"s_unweighted", G_SSCORE, "S-score of A and B alliance portfolios, unweighted, system"},
    {"s_weighted", G_SSCORE, "S-score of A and B alliance portfolios, CINC-weighted, system"},
    {"s_unweighted_region", G_SSCORE, "S-score of A and B portfolios, unweighted, regional set"},
    {"s_weighted_region", G_SSCORE, "S-score of A and B portfolios, CINC-weighted, regional set"},
    {"tau_b", G_TAUB, "Kendall's tau-b of A and B alliance portfolios"},
    {"n_shared_def_allies", G_SHARED, "Number of defense allies shared by A and B"},
    {"n_shared_allies", G_SHARED, "Number of states allied with both A and B (any type)"},
};
enum { NMEASURES = sizeof measure_info / sizeof measure_info[0] };

void dyadfit_alliances_opts_init(dyadfit_alliances_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ccode1 = "ccode1";
    o->ccode2 = "ccode2";
    o->year = "year";
}

/* The group bits of a list "ties,sscore" ("all" or NULL: every group). */
static int parse_groups(const char *s, int *groups, dyadfit_error *err)
{
    static const char *const names[] = {"ties", "allycap", "sscore", "taub", "shared"};
    *groups = 0;
    if (!s || !*s || strcmp(s, "all") == 0) {
        *groups = G_ALL;
        return DYADFIT_OK;
    }
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, ", ");
        int found = 0;
        for (int g = 0; g < 5 && len; g++)
            if (strlen(names[g]) == len && strncmp(p, names[g], len) == 0) {
                *groups |= 1 << g;
                found = 1;
            }
        if (len && !found)
            return df_error(err, DYADFIT_ERR_USAGE,
                            "unknown measure group '%.*s' (ties, allycap, sscore, taub, shared)",
                            (int)(len > 60 ? 60 : len), p);
        p += len;
        while (*p == ',' || *p == ' ') p++;
    }
    if (!*groups)
        return df_error(err, DYADFIT_ERR_USAGE, "no measure group given");
    return DYADFIT_OK;
}

static int measure_group(const char *name, const char **label)
{
    for (size_t k = 0; k < NMEASURES; k++)
        if (strcmp(measure_info[k].name, name) == 0) {
            *label = measure_info[k].label;
            return measure_info[k].group;
        }
    *label = NULL;
    return 0;
}

/* Numeric column `name` of t, or an error naming the table's role. */
static const double *num_col(const dyadfit_table *t, const char *name,
                             const char *role, dyadfit_error *err)
{
    const df_column *c = df_table_find(t, name);
    if (!c) {
        df_error(err, DYADFIT_ERR_SPEC, "no column '%s' in the %s table", name, role);
        return NULL;
    }
    if (c->type != DF_COL_NUMERIC) {
        df_error(err, DYADFIT_ERR_SPEC, "column '%s' of the %s table is not numeric",
                 name, role);
        return NULL;
    }
    return c->num;
}

/* The capability rows whose state is a member of the system in that year by
 * the states table (ccode styear endyear, one row per spell of membership).
 * Builds a new table with the columns ccode year cinc [region]. */
static int restrict_to_members(const dyadfit_table *cap, const dyadfit_table *states,
                               const df_alliance_opts *ao, dyadfit_table **out,
                               size_t *ndropped, dyadfit_error *err)
{
    const char *names[4] = {ao->cap_ccode, ao->cap_year, ao->cap_cinc, ao->cap_region};
    const double *src[4] = {0}, *sc, *sy, *se;
    double *vals = NULL;
    unsigned char *keep = NULL;
    size_t ncolumn = ao->cap_region ? 4 : 3, nkeep = 0;
    int rc = DYADFIT_OK;
    *out = NULL;
    for (size_t j = 0; j < ncolumn; j++)
        if (!(src[j] = num_col(cap, names[j], "capability", err))) return err->code;
    if (!(sc = num_col(states, "ccode", "states", err)) ||
        !(sy = num_col(states, "styear", "states", err)) ||
        !(se = num_col(states, "endyear", "states", err)))
        return err->code;
    if (!(keep = df_calloc(cap->nrow ? cap->nrow : 1, 1)) ||
        !(vals = df_malloc(cap->nrow ? cap->nrow : 1, sizeof *vals))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    /* The states table is small (243 spells for 1816-2016): a scan per
     * capability row costs less than building an index. */
    for (size_t i = 0; i < cap->nrow; i++) {
        for (size_t s = 0; s < states->nrow && !keep[i]; s++)
            keep[i] = sc[s] == src[0][i] && sy[s] <= src[1][i] && src[1][i] <= se[s];
        nkeep += keep[i];
    }
    *ndropped = cap->nrow - nkeep;
    if ((rc = dyadfit_table_new(nkeep, out, err))) goto cleanup;
    for (size_t j = 0; j < ncolumn; j++) {
        size_t o = 0;
        for (size_t i = 0; i < cap->nrow; i++)
            if (keep[i]) vals[o++] = src[j][i];
        if ((rc = dyadfit_table_add_numeric(*out, names[j], vals, err))) goto cleanup;
    }
cleanup:
    if (rc) {
        dyadfit_table_free(*out);
        *out = NULL;
    }
    free(keep);
    free(vals);
    return rc;
}

int dyadfit_alliances(dyadfit_table *dyads, const dyadfit_table *alliances,
                      const dyadfit_table *capabilities, const dyadfit_table *states,
                      const dyadfit_alliances_opts *opts, dyadfit_alliances_info *info,
                      dyadfit_error *err)
{
    dyadfit_alliances_opts defaults;
    df_alliance_opts ao;
    df_alliance_result r;
    dyadfit_table *members = NULL;
    double **repl = NULL;     /* new values of replaced columns, by result column */
    int groups, rc;
    size_t ncol0 = dyads ? dyads->ncol : 0, ndropped = 0;

    dyadfit_error local;
    if (!err) err = &local;
    memset(&r, 0, sizeof r);
    if (info) memset(info, 0, sizeof *info);
    if (!dyads || !alliances || !capabilities)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "alliances needs a dyad, an alliance and a capability table");
    if (!opts) {
        dyadfit_alliances_opts_init(&defaults);
        opts = &defaults;
    }
    if ((rc = parse_groups(opts->measures, &groups, err))) return rc;

    df_alliance_opts_init(&ao);
    if (opts->ccode1) ao.dyad_ccode1 = opts->ccode1;
    if (opts->ccode2) ao.dyad_ccode2 = opts->ccode2;
    if (opts->year) ao.dyad_year = opts->year;
    ao.directed = opts->directed != 0;
    /* COW's alliance form has no offense column and calls consultation
     * "entente": take the types the table has. */
    if (!df_table_find(alliances, "offense")) ao.type_col[DF_ALLY_OFFENSE] = NULL;
    if (!df_table_find(alliances, "consul") && df_table_find(alliances, "entente"))
        ao.type_col[DF_ALLY_CONSUL] = "entente";
    if (!opts->region)
        ao.cap_region = df_table_find(capabilities, "region") ? "region" : NULL;
    else
        ao.cap_region = *opts->region ? opts->region : NULL;

    if (states) {
        if ((rc = restrict_to_members(capabilities, states, &ao, &members, &ndropped, err)))
            goto cleanup;
        capabilities = members;
    }
    if ((rc = df_alliance_measures(dyads, alliances, capabilities, &ao, &r, err)))
        goto cleanup;

    /* names are checked before the table changes */
    if (!(repl = df_calloc(r.ncol, sizeof *repl))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t j = 0; j < r.ncol; j++) {
        const char *label;
        if (!(measure_group(r.names[j], &label) & groups)) continue;
        size_t at = df_table_index(dyads, r.names[j]);
        if (at == (size_t)-1) continue;
        if (!opts->replace) {
            rc = df_error(err, DYADFIT_ERR_SPEC,
                          "the dyad table already has a column '%s' (replace it with "
                          "the replace option)", r.names[j]);
            goto cleanup;
        }
        if (dyads->cols[at].type != DF_COL_NUMERIC) {
            rc = df_error(err, DYADFIT_ERR_SPEC,
                          "cannot replace string column '%s' with a measure", r.names[j]);
            goto cleanup;
        }
        if (!(repl[j] = df_malloc(r.n ? r.n : 1, sizeof(double)))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        memcpy(repl[j], r.values + j * r.n, r.n * sizeof(double));
    }
    /* new columns appended; on failure they are removed again */
    size_t added = 0;
    for (size_t j = 0; j < r.ncol; j++) {
        const char *label;
        if (!(measure_group(r.names[j], &label) & groups) || repl[j]) continue;
        if ((rc = dyadfit_table_add_numeric(dyads, r.names[j], r.values + j * r.n, err)))
            goto cleanup;
        df_column *c = &dyads->cols[dyads->ncol - 1];
        if (label && !(c->label = df_strdup(label))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        added++;
    }
    /* replaced columns: cannot fail from here on */
    for (size_t j = 0; j < r.ncol; j++) {
        if (!repl[j]) continue;
        const char *label;
        measure_group(r.names[j], &label);
        df_column *c = &dyads->cols[df_table_index(dyads, r.names[j])];
        free(c->num);
        c->num = repl[j];
        repl[j] = NULL;
        /* missing kinds: '.' where the measure is NaN (a column without a
         * kind array marks missing by NaN alone) */
        if (c->miss)
            for (size_t i = 0; i < dyads->nrow; i++)
                c->miss[i] = isnan(c->num[i]) ? DF_MISS_SYSTEM : DF_PRESENT;
        for (size_t l = 0; l < c->nvlabels; l++) free(c->vlabels[l].label);
        free(c->vlabels);
        c->vlabels = NULL;
        c->nvlabels = 0;
        c->storage = DF_STORE_DOUBLE;
        char *nl = label ? df_strdup(label) : NULL;
        if (nl) {
            free(c->label);
            c->label = nl;
        }
        added++;
    }
    if (info) {
        info->columns_added = added;
        info->n_years = r.n_years;
        info->n_dyads_outside = r.n_dyads_outside;
        info->n_ally_rows = r.n_ally_rows;
        info->n_ally_outside = r.n_ally_outside;
        info->n_ally_duplicate = r.n_ally_duplicate;
        info->n_ally_asymmetric = r.n_ally_asymmetric;
        info->n_cap_missing = r.n_cap_missing;
        info->n_cap_not_member = ndropped;
    }

cleanup:
    if (rc && dyads) {
        /* remove the columns this call appended */
        for (size_t j = ncol0; j < dyads->ncol; j++) {
            df_column *c = &dyads->cols[j];
            free(c->name);
            free(c->label);
            free(c->num);
            free(c->miss);
        }
        dyads->ncol = ncol0;
    }
    if (repl)
        for (size_t j = 0; j < r.ncol; j++) free(repl[j]);
    free(repl);
    df_alliance_result_free(&r);
    dyadfit_table_free(members);
    return rc;
}
