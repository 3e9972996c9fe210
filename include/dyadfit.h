/*
 * dyadfit.h -- the public interface of libdyadfit.
 *
 * Ownership: every object returned through an out-pointer by a function named
 * dyadfit_*_new, dyadfit_read or dyadfit_fit belongs to the caller until the
 * matching dyadfit_*_free; pointers returned by accessors (names, arrays,
 * strings) stay owned by the object and live as long as it does.
 *
 * The library never prints, never exits and never aborts: every failure
 * returns a non-zero dyadfit_code and fills a dyadfit_error whose message
 * names the file, variable, row or iteration involved.
 */
#ifndef DYADFIT_H
#define DYADFIT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DYADFIT_API __attribute__((visibility("default")))
#else
#define DYADFIT_API
#endif

#define DYADFIT_VERSION "0.1.0"

/* Error codes double as the command line's exit codes. */
typedef enum {
    DYADFIT_OK = 0,
    DYADFIT_ERR_USAGE = 1,   /* bad arguments or options */
    DYADFIT_ERR_DATA = 2,    /* unreadable, malformed or unusable input data */
    DYADFIT_ERR_SPEC = 3,    /* bad model specification (formula, variables) */
    DYADFIT_ERR_ESTIM = 4,   /* estimation failed (separation, singular, ...) */
    DYADFIT_ERR_SYSTEM = 5,  /* out of memory, cannot write output */
    DYADFIT_ERR_INTERRUPTED = 6 /* stopped by the caller's interrupt
                                   callback (dyadfit_set_interrupt) */
} dyadfit_code;

typedef struct {
    int code;
    char message[512];
} dyadfit_error;

DYADFIT_API const char *dyadfit_strerror(int code);
DYADFIT_API const char *dyadfit_version(void);

/* ---------------------------------------------------------------- tables */

typedef struct dyadfit_table dyadfit_table; /* opaque columnar data set */

typedef struct {
    /* Only read these variables (NULL: all). Saves memory on wide files. */
    const char *const *variables;
    size_t nvariables;
} dyadfit_read_opts;

/* Reads .dta .sav .zsav .por .sas7bdat .xpt (ReadStat) or .csv, chosen by
 * the file's extension. opts may be NULL. */
DYADFIT_API int dyadfit_read(const char *path, const dyadfit_read_opts *opts,
                             dyadfit_table **out, dyadfit_error *err);
DYADFIT_API void dyadfit_table_free(dyadfit_table *t);

DYADFIT_API size_t dyadfit_table_nrow(const dyadfit_table *t);
DYADFIT_API size_t dyadfit_table_ncol(const dyadfit_table *t);
DYADFIT_API const char *dyadfit_table_colname(const dyadfit_table *t, size_t j);
/* The file the table came from and the SHA-256 of its bytes (hex), or "" for
 * tables built in memory. */
DYADFIT_API const char *dyadfit_table_path(const dyadfit_table *t);
DYADFIT_API const char *dyadfit_table_checksum(const dyadfit_table *t);

/* Building a table in memory (used by the R package and by tests). The
 * values are copied. NaN marks a missing number, NULL a missing string. */
DYADFIT_API int dyadfit_table_new(size_t nrow, dyadfit_table **out,
                                  dyadfit_error *err);
DYADFIT_API int dyadfit_table_add_numeric(dyadfit_table *t, const char *name,
                                          const double *values,
                                          dyadfit_error *err);
DYADFIT_API int dyadfit_table_add_string(dyadfit_table *t, const char *name,
                                         const char *const *values,
                                         dyadfit_error *err);

/* ---------------------------------------------------------------- models */

typedef enum {
    DYADFIT_LOGIT = 0,
    DYADFIT_PROBIT = 1,
    DYADFIT_CLOGLOG = 2,
    DYADFIT_RELOGIT = 3,     /* rare-events logit (King & Zeng 2001) */
    DYADFIT_FIRTH = 4,       /* penalised-likelihood logit (Firth 1993) */
    DYADFIT_COX = 5,         /* Cox proportional hazards: Surv() formula */
    DYADFIT_CLOGIT = 6,      /* conditional (fixed-effects) logit: group */
    DYADFIT_FELOGIT = 7,     /* unconditional logit with absorbed effects */
    DYADFIT_WEIBULL = 8,     /* parametric survival: Surv() formula */
    DYADFIT_EXPONENTIAL = 9
} dyadfit_estimator;

