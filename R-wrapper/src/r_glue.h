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

SEXP dyadfit_r_fit(SEXP X, SEXP y, SEXP w, SEXP off, SEXP cl, SEXP clnames,
                   SEXP terms, SEXP labels, SEXP iopt, SEXP dopt);
SEXP dyadfit_r_read(SEXP path, SEXP variables);
SEXP dyadfit_r_version(void);

#endif
