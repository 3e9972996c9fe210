/*
 * api_int.h -- private to src/api: the estimator families' entry points and
 * the pieces they share (common.c).
 */
#ifndef DF_API_INT_H
#define DF_API_INT_H

#include "dyadfit.h"
#include "../util/util.h"
#include "../table/table.h"
#include "../design/design.h"
#include "../fit/fit.h"
#include "../vce/vce.h"
#include "../report/result.h"

/* Appends a formatted line to r->notes. */
int df_api_note(dyadfit_result *r, const char *fmt, ...) DF_PRINTF(2, 3);
int df_api_check_model(const dyadfit_model *m, dyadfit_error *err);
/* Notes for rows dropped (per variable) and collinear columns dropped. */
int df_api_design_notes(const df_design *d, dyadfit_result *r);
int df_api_copy_strings(dyadfit_result *r, const dyadfit_model *m,
                        const df_design *d, const char *path, const char *sha256,
                        const char *const cluster[2], const char *weights,
                        const char *offset);
/* The design spec of m on t; *filter holds the evaluated --if (or NULL). */
int df_api_design_spec(const dyadfit_table *t, const dyadfit_model *m,
                       int binary_response, df_design_spec *spec,
                       unsigned char **filter, dyadfit_error *err);
/* Sets the options, row counts and design notes of r from m and d. */
void df_api_result_init(dyadfit_result *r, const dyadfit_model *m,
                        const df_design *d);
/* Allocates terms, coef, vcov for d's k columns; copies beta; sets N. */
int df_api_set_coef(dyadfit_result *r, const df_design *d, const double *beta,
                    dyadfit_error *err);
/* Fills r->vcov (allocated) with the model's variance from info + scores. */
int df_api_vce(dyadfit_result *r, const df_design *d, const dyadfit_model *m,
               const double *info, const df_scores *sc, dyadfit_error *err);
/* Separation check before a binary fit: an error naming the terms, or with
 * m->drop_separated the terms and rows dropped from d. */
int df_api_separation(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                      dyadfit_error *err);

/* Estimator families. r is allocated and its common fields are set. */
int df_api_fit_binomial(df_design *d, const dyadfit_model *m,
                        dyadfit_result *r, dyadfit_error *err);
int df_api_fit_rare(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                    dyadfit_error *err);
/* Conditional logit (m->group) and logit with absorbed fixed effects
 * (m->absorb); the design carries the group ids. */
int df_api_fit_clogit(df_design *d, const dyadfit_model *m, dyadfit_result *r,
                      dyadfit_error *err);
/* Cox builds its own design (Surv() response, strata()). */
int df_api_fit_cox(const dyadfit_table *t, const dyadfit_model *m,
                   dyadfit_result **out, dyadfit_error *err);

/* Weibull and exponential models (Surv() response), PH or AFT metric. */
int df_api_fit_survreg(const dyadfit_table *t, const dyadfit_model *m,
                       dyadfit_result **out, dyadfit_error *err);

/* One-step BTSCS (m->spells): peace years on a view of t, then the fit. */
int df_api_fit_spells(const dyadfit_table *t, const dyadfit_model *m,
                      dyadfit_result **out, dyadfit_error *err);
/* The btscs options a one-step fit uses: o with the spell number added as
 * "spellnum" unless named, so that strata(spellnum) gives PWP models. */
dyadfit_btscs_opts df_api_spell_defaults(const dyadfit_btscs_opts *o);
/* The names of the columns dyadfit_btscs would add with o (defaults
 * filled in), in its order: peace years, spell, [drop flag], splines.
 * Returns how many (at most cap); names longer than 255 are cut. */
size_t df_btscs_column_names(const dyadfit_btscs_opts *o, char (*names)[256],
                             size_t cap);

#endif