typedef enum {
    DYADFIT_ZPH_NONE = 0,    /* no proportional-hazards test */
    DYADFIT_ZPH_KM = 1,      /* survival::cox.zph transforms */
    DYADFIT_ZPH_IDENTITY = 2,
    DYADFIT_ZPH_RANK = 3
} dyadfit_zph;

/* Cox: what to compute from the fit besides the coefficients
 * (dyadfit_model.cox_outputs). Each output is a table (free it with
 * dyadfit_table_free, or all of them with dyadfit_cox_outputs_free):
 *
 * basehaz_table: the baseline cumulative hazard at covariates = 0 and
 *   offset 0, as survival::basehaz(fit, centered = FALSE) and Stata's
 *   stcox basechazard: one row per distinct stop time (event or censored)
 *   in each stratum, columns [strata] time n_risk n_event cumhaz survival.
 *   n_risk and n_event are sums of the case weights (counts without
 *   weights), as survfit.coxph's n.risk and n.event; cumhaz is the Breslow
 *   estimator for Breslow fits and the Efron-adjusted one for Efron fits
 *   (survfit's default); survival = exp(-cumhaz). strata (string, only
 *   with strata()) is labelled as survival labels strata: "east" when every
 *   strata variable is a string, else "region=2, era=1"; strata come in
 *   R's order (sorted by the first variable, then the next; strings in
 *   byte order, as R in the C locale).
 *
 * residual_table: residuals(fit, type) of survival::coxph, one row per row
 *   used by the fit, first column `row` = the 1-based row of the table
 *   (rows dropped for missing values or by the filter are absent):
 *     martingale, deviance  one column of that name (unweighted, as R)
 *     score                 one column per coefficient (unweighted)
 *     dfbeta                one per coefficient: w_i score_i V, V the
 *                           inverse information (model-based even with a
 *                           robust or cluster variance, and per row, not
 *                           summed by cluster: R's collapse = FALSE)
 *     schoenfeld            event rows only, ordered by stratum, time and
 *                           row as R orders them: row [strata] time, then
 *                           one column per coefficient (unweighted) */
typedef enum {
    DYADFIT_RESID_NONE = 0,
    DYADFIT_RESID_MARTINGALE = 1,
    DYADFIT_RESID_DEVIANCE = 2,
    DYADFIT_RESID_SCORE = 3,
    DYADFIT_RESID_SCHOENFELD = 4,
    DYADFIT_RESID_DFBETA = 5
} dyadfit_residual;

typedef struct dyadfit_cox_outputs {
    int basehaz;                      /* in: 1 to fill basehaz_table */
    dyadfit_residual residuals;       /* in: the type, or NONE */
    dyadfit_table *basehaz_table;     /* out: NULL on entry */
    dyadfit_table *residual_table;    /* out: NULL on entry */
} dyadfit_cox_outputs;

/* Frees both tables and sets them to NULL (the request stays). */
DYADFIT_API void dyadfit_cox_outputs_free(dyadfit_cox_outputs *o);
/* "martingale", ... for a type; and the type of a name, or -1. */
DYADFIT_API const char *dyadfit_residual_name(dyadfit_residual r);
DYADFIT_API int dyadfit_residual_parse(const char *name);

typedef enum {
    DYADFIT_TIES_EFRON = 0,  /* survival::coxph's default */
    DYADFIT_TIES_BRESLOW = 1 /* Stata stcox's default */
} dyadfit_ties;

typedef enum {
    DYADFIT_CORRECTION_PRIOR = 0,     /* relogit: prior correction */
    DYADFIT_CORRECTION_WEIGHTING = 1  /* relogit: weighting correction */
} dyadfit_correction;

typedef enum {
    DYADFIT_VCE_OIM = 0,     /* inverse information */
    DYADFIT_VCE_ROBUST = 1,  /* heteroskedasticity-robust sandwich */
    DYADFIT_VCE_CLUSTER = 2, /* one-way or two-way (two cluster variables) */
    DYADFIT_VCE_BOOTSTRAP = 3 /* bootstrap (logit, probit, cloglog): the
                                covariance of the estimates refitted on
                                `reps` resamples of the rows, or of whole
                                clusters of cluster[0] when it is given
                                (cluster[1] must be NULL); seeded by `seed`
                                (docs/bootstrap.md) */
} dyadfit_vce;

