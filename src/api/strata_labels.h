/*
 * strata_labels.h -- names and order of the strata of a fit with strata()
 * terms, as survival names them: survreg's scales "Log(scale[LABEL])"
 * (fit_survreg.c) and the strata column of coxph's basehaz() and
 * residuals (cox_outputs.c), in the order of the strata factor's levels.
 *
 * The design numbers strata in order of first appearance; survival's
 * strata() factor sorts its levels by the first variable, then the next
 * (numbers by value, strings by bytes as R in the C locale). A label is
 * built per strata() term, as strata(): the values alone when every
 * variable of the term is a string ("east", "east, 1946"), else
 * "name=value" joined by ", " ("sex=1, ph.ecog=0"); several strata() terms
 * are joined by ", " (survival calls strata(..., shortlabel = TRUE) on
 * them). Numbers are written as R's as.character writes them (15
 * significant digits, 1e+05 when shorter than 100000).
 */
#ifndef DF_STRATA_LABELS_H
#define DF_STRATA_LABELS_H

#include <stddef.h>
#include "dyadfit.h"
#include "../design/design.h"

typedef struct {
    size_t ns;
    size_t *rank;             /* ns: position of design stratum s in R order */
    char **label;             /* ns labels, by design id */
} df_strata_labels;

/* Fills *out for the design d built from formula f on table t (d->strata
 * non-NULL). Errors: DYADFIT_ERR_SYSTEM (out of memory). A strata
 * variable not found in t (not expected: the design found it) gives
 * labels "stratum N" in order of first appearance. */
int df_strata_labels_make(const dyadfit_table *t, const char *f, const df_design *d,
                           df_strata_labels *out, dyadfit_error *err);
void df_strata_labels_free(df_strata_labels *s);

#endif
