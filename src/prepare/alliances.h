/*
 * alliances.h -- alliance measures for directed dyad-years (prepare layer).
 *
 * For every row (A = ccode1, B = ccode2, year t) of a dyad table, from a
 * dyad-year alliance table (ATOP form: defense offense neutrality nonagg
 * consul 0/1 columns, or COW form: any subset of the type columns, names
 * set in the options) and a capability table (ccode year cinc [region]):
 *
 *   direct ties by type, the valued tie, the number and summed capability
 *   of each side's defense allies other than the partner, the capability
 *   balance with allies, S-scores (Signorino & Ritter 1999) unweighted and
 *   capability-weighted over the system and optionally over a regional
 *   reference set, Kendall's tau-b of the two portfolios (Bueno de Mesquita
 *   1975), and the counts of shared allies.
 *
 * The exact definitions, the valuation scale and every convention (self
 * ties, symmetrisation, states outside the system, missing capabilities)
 * are in docs/alliance_measures.md; the short form:
 *
 *   system(t)   the states with a row in the capability table in year t
 *               (a state entering or leaving is present only in its years)
 *   v_ij        valued tie, max over the types i and j share of the type's
 *               value (default defense 3, offense 3, neutrality 2,
 *               nonaggression 2, consultation/entente 1, none 0); v_ii =
 *               v_max (each state its own closest ally) unless self_tie = 0
 *   S           1 - 2 d / d_max, d = sum_k w_k |v_Ak - v_Bk| / v_max,
 *               d_max = sum_k w_k, k over the reference set; w_k = 1
 *               (unweighted) or cinc_k (weighted)
 *   tau_b       (C - D) / sqrt((n0 - n1)(n0 - n2)) over the pairs of states
 *               of the system, x_k = v_Ak, y_k = v_Bk
 *
 * Alliance rows are symmetrised (unless `directed`): a tie listed as
 * (A, B, t) holds for (B, A, t) too. ATOP's dyad-year rows are directed
 * obligations (1980: the US has a defense obligation to Japan, Japan none
 * to the US); symmetrising makes both defense allies, the usual reading in
 * the S-score literature. Duplicate rows are merged (union of types).
 * Asymmetric ties and duplicates are counted in the result. Rows naming a state outside the system that year
 * are ignored and counted. Missing capabilities propagate as NaN.
 */
#ifndef DF_ALLIANCES_H
#define DF_ALLIANCES_H

#include <stddef.h>
#include "dyadfit.h"

/* Alliance types, in the order of the columns of the result. */
enum {
    DF_ALLY_DEFENSE = 0, DF_ALLY_OFFENSE, DF_ALLY_NEUTRALITY,
    DF_ALLY_NONAGG, DF_ALLY_CONSUL, DF_ALLY_NTYPES
};

typedef struct {
    /* dyad table (numeric columns) */
    const char *dyad_ccode1, *dyad_ccode2, *dyad_year;
    /* alliance table: the two states, the year, and one 0/1 column per
     * type (NULL: the type is absent, e.g. offense in the COW form, where
     * the consultation slot takes "entente") */
    const char *ally_ccode1, *ally_ccode2, *ally_year;
    const char *type_col[DF_ALLY_NTYPES];
    /* value of each type on the ordinal scale, integers 0..9 */
    int type_value[DF_ALLY_NTYPES];
    int self_tie;          /* 1 (default): v_ii = v_max; 0: v_ii = 0 */
    int directed;          /* 0 (default): ties symmetrised (union of the
                              types listed in (A, B, t) and (B, A, t));
                              1: A's portfolio holds A's obligations as
                              listed in A's rows (ATOP's directed coding) */
    /* capability table */
    const char *cap_ccode, *cap_year, *cap_cinc;
    const char *cap_region;  /* NULL (default): no regional S-scores */
} df_alliance_opts;

/* Result columns, in this order (a type column only when its type_col is
 * set, the regional S-scores only when cap_region is set):
 *   ally_defense ally_offense ally_neutrality ally_nonagg ally_consul
 *   ally_value
 *   n_def_allies1 cap_def_allies1 n_def_allies2 cap_def_allies2
 *   cap_balance_allies
 *   s_unweighted s_weighted [s_unweighted_region s_weighted_region]
 *   tau_b
 *   n_shared_def_allies n_shared_allies                                  */
typedef struct {
    size_t n;                 /* rows of the dyad table */
    size_t ncol;
    const char **names;       /* ncol static strings (not to be freed) */
    double *values;           /* n x ncol, column-major: column j at values + j n */
    size_t *nmissing;         /* NaN count per column */
    /* bookkeeping, over the years present in the dyad table */
    size_t n_years;           /* distinct dyad years */
    size_t n_dyads_outside;   /* dyad rows with A or B not in the system: all NaN */
    size_t n_ally_rows;       /* alliance rows in those years */
    size_t n_ally_outside;    /* ... naming a state outside the system: ignored */
    size_t n_ally_duplicate;  /* ... repeating an earlier (A, B, t): merged */
    size_t n_ally_asymmetric; /* directed ties (A, B, t) whose types differ
                                 from those of (B, A, t) (absent = none) */
    size_t n_cap_missing;     /* state-years of the system with NaN cinc */
} df_alliance_result;

/* Defaults: dyads ccode1 ccode2 year; alliances ccode1 ccode2 year defense
 * offense neutrality nonagg consul with values 3 3 2 2 1; self_tie 1;
 * directed 0;
 * capabilities ccode year cinc, no region. */
void df_alliance_opts_init(df_alliance_opts *o);

/* Computes the measures for every row of `dyads`. Errors: unknown or
 * non-numeric column (DYADFIT_ERR_SPEC); bad option values
 * (DYADFIT_ERR_USAGE); missing or non-integer code or year, A == B, a
 * type value not 0/1, negative cinc, duplicate (ccode, year) in the
 * capability table, a self-alliance row (DYADFIT_ERR_DATA; rows named
 * 1-based); out of memory (DYADFIT_ERR_SYSTEM). On error *out is empty. */
int df_alliance_measures(const dyadfit_table *dyads,
                         const dyadfit_table *alliances,
                         const dyadfit_table *capabilities,
                         const df_alliance_opts *o, df_alliance_result *out,
                         dyadfit_error *err);

/* Column j of the result by name, or NULL. */
const double *df_alliance_column(const df_alliance_result *r, const char *name);
void df_alliance_result_free(df_alliance_result *r);

#endif