/* Small-sample factor c in V = c H^-1 M H^-1 (robust and cluster). With G
 * clusters, N observations, K coefficients:
 *   STATA: G/(G-1) (cluster), N/(N-1) (robust): Stata's ML commands
 *   HC0:   1                                   : sandwich type "HC0"
 *   HC1:   G/(G-1) (N-1)/(N-K) (cluster), N/(N-K) (robust): sandwich "HC1" */
typedef enum {
    DYADFIT_SSC_STATA = 0,
    DYADFIT_SSC_HC0 = 1,
    DYADFIT_SSC_HC1 = 2
} dyadfit_ssc;

typedef enum {
    DYADFIT_WEIGHT_NONE = 0,
    DYADFIT_WEIGHT_FREQUENCY = 1,   /* Stata fweight: rows stand for w copies */
    DYADFIT_WEIGHT_PROBABILITY = 2  /* Stata pweight: sampling weights */
} dyadfit_weight_type;

/* Which matrix serves as the information (bread): the observed negative
 * Hessian (Stata's default, "oim") or the expected information (R's glm and
 * sandwich). They coincide for logit. */
typedef enum {
    DYADFIT_INFO_OBSERVED = 0,
    DYADFIT_INFO_EXPECTED = 1
} dyadfit_information;

typedef struct {
    dyadfit_estimator estimator;
    const char *formula;           /* "y ~ x1 + factor(x2) + log(x3)" */
    const char *filter;            /* rows to use, R subset() syntax:
                                      "year >= 1946 & contig == 1", or NULL */
    const char *weights;           /* variable name or NULL */
    dyadfit_weight_type weight_type;
    const char *offset;            /* variable name or NULL */
    dyadfit_vce vce;
    const char *cluster[2];        /* cluster variables (second may be NULL) */
    dyadfit_ssc ssc;
    dyadfit_information information;
    int drop_separated;            /* drop perfect predictors as Stata does */
    int fix_psd;                   /* clip negative eigenvalues (two-way) */
    int maxiter;                   /* default 100 */
    double tolerance;              /* default 1e-10 (relative loglik change) */
    double level;                  /* confidence level, default 0.95 */
    /* vce bootstrap: replications (default 200, also when 0; 2 to
       1000000) and the seed of the random draws (default 12345): the same
       seed gives the same variance, whatever the number of threads or MPI
       ranks */
    int reps;
    unsigned long seed;

    /* relogit */
    double tau;                    /* population share of ones; 0: not known
                                      (bias correction only) */
    double tau_upper;              /* > 0: tau range (tau, tau_upper) */
    dyadfit_correction correction;
    int no_bias_correction;
    /* firth */
    int wald_ci;                   /* Wald intervals and p-values instead of
                                      profile penalised likelihood (default) */
    /* cox */
    dyadfit_ties ties;
    dyadfit_zph zph;               /* proportional-hazards test after a fit */
    dyadfit_cox_outputs *cox_outputs; /* NULL, or tables to compute: a
                                      successful Cox fit fills its out
                                      fields (the caller owns them); on an
                                      error they stay NULL. Other
                                      estimators ignore it. */
    /* weibull, exponential: 0 proportional hazards metric (Stata streg
       default), 1 accelerated failure time (survival::survreg) */
    int aft;
    /* clogit: the matched groups (e.g. dyad); felogit: up to two sets of
       fixed effects absorbed (e.g. dyad and year) */
    const char *group;
    const char *absorb[2];
    /* cox: the subject of counting-process rows (e.g. dyad; survival's
       id): its (start, stop] intervals must not overlap (an error names
       the two rows); NULL: not checked */
    const char *id;
    /* One-step BTSCS: non-NULL computes peace years (dyadfit_btscs with
       these options) on every row of the table before the filter and the
       fit, as new columns of a view of it (the table is not changed); a
       column of the table with one of their names is replaced for the fit.
       With drop_ongoing the ongoing years are left out of the fit. */
    const struct dyadfit_btscs_opts *spells;
} dyadfit_model;

/* Fills in the defaults; call before setting fields. */
DYADFIT_API void dyadfit_model_init(dyadfit_model *m);

/* --------------------------------------------------------------- results */

typedef struct dyadfit_result dyadfit_result; /* opaque */

DYADFIT_API int dyadfit_fit(const dyadfit_table *t, const dyadfit_model *m,
                            dyadfit_result **out, dyadfit_error *err);
