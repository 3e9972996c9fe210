/*
 * post.h -- post-estimation from a saved fit (layer 6): predictions at
 * profiles, average marginal effects, marginal effects at means, first
 * differences and risk ratios, each with a delta-method or simulation
 * interval; and several saved fits side by side (dyadfit table).
 *
 * A saved fit is the JSON that `dyadfit fit --save` writes (report/json.c).
 * df_post_load reads it; df_post_attach re-reads the data file it names,
 * checks the file's SHA-256 against the one saved, and rebuilds the design
 * of the fitted rows with the same formula, filter, offset and cluster
 * options (df_design_build), so every computation uses exactly those rows.
 *
 * Counterfactual rows (a profile, x set to 1, x moved by h) are never
 * hand-computed: the raw variables of a copy of the fitted rows are changed
 * and the design builder rebuilds the model matrix, so factor(), log(),
 * I(x^2) and interactions follow. The copy is stacked under the original
 * fitted rows, so factor levels and the collinearity check see the fitted
 * data; a counterfactual that changes the model's columns is an error.
 * Averages and their Jacobians are accumulated in one streaming pass over
 * the counterfactual rows (O(k) state for the Jacobian, O(k^2) for the
 * variance); the counterfactual design itself holds 2n x k numbers, twice
 * the fit's design matrix.
 *
 * Supported estimators: logit, probit, cloglog, relogit and firth (the
 * probability is F(x'b + offset) with the model's link; relogit without the
 * approximate-Bayes correction), and cox: the relative hazard exp(x'b +
 * offset) against covariates = 0 (DF_POST_LINK_RISK; intervals on the
 * log scale; --fd gives the hazard ratio; no --dydx) and the survival curve
 * at a profile (cox_post.c); weibull and exponential: the linear predictor,
 * the median survival time and S(t | x) at profiles, in the fit's AFT or PH
 * metric (survreg_post.c; no margins). Others are DYADFIT_ERR_SPEC.
 */
#ifndef DF_POST_H
#define DF_POST_H

#include <stddef.h>
#include <stdio.h>
#include "dyadfit.h"
#include "../table/table.h"
#include "../design/design.h"

/* ------------------------------------------------------------ saved fit */

/* The link effects.c uses for a Cox fit: the "probability" is exp(eta).
 * df_post_fit.link itself stays -1 for Cox (no probability: fitstat's
 * classification table and the like skip it). */
#define DF_POST_LINK_RISK 16

typedef struct {
    char *json_path;
    char *estimator;          /* "logit", ... as saved */
    dyadfit_estimator est;
    int link;                 /* df_link of fit.h, or -1 (no probability:
                                 cox, clogit, felogit) */
    int breslow;              /* cox: 1 Breslow ties, 0 Efron */
    char *formula, *response;
    char *filter, *weights, *offset;   /* NULL when absent */
    dyadfit_weight_type weight_type;
    char *cluster[2];
    char *vce, *ssc, *information;
    double ssc_factor;
    size_t nclusters[2];
    size_t ncluster;
    double level;
    char *data_path;          /* as saved */
    char sha256[65];
    double nobs, loglik, loglik0;
    int converged;
    size_t rows_used;
    size_t k;
    char **terms;
    double *coef;             /* k */
    double *se;               /* k, as saved */
    double *vcov;             /* k x k */
    char *inference;          /* "wald" or as saved */
    /* fit --spells: the btscs options that made the peace-year columns,
     * made again on the data by df_post_attach (event NULL: none) */
    struct {
        char *event, *time, *unit, *ongoing, *name, *spell_name, *drop_name,
             *number_name, *spline_prefix;
        int splines, gap, drop_ongoing;
    } spells;
    /* after df_post_attach */
    dyadfit_table *table;
    df_design *design;        /* the fitted rows */
    char *data_used;          /* the path actually read */
    int table_subset;         /* table holds only the model's variables */
} df_post_fit;

/* Reads a saved fit. DYADFIT_ERR_DATA for unreadable or malformed JSON or
 * missing fields (named), naming the file. */
int df_post_load(const char *path, df_post_fit **out, dyadfit_error *err);
void df_post_fit_free(df_post_fit *f);

/* Reads the data (the saved path; when relative and absent, relative to the
 * JSON file's folder), checks the checksum (DYADFIT_ERR_DATA naming both
 * digests), makes the peace years again for a fit --spells fit, and
 * rebuilds the design; checks that the rows and terms match
 * the fit. DYADFIT_ERR_SPEC for an estimator without predictions. */
int df_post_attach(df_post_fit *f, dyadfit_error *err);

/* The data file a saved fit names: as saved, or, when that relative path
 * does not exist from here, relative to the JSON file's folder (malloc'd;
 * NULL when out of memory). */
char *df_post_data_location(const df_post_fit *f);

/* Display names for f's terms from the variable and value labels of its
 * data file (labels.c): (*labels)[j] is malloc'd, or NULL where the term
 * keeps its name; free each and the array. A data file that cannot be read
 * or has changed is not an error: warn gets a message (else ""). */
int df_post_term_labels(const df_post_fit *f, char ***labels, char *warn, size_t wlen,
                        dyadfit_error *err);

/* -------------------------------------------------------------- profiles */

typedef struct {
    char *var;
    double value;             /* numeric column */
    char *level;              /* string column: the level, else NULL */
} df_post_assign;

typedef struct {
    char *text;               /* as given, for the term column */
    df_post_assign *a;
    size_t n;
} df_post_profile;

