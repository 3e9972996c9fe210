/* init.c -- registration of the .Call entry points (no dynamic lookup). */
#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>
#include "r_glue.h"

/* r_alliances.c (declared here: r_glue.h is shared) */
SEXP dyadfit_r_alliances(SEXP dycols, SEXP alcols, SEXP capcols, SEXP stcols,
                         SEXP names, SEXP iopt);
/* r_post.c */
SEXP dyadfit_r_post(SEXP cols, SEXP labels, SEXP coef, SEXP vcov, SEXP expected,
                    SEXP what, SEXP profiles, SEXP vars, SEXP iopt, SEXP dopt);

static const R_CallMethodDef call_methods[] = {
    {"dyadfit_r_fit", (DL_FUNC)&dyadfit_r_fit, 10},
    {"dyadfit_r_fit_table", (DL_FUNC)&dyadfit_r_fit_table, 6},
    {"dyadfit_r_btscs", (DL_FUNC)&dyadfit_r_btscs, 3},
    {"dyadfit_r_cox_outputs", (DL_FUNC)&dyadfit_r_cox_outputs, 6},
    {"dyadfit_r_cox_survival", (DL_FUNC)&dyadfit_r_cox_survival, 9},
    {"dyadfit_r_alliances", (DL_FUNC)&dyadfit_r_alliances, 6},
    {"dyadfit_r_read", (DL_FUNC)&dyadfit_r_read, 2},
    {"dyadfit_r_version", (DL_FUNC)&dyadfit_r_version, 0},
    {"dyadfit_r_threads", (DL_FUNC)&dyadfit_r_threads, 1},
    {"dyadfit_r_test_interrupt", (DL_FUNC)&dyadfit_r_test_interrupt, 1},
    {"dyadfit_r_post", (DL_FUNC)&dyadfit_r_post, 10},
    {NULL, NULL, 0}
};

void attribute_visible R_init_dyadfit(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