DYADFIT_API void dyadfit_result_free(dyadfit_result *r);

/* A ready design (the R package builds it with model.frame/model.matrix).
 * Arrays are read, not kept. Rows must be complete: a NaN or Inf is an
 * error naming the row. Perfectly collinear columns are dropped with a note,
 * as from a table. */
typedef struct {
    size_t n, k;
    const double *X;               /* n x k, column-major */
    const char *const *terms;      /* k column names; "(Intercept)" marks the
                                      intercept */
    const double *y;               /* n, 0/1 */
    const double *weights;         /* n or NULL (type: model->weight_type) */
    const double *offset;          /* n or NULL */
    const int *cluster[2];         /* n integer codes per dimension, or NULL */
    const char *cluster_names[2];  /* for reports */
    const char *response;          /* for reports */
} dyadfit_matrix;

/* As dyadfit_fit, from a design; model->formula is only reported, and
 * model->weights/offset/cluster names are ignored (the arrays are used). */
DYADFIT_API int dyadfit_fit_matrix(const dyadfit_matrix *x,
                                   const dyadfit_model *m,
                                   dyadfit_result **out, dyadfit_error *err);

DYADFIT_API size_t dyadfit_result_ncoef(const dyadfit_result *r);
DYADFIT_API const char *dyadfit_result_term(const dyadfit_result *r, size_t j);
DYADFIT_API const double *dyadfit_result_coef(const dyadfit_result *r,
                                              size_t *k);
/* k x k, symmetric (row- and column-major alike). */
DYADFIT_API const double *dyadfit_result_vcov(const dyadfit_result *r);

typedef enum {
    DYADFIT_STAT_NOBS = 0,       /* rows used (sum of weights for fweights) */
    DYADFIT_STAT_NROWS_USED,     /* rows used */
    DYADFIT_STAT_NROWS_DROPPED,  /* rows dropped (missing values, separation) */
    DYADFIT_STAT_LOGLIK,
    DYADFIT_STAT_LOGLIK0,        /* intercept-only (with offset) */
    DYADFIT_STAT_PSEUDO_R2,      /* McFadden */
    DYADFIT_STAT_ITERATIONS,
    DYADFIT_STAT_CONVERGED,      /* 1 or 0 */
    DYADFIT_STAT_NCLUSTER1,
    DYADFIT_STAT_NCLUSTER2,
    DYADFIT_STAT_SSC_FACTOR,     /* the small-sample factor c applied */
    DYADFIT_STAT_MAX_GRADIENT,
    DYADFIT_STAT_NROWS_FILTERED  /* rows excluded by the model's filter */
} dyadfit_stat;
DYADFIT_API double dyadfit_result_stat(const dyadfit_result *r,
                                       dyadfit_stat s);

/* Notes about the fit, one per line: rows dropped and why, collinear or
 * separated terms dropped, a variance matrix repaired, non-convergence. */
DYADFIT_API const char *dyadfit_result_notes(const dyadfit_result *r);

/* ---------------------------------------------------------------- report */

typedef enum {
    DYADFIT_FORMAT_TEXT = 0,
    DYADFIT_FORMAT_CSV,
    DYADFIT_FORMAT_JSON,
    DYADFIT_FORMAT_MARKDOWN,
    DYADFIT_FORMAT_LATEX
} dyadfit_format;

DYADFIT_API int dyadfit_report(const dyadfit_result *r, dyadfit_format f,
                               FILE *out, dyadfit_error *err);

/* Per-variable summary of a table, as Stata's describe + codebook and R's
 * summary(): name, variable label, storage type, N (non-missing), missing
 * (total and by missing code: Stata '.' and .a-.z, SPSS user-missing),
 * mean, sd (n - 1 denominator, as R's sd()), min, max, the number of
 * distinct non-missing values, value labels. One pass per column plus a
 * sort of a copy of its values for the distinct count. Formats: text (value
 * labels listed under each variable, up to max_value_labels, then "..."),
 * csv (one row per variable, %.17g, empty for not available), json,
 * markdown. dyadfit_describe describes every variable and row;
 * dyadfit_describe_with takes options (NULL: the defaults). Errors:
 * DYADFIT_ERR_USAGE (format latex), DYADFIT_ERR_SPEC (unknown variable, a
 * bad filter expression), DYADFIT_ERR_SYSTEM (memory, write failure). */