/* Parses "defense=1 contig=1" (assignments separated by spaces or commas)
 * against the attached fit's data: each name must be a variable of the
 * model, each value a number (or, for a string variable, one of its
 * values). DYADFIT_ERR_USAGE with the offending token otherwise. */
int df_post_profile_parse(const df_post_fit *f, const char *text,
                          df_post_profile *p, dyadfit_error *err);
void df_post_profile_free(df_post_profile *p);

/* How variables a profile does not name are set. */
typedef enum {
    DF_POST_MEAN = 0,         /* mean over the fitted rows (weighted with
                                 the model's weights); factor() and string
                                 variables at their most frequent value */
    DF_POST_MEDIAN = 1,       /* median; factors at their mode */
    DF_POST_OBSERVED = 2      /* every fitted row as observed, averaged */
} df_post_others;

typedef enum { DF_POST_DELTA = 0, DF_POST_SIMULATION = 1 } df_post_method;

typedef struct {
    df_post_others others;
    df_post_method method;
    size_t draws;             /* simulation: default 1000 */
    unsigned long seed;       /* simulation: default 1 */
    double level;             /* 0: the fit's level */
} df_post_opts;

void df_post_opts_init(df_post_opts *o);

/* ------------------------------------------------------------------ output */

/* Rows in broom's columns. */
typedef struct {
    char *term;
    char *contrast;           /* "dY/dX", "1 - 0", "ratio"... or NULL */
    double estimate, std_error, statistic, p_value, conf_low, conf_high;
} df_post_row;

typedef struct {
    size_t n;
    df_post_row *rows;
    char *what;               /* "Predicted probabilities", ... */
    char *note;               /* how intervals were made, others held at */
} df_post_table;

void df_post_table_free(df_post_table *t);

/* Predicted probability at each profile. */
int df_post_predict(const df_post_fit *f, const df_post_profile *prof,
                    size_t nprof, const df_post_opts *o, df_post_table *out,
                    dyadfit_error *err);

/* Marginal effect of each variable in vars (nvars) at the scenario given by
 * prof (NULL or one profile): with others OBSERVED the average over the
 * fitted rows (AME), with MEAN/MEDIAN at that point (MEM). A variable
 * whose fitted values are all 0 or 1 gets the discrete change
 * P(x=1) - P(x=0); any other the derivative dP/dx (central difference of
 * the rebuilt model matrix, step 1e-5 times the variable's range). */
int df_post_dydx(const df_post_fit *f, const char *const *vars, size_t nvars,
                 const df_post_profile *prof, const df_post_opts *o,
                 df_post_table *out, dyadfit_error *err);

/* First difference P(a) - P(b) and risk ratio P(a) / P(b). */
int df_post_fd(const df_post_fit *f, const df_post_profile *a,
               const df_post_profile *b, const df_post_opts *o,
               df_post_table *out, dyadfit_error *err);

/* The model-matrix row of one profile (others MEAN or MEDIAN): x (k) and
 * its offset (0 without one). */
int df_post_profile_x(const df_post_fit *f, const df_post_profile *p, const df_post_opts *o,
                      double *x, double *offset, dyadfit_error *err);

/* Cox fits (cox_post.c): the survival S(t | x) at each profile in every
 * stratum (R's order), at the ntimes times given (>= 0, increasing) or,
 * with ntimes = 0, at every event time of the stratum; one row per profile,
 * stratum and time: term "PROFILE[ | STRATUM]", contrast "S(t=T)",
 * std.error S se(H) with the Tsiatis variance (baseline and b), interval on
 * the log(-log S) scale, statistic and p.value NaN. DYADFIT_ERR_SPEC for a
 * fit other than Cox; DYADFIT_ERR_USAGE for bad times, --others observed
 * or simulation. */
int df_post_survival(const df_post_fit *f, const df_post_profile *prof, size_t nprof,
                     const double *times, size_t ntimes, const df_post_opts *o,
                     df_post_table *out, dyadfit_error *err);

/* Writes a table as "csv", "json" or "text". */
int df_post_write(const df_post_table *t, const char *format, FILE *out,
                  dyadfit_error *err);

/* ------------------------------------------------------------ model table */

typedef enum {
    DF_MT_TEXT = 0, DF_MT_MARKDOWN, DF_MT_LATEX, DF_MT_CSV, DF_MT_HTML
} df_mt_format;

typedef struct {
    df_mt_format format;
    int ci;                   /* intervals under the estimates, not SEs */
    int stars;                /* * p<0.05 ** p<0.01 *** p<0.001 */
    int digits;               /* default 3 */
    /* display names: a term equal to rename_from[i] is shown as
     * rename_to[i] (the first match wins); terms are matched across models
     * by their own names either way */
    const char *const *rename_from, *const *rename_to;
    size_t nrename;
    /* statistics rows, comma-separated from N, ll, aic, bic, r2, clusters,
     * vce, in the order wanted; NULL: all of them */
    const char *stats;
} df_mt_opts;

/* One column per model, rows = union of terms in order of first
 * appearance; N, log-likelihood, AIC, BIC, pseudo R2, clusters and the
 * variance type at the bottom. names may be NULL ("(1)", "(2)", ...). */
int df_post_model_table(const df_post_fit *const *fits, size_t nfit,
                        const char *const *names, const df_mt_opts *o,
                        FILE *out, dyadfit_error *err);

#endif
