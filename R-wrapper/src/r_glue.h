/*
 * r_glue.h -- the R package's adapter to libdyadfit. The library itself has
 * no R in it; these files are the only place R and the library meet.
 *
 * Rule in every entry point: validate the R arguments first, call the
 * library, and on failure copy the library's message, free everything the
 * library returned, and only then call Rf_error (a longjmp: nothing after it
 * runs). Objects the library returns are held by an external pointer with a
 * finalizer from the moment they exist, so even an R allocation failure
 * cannot leak them.
 */
#ifndef DYADFIT_R_GLUE_H
#define DYADFIT_R_GLUE_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include "dyadfit.h"

SEXP dyadfit_r_fit(SEXP X, SEXP y, SEXP w, SEXP off, SEXP cl, SEXP clnames,
                   SEXP terms, SEXP labels, SEXP iopt, SEXP dopt);
SEXP dyadfit_r_fit_table(SEXP cols, SEXP labels, SEXP clnames, SEXP rename,
                         SEXP iopt, SEXP dopt);
SEXP dyadfit_r_btscs(SEXP cols, SEXP names, SEXP iopt);
/* r_cox.c: a Cox fit's baseline hazard and residuals (refit with
 * cox_outputs), and survival curves at profiles (post/cox_post.c) */
SEXP dyadfit_r_cox_outputs(SEXP cols, SEXP labels, SEXP clnames, SEXP iopt,
                           SEXP dopt, SEXP what);
SEXP dyadfit_r_cox_survival(SEXP cols, SEXP labels, SEXP clnames, SEXP iopt,
                            SEXP dopt, SEXP coef, SEXP vcov, SEXP pcols,
                            SEXP times);
SEXP dyadfit_r_read(SEXP path, SEXP variables);
SEXP dyadfit_r_version(void);

/* r_fit.c: the model fields from R's fit_options() vectors, and their
 * check (labels: nlabels strings; iopt, dopt: the option vectors). */
void dyadfit_r_set_model(dyadfit_model *m, SEXP iopt, SEXP dopt);
void dyadfit_r_check_opts(SEXP labels, R_xlen_t nlabels, SEXP iopt, SEXP dopt);

/* r_table.c: a dyadfit_table from a named list of double or character
 * vectors of one length, held by a new external pointer (PROTECTed: the
 * caller UNPROTECTs one) whose finalizer frees it. */
SEXP dyadfit_r_table(SEXP cols, dyadfit_table **out);
/* r_threads.c: the thread count, and the interrupt check around a fit:
 *   dyadfit_r_intr s; dyadfit_r_intr_begin(&s);
 *   rc = dyadfit_fit(...);          (no R calls in between)
 *   dyadfit_r_intr_end();
 *   if (s.hit) { free everything; dyadfit_r_interrupted(); }
 * s.hit is set when the user interrupted (even if the fit then completed,
 * e.g. when only an auxiliary solve saw it). */
typedef struct {
    int hit;
    int polls;
} dyadfit_r_intr;
void dyadfit_r_intr_begin(dyadfit_r_intr *s);
void dyadfit_r_intr_end(void);
void dyadfit_r_interrupted(void) __attribute__((noreturn));
SEXP dyadfit_r_threads(SEXP n);
SEXP dyadfit_r_test_interrupt(SEXP after);

/* The library's message (or the code's text) raised as an R error. */
void dyadfit_r_fail(int rc, const dyadfit_error *err) __attribute__((noreturn));

#endif