typedef struct {
    const char *const *variables;  /* variables to describe, in this order
                                      (NULL: all, in table order) */
    size_t nvariables;
    const char *filter;            /* rows to use, R subset() syntax, or NULL */
    size_t max_value_labels;       /* text and markdown: labels listed per
                                      variable (default 10) */
} dyadfit_describe_opts;

DYADFIT_API void dyadfit_describe_opts_init(dyadfit_describe_opts *o);
DYADFIT_API int dyadfit_describe(const dyadfit_table *t, dyadfit_format f,
                                 FILE *out, dyadfit_error *err);

/* Is the outcome of binary model m separated? The linear program of Konis
 * (2007), as R's detectseparation, on the design dyadfit_fit would build:
 * names the terms whose estimates are infinite and their direction. Report
 * as text, csv or json. Returns 0 whether or not the data are separated. */
DYADFIT_API int dyadfit_separation(const dyadfit_table *t,
                                   const dyadfit_model *m, dyadfit_format f,
                                   FILE *out, dyadfit_error *err);
DYADFIT_API int dyadfit_describe_with(const dyadfit_table *t,
                                      const dyadfit_describe_opts *o,
                                      dyadfit_format f, FILE *out,
                                      dyadfit_error *err);

/* ------------------------------------------- btscs: peace years (prepare)
 *
 * dyadfit_btscs appends to t, per row, the years since the unit's last event
 * (Beck, Katz & Tucker 1998; Tucker's btscs rules: 0 in a unit's first
 * observed year and in the year after an event, the event year carrying the
 * count on), the spell id (1.., numbered in sorted unit-time order) and, with
 * splines = k > 0, the natural cubic spline basis columns _spline1.._splinek
 * (prefix configurable) of splines::ns(peaceyrs, df = k) (knots at the quantiles of the peace years
 * of the rows kept). With an ongoing variable, years of a continuing dispute
 * without onset count as dispute years and get _drop = 1 (a column added);
 * with drop_ongoing their new values are also missing, so a fit leaves them
 * out. Rows with a missing event (or ongoing) value get missing values.
 * Errors: DYADFIT_ERR_SPEC (unknown or wrong-type variable, a new column
 * name already in t without replace), DYADFIT_ERR_DATA (missing unit or
 * time, non-integer time, event not 0/1, duplicate unit-time rows: both rows
 * named). On error t is unchanged. */
typedef enum {
    DYADFIT_GAP_BTSCS = 0,    /* as btscs: a gap inside a spell does not
                                 break it */
    DYADFIT_GAP_CONTINUE = 1, /* calendar years since the last event */
    DYADFIT_GAP_RESTART = 2   /* every gap starts a new spell at 0 */
} dyadfit_gap;

typedef struct dyadfit_btscs_opts {
    const char *event;        /* 0/1 onset variable (required) */
    const char *time;         /* integer time variable (required) */
    const char *unit;         /* unit (dyad) variable, numeric or string */
    const char *ongoing;      /* 0/1 ongoing-dispute variable, or NULL */
    dyadfit_gap gap;
    int splines;              /* 0: none; k: k spline columns */
    const char *name;         /* peace-years column (default "peaceyrs") */
    const char *spell_name;   /* spell id column (default "spell") */
    const char *spline_prefix;/* spline columns <prefix>1.. (default
                                 "_spline"; SPSS names cannot begin with _) */
    const char *drop_name;    /* ongoing-year flag column (default "_drop") */
    const char *number_name;  /* the spell's number within its unit (1,
                                 2, ...: the event number that strata in a
                                 Prentice-Williams-Peterson Cox model);
                                 NULL: not added */
    int drop_ongoing;         /* ongoing years: new values missing */
    int replace;              /* overwrite existing columns of these names */
} dyadfit_btscs_opts;

DYADFIT_API void dyadfit_btscs_opts_init(dyadfit_btscs_opts *o);
DYADFIT_API int dyadfit_btscs(dyadfit_table *t, const dyadfit_btscs_opts *o,
                              dyadfit_error *err);

/* Writes t to out in `format`: "dta" (Stata 118), "sav" (SPSS) or "csv"
 * (RFC 4180 quoting, %.17g, missing empty). Variable labels and numeric
 * value labels are kept in .dta and .sav. dyadfit_write_format gives the
 * format of a file name by its extension, or NULL. */
