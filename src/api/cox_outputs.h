/* cox_outputs.h -- the Cox model's tables after the fit (cox_outputs.c):
 * baseline cumulative hazard and residuals, as dyadfit.h describes them
 * under dyadfit_cox_outputs. */
#ifndef DF_COX_OUTPUTS_H
#define DF_COX_OUTPUTS_H

#include "api_int.h"
#include "../fit/cox.h"

/* Fills o->basehaz_table and o->residual_table as o asks, from the design
 * d the fit cf was made on (cf must hold Schoenfeld residuals when they
 * are asked for) and the table t the design came from (strata labels).
 * On error both stay NULL. */
int df_api_cox_outputs(const dyadfit_table *t, const dyadfit_model *m,
                       const df_design *d, const df_cox_fit *cf,
                       dyadfit_cox_outputs *o, dyadfit_error *err);

#endif
