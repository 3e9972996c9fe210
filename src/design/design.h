/*
 * design.h -- formulas and design matrices (layer 3).
 *
 * df_design_build parses an R-style formula, finds every variable the model
 * uses (response, terms, weights, offset, cluster variables), deletes rows
 * with a missing value in any of them (once, so cluster ids stay aligned with
 * rows), expands factors and transforms into columns named as R's
 * model.matrix names them, and drops perfectly collinear columns (keeping the
 * earlier one, as R does), recording a note for each.
 *
 * Supported: y ~ a + b, a:b, a*b, -1 / +0, factor(x), log(x), exp(x),
 * sqrt(x), abs(x), I(expr with + - * / ^ and numbers), poly(x, k, raw = TRUE)
 * (orthogonal poly(x, k) is a specification error asking for raw = TRUE),
 * numeric or string factors (reference level: the lowest value, or the first
 * string in C-locale byte order, where R would use the session's locale).
 *
 * Survival responses (df_design_build_survival, R's survival syntax):
 * Surv(stop, event) ~ terms or Surv(start, stop, event) ~ terms, each Surv()
 * argument a variable or a numeric expression (Surv(py, py + 1, onset));
 * the event is 0/1 (or 1/2, as survival reads it: 2 = event). Terms
 * strata(v1[, v2 ...]) are removed from X and give dense stratum ids (the
 * interaction of the variables, in order of first appearance). As coxph,
 * the columns are those of model.matrix with an intercept (so factors use
 * treatment contrasts) with the intercept column then removed; `- 1` makes
 * no difference. Listwise deletion covers the Surv() and strata variables.
 */
#ifndef DF_DESIGN_H
#define DF_DESIGN_H

#include <stddef.h>
#include "dyadfit.h"
#include "../table/table.h"

typedef struct {
    const char *formula;
    const char *weights;      /* or NULL */
    const char *offset;       /* or NULL */
    const char *cluster[2];   /* or NULL */
    const char *group[2];     /* grouping variables (clogit's matched groups,
                                 felogit's absorbed effects), or NULL; they
                                 join listwise deletion and get dense ids */
    int binary_response;      /* response must be 0/1: error otherwise */
    const unsigned char *row_filter; /* nrow flags (0: row excluded before
                                        listwise deletion, as by --if), or
                                        NULL */
    int keep_columns;         /* 1: no column dropped as zero or collinear,
                                 and a survival design keeps its intercept
                                 column (column 0, intercept = 1): a chunk
                                 of a streamed fit, whose columns are judged
                                 on the whole file (src/stream/cache.c) */
    int event01;              /* survival: the event must be 0/1 (a chunk
                                 cannot tell 1/2 coding from 0/1) */
} df_design_spec;

/* Rows deleted because a variable was missing. A row missing in several
 * variables counts under each of them; `total` in df_design counts rows. */
typedef struct {
    char *variable;
    size_t rows;
} df_drop_count;

typedef struct {
    size_t n;                 /* rows used */
    size_t k;                 /* columns kept */
    double *X;                /* n x k, column-major (X[j*n + i]) */
    double *y;                /* n */
    double *w;                /* n or NULL */
    double *offset;           /* n or NULL */
    size_t ncluster;          /* 0, 1 or 2 cluster dimensions */
    size_t *cl[2];            /* per dimension: n dense ids in 0..ng-1 */
    size_t ng[2];             /* clusters per dimension */
    char **terms;             /* k column names, R style */
    int intercept;            /* 1 when column 0 is "(Intercept)" */
    char *response;           /* response variable name (as written) */
    char *formula;            /* normalised formula text */
    size_t *rows;             /* n: row index in the source table (0-based) */
    size_t nrow_source;       /* rows in the table */
    size_t nfiltered;         /* rows excluded by spec->row_filter */
    size_t ndropped;          /* rows deleted for missing values (among
                                 those the filter kept) */
    df_drop_count *drops;     /* per-variable counts, in formula order */
    size_t ndrops;
    char **collinear;         /* names of columns dropped as collinear */
    size_t ncollinear;
    /* survival responses only (NULL / 0 otherwise); y holds the event */
    double *start;            /* n entry times, or NULL for Surv(stop, event) */
    double *stop;             /* n exit times */
    size_t *strata;           /* n dense stratum ids, or NULL */
    size_t nstrata;           /* strata (0 without strata()) */
    /* grouping variables (spec->group); NULL / 0 when not asked for */
    size_t *group[2];         /* n dense ids per variable, 0..ngroup-1 in
                                 order of first appearance */
    size_t ngroup[2];         /* groups per variable */
    /* column names that were not UTF-8 (Latin-1 factor labels) and were
     * converted to it (utf8.h): how many, and the first as converted */
    size_t nutf8;
    char *utf8_first;
} df_design;

int df_design_build(const dyadfit_table *t, const df_design_spec *spec,
                    df_design **out, dyadfit_error *err);
/* As df_design_build for a Surv() response (binary_response is ignored). */
int df_design_build_survival(const dyadfit_table *t, const df_design_spec *spec,
                             df_design **out, dyadfit_error *err);
void df_design_free(df_design *d);

/* A design from ready arrays (dyadfit_fit_matrix): copies them, checks that
 * every value is finite and the response 0/1 when binary_response, makes
 * dense cluster ids, and drops collinear columns with their names noted. */
int df_design_from_matrix(const dyadfit_matrix *x, int binary_response,
                          df_design **out, dyadfit_error *err);

/* Removes rows where keep[i] == 0 and columns where keepcol[j] == 0
 * (either may be NULL); recomputes cluster and group ids. Used to drop separated
 * observations and predictors. */
int df_design_subset(df_design *d, const unsigned char *keep,
                     const unsigned char *keepcol, dyadfit_error *err);

/* Marks in drop[] (k) the columns of X (n x k, column-major) that are
 * linear combinations of earlier ones, as R's lm does (tolerance 1e-7);
 * used on columns with fixed effects partialled out (clogit, felogit). */
int df_design_find_collinear(const double *X, size_t n, size_t k,
                             unsigned char *drop, dyadfit_error *err);

#endif