DYADFIT_API const char *dyadfit_write_format(const char *path);
DYADFIT_API int dyadfit_write(const dyadfit_table *t, const char *format,
                              FILE *out, dyadfit_error *err);

/* ------------------------------------------------------------- versions
 *
 * dyadfit_versions: dyadfit's version and those of the libraries it runs
 * with, as one line "dyadfit 0.1.0; GSL 2.7.1; OpenBLAS 0.3.21 ...;
 * ReadStat 1.1.8" (fields separated by "; "), for --version and for the
 * provenance recorded in JSON output and saved fits. GSL and OpenBLAS are
 * asked at run time; ReadStat's version is the one of the shared object
 * loaded, where the platform can tell, else "(version unknown)". The
 * string is static and built once (thread-safe). */
DYADFIT_API const char *dyadfit_versions(void);

/* ------------------------------------------------- alliances (prepare)
 *
 * dyadfit_alliances appends alliance measures to a (directed) dyad-year
 * table `dyads`, computed from a dyad-year alliance table (ATOP form:
 * ccode1 ccode2 year defense offense neutrality nonagg consul) and a
 * state-year capability table (ccode year cinc [region]): the definitions
 * are in docs/alliance_measures.md. Groups of measures (o->measures, a
 * comma-separated list, NULL or "all": every group):
 *   ties     ally_defense ally_offense ally_neutrality ally_nonagg
 *            ally_consul ally_value
 *   allycap  n_def_allies1 cap_def_allies1 n_def_allies2 cap_def_allies2
 *            cap_balance_allies
 *   sscore   s_unweighted s_weighted [s_unweighted_region s_weighted_region]
 *   taub     tau_b
 *   shared   n_shared_def_allies n_shared_allies
 * Each new column carries a variable label (at most 80 characters, Stata's
 * limit). The regional S-scores need a region column in the capability
 * table (o->region; default "region" when the table has it, "" for none).
 * With a states table (ccode styear endyear: COW's system membership, one
 * row per spell), the system of year t is the capability rows whose state
 * is a member in t; other capability rows are left out and counted.
 * Errors: DYADFIT_ERR_USAGE (unknown measure group), DYADFIT_ERR_SPEC
 * (unknown column, a new column already in dyads without replace),
 * DYADFIT_ERR_DATA (see df_alliance_measures: bad codes or years,
 * negative cinc, ...), DYADFIT_ERR_SYSTEM. On error dyads is unchanged. */
typedef struct {
    const char *ccode1, *ccode2, *year; /* dyad columns (ccode1 ccode2 year) */
    const char *measures;      /* "ties,allycap,sscore,taub,shared" */
    int directed;              /* 1: keep ATOP's directed obligations;
                                  0 (default): ties symmetrised */
    const char *region;        /* capability-table region column; NULL:
                                  "region" if present; "": none */
    int replace;               /* overwrite existing columns of these names */
} dyadfit_alliances_opts;

typedef struct {
    size_t columns_added;
    size_t n_years;            /* distinct years of the dyad table */
    size_t n_dyads_outside;    /* dyad rows with a state outside the system */
    size_t n_ally_rows;        /* alliance rows in those years */
    size_t n_ally_outside;     /* ... naming a state outside the system */
    size_t n_ally_duplicate;   /* ... repeating an (A, B, t): merged */
    size_t n_ally_asymmetric;  /* directed ties differing from the reverse */
    size_t n_cap_missing;      /* system state-years with missing cinc */
    size_t n_cap_not_member;   /* capability rows outside the states table */
} dyadfit_alliances_info;

DYADFIT_API void dyadfit_alliances_opts_init(dyadfit_alliances_opts *o);
/* states may be NULL; info may be NULL. */
DYADFIT_API int dyadfit_alliances(dyadfit_table *dyads,
                                  const dyadfit_table *alliances,
                                  const dyadfit_table *capabilities,
                                  const dyadfit_table *states,
                                  const dyadfit_alliances_opts *o,
                                  dyadfit_alliances_info *info,
                                  dyadfit_error *err);

/* ------------------------------------------------------ model variables */

