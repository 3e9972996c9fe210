/*
 * result.h -- the one result model every renderer reads (layer 7). Filled by
 * dyadfit_fit (src/api), read by the report renderers and accessors.
 */
#ifndef DF_RESULT_H
#define DF_RESULT_H

#include <stddef.h>
#include "dyadfit.h"

struct dyadfit_result {
    dyadfit_estimator estimator;
    char *formula;            /* as given by the user */
    char *filter;             /* the model's row filter (--if), or NULL */
    char *response;
    char *data_path;          /* file the data came from, or NULL */
    char sha256[65];
    size_t k;
    char **terms;             /* k names, R model.matrix style */
    double *coef;             /* k */
    double *vcov;             /* k x k */
    double nobs;              /* N: rows used, or sum of frequency weights */
    size_t nrows_source;      /* rows in the table */
    size_t nrows_used;
    size_t nrows_filtered;    /* excluded by the model's row filter */
    size_t nrows_dropped;     /* missing values + separation */
    double loglik, loglik0;
    int iterations, converged;
    double max_gradient;
    dyadfit_vce vce;
    dyadfit_ssc ssc;
    dyadfit_information information;
    char *cluster[2];         /* cluster variable names, or NULL */
    size_t ncluster;          /* dimensions */
    size_t ng[3];             /* clusters: dim 1, dim 2, intersection */
    double ssc_factor;        /* c applied (first dimension for two-way) */
    double ssc_factors[3];
    char *weights;
    dyadfit_weight_type weight_type;
    char *offset;
    double level;             /* confidence level */
    double *p_value;          /* k, or NULL: Wald p-values from coef, vcov */
    double *conf_low;         /* k, or NULL: Wald intervals */
    double *conf_high;
    char *inference;          /* how p_value/conf_* were made, or NULL (Wald) */
    char *subtitle;           /* e.g. "Efron ties", "prior correction,
                                 tau = 0.0034", or NULL */
    char *notes;              /* '\n'-separated lines, or "" */
    dyadfit_ties ties;        /* Cox: the ties method (saved as model.ties) */
    /* One-step BTSCS (dyadfit_model.spells): how the peace years were made,
     * so that a saved fit can make them again; event NULL: none. The
     * filter above already holds the ongoing-year exclusion. */
    struct {
        char *event, *time, *unit, *ongoing;     /* ongoing may be NULL */
        char *name, *spell_name, *drop_name, *number_name, *spline_prefix;
        int splines;
        dyadfit_gap gap;
        int drop_ongoing;
    } spells;
};

/* Display name of an estimator ("logit") and a title ("Logistic
 * regression"); name of a variance type and small-sample preset. */
const char *df_estimator_name(dyadfit_estimator e);
const char *df_estimator_title(dyadfit_estimator e);
const char *df_vce_name(dyadfit_vce v);
const char *df_ssc_name(dyadfit_ssc s);

/* One row of the coefficient table: z statistic, p value and the level's
 * normal-theory interval, computed from coef and vcov. */
typedef struct {
    double estimate, std_error, statistic, p_value, conf_low, conf_high;
} df_coef_row;
df_coef_row df_result_row(const dyadfit_result *r, size_t j);

/* One line describing the variance estimator, its information matrix,
 * cluster counts and small-sample factor(s). */
void df_vce_description(const dyadfit_result *r, char *buf, size_t size);

/* Renderers, one per format (report/<format>.c). */
int df_report_text(const dyadfit_result *r, FILE *out);
int df_report_csv(const dyadfit_result *r, FILE *out);
int df_report_json(const dyadfit_result *r, FILE *out);
int df_report_markdown(const dyadfit_result *r, FILE *out);
int df_report_latex(const dyadfit_result *r, FILE *out);

#endif