/* Every variable the model uses, distinct, in order of first appearance:
 * the formula's (response, terms, arguments of calls such as Surv(),
 * strata(), log()), weights, offset, cluster, group, absorb, id, then those of
 * the filter (--if). Pass them as dyadfit_read_opts.variables to read only
 * these columns of a wide file. The list may hold a name that is not a
 * variable of the file (the scan errs on the side of listing); a caller that
 * then fails to read should read all columns, so that fitting reports the
 * unknown name as usual. *names is malloc'ed: free each name and the array
 * with free(). Errors: DYADFIT_ERR_SPEC (no formula, or it does not parse:
 * the message quotes it and names the position), DYADFIT_ERR_USAGE (NULL
 * argument), DYADFIT_ERR_SYSTEM. */
DYADFIT_API int dyadfit_model_variables(const dyadfit_model *m, char ***names,
                                        size_t *n, dyadfit_error *err);

/* Reads path for a fit of m: only the variables dyadfit_model_variables
 * lists, or, when that fails (a name not in the file, a formula that does
 * not parse), every column, so that fitting reports the problem as it
 * would on the whole file. *subset (may be NULL) tells which was read.
 * Errors: those of dyadfit_read on the whole file. */
DYADFIT_API int dyadfit_read_for_model(const char *path, const dyadfit_model *m,
                                       dyadfit_table **out, int *subset,
                                       dyadfit_error *err);

/* ---------------------------------------------- progress and threads
 *
 * The library never prints: a caller that wants to show progress sets a
 * callback. It is called from the thread that called the library function
 * (never from a worker thread), at most every ~100,000 rows while reading
 * and once per Newton iteration while fitting, with
 *   stage "scanning": CSV first pass; done = rows found so far, total = 0,
 *                     detail = the file's path
 *   stage "reading":  done = rows read so far, total = rows expected (0
 *                     when the file does not say), detail = the path
 *   stage "fitting":  done = the Newton iteration (1, 2, ...), total = the
 *                     iteration limit, detail = "log likelihood -10721.72"
 * More stages may be added: treat an unknown one as a generic message. The
 * callback must not call back into the library. The setting is
 * process-wide (like GSL's error handler): dyadfit_set_progress may be
 * called at any time and from any thread (the callback and ctx change
 * together), but with several threads inside the library at once the
 * callback is called concurrently from them and must be thread-safe. NULL
 * (the default) turns progress off; then reporting costs one load of a
 * flag per report. */
typedef void (*dyadfit_progress_fn)(void *ctx, const char *stage, double done,
                                    double total, const char *detail);
DYADFIT_API void dyadfit_set_progress(dyadfit_progress_fn fn, void *ctx);

/* Threads the library may use: its own (a binomial GLM on 65,536 rows or
 * more runs its passes in two halves, on two threads when n >= 2) and
 * OpenBLAS's (openblas_set_num_threads). n = 0 (the default): the first
 * entry of OMP_NUM_THREADS when set, else every core online, and OpenBLAS
 * goes back to its own start-up choice. n is clipped to
 * 0..DYADFIT_MAX_THREADS. Estimates do not depend on n: the work is split
 * at the same rows and summed in the same order whatever the thread count.
 * Process-wide; call it before starting work. */
#define DYADFIT_MAX_THREADS 1024
DYADFIT_API void dyadfit_set_threads(int n);
/* The thread count the library uses now (>= 1): n from dyadfit_set_threads,
 * or the default it stands for. */
DYADFIT_API int dyadfit_get_threads(void);

/* Stopping a long fit. The iterative solvers (the Newton driver of the
 * binomial GLMs, relogit, clogit, Cox and Weibull/exponential models, and
 * Firth's iterations, profile intervals included) call fn(ctx) once per
 * iteration from the thread that called the library; a non-zero return
 * stops the fit, which frees what it allocated and returns
 * DYADFIT_ERR_INTERRUPTED ("interrupted by the user at iteration N").
 * After fn has returned non-zero once it is not called again: every later
 * poll answers "stop" until the next dyadfit_set_interrupt (set it again
 * before the next call). A few auxiliary solves (e.g. a null model for
 * loglik0) treat a failure as "value unknown", so a call interrupted there
 * can still return a result: a caller whose fn returned non-zero should
 * discard it. Work outside those loops (reading, the design, the
 * variance) is not interrupted. Process-wide like
 * dyadfit_set_progress, and set with the same care; NULL (the default)
 * turns it off, and then a poll costs one load of a flag. The callback
 * must not call back into the library. */
typedef int (*dyadfit_interrupt_fn)(void *ctx);
DYADFIT_API void dyadfit_set_interrupt(dyadfit_interrupt_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* DYADFIT_H */
