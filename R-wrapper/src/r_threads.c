/*
 * r_threads.c -- the library's thread count (dyadfit_threads() and the
 * fitting functions' `threads` argument) and the interrupt check the
 * fitting entry points install around dyadfit_fit.
 *
 * Interrupts: the library polls its interrupt callback once per solver
 * iteration from the calling thread (R's main thread). The callback asks R
 * whether the user pressed Ctrl-C through R_ToplevelExec, so the
 * R_CheckUserInterrupt longjmp ends inside that call and never crosses the
 * library's frames; the library then unwinds normally (freeing what it
 * allocated) and the entry point raises the R condition.
 */
#include "r_glue.h"

/* R's check, run inside R_ToplevelExec: returns normally when no
 * interrupt is pending, longjmps to R_ToplevelExec's context otherwise. */
static void check_interrupt(void *unused)
{
    (void)unused;
    R_CheckUserInterrupt();
}

/* Test hook (.test_interrupt_after()): >= 0 simulates an interrupt after
 * that many polls of each fit, so the R tests can run the whole path. */
static int test_after = -1;

static int intr_poll(void *ctx)
{
    dyadfit_r_intr *s = ctx;
    if (s->hit) return 1;     /* keep answering: later solves of the call */
    s->polls++;
    if (test_after >= 0 && s->polls > test_after) s->hit = 1;
    else if (!R_ToplevelExec(check_interrupt, NULL)) s->hit = 1;
    return s->hit;
}

void dyadfit_r_intr_begin(dyadfit_r_intr *s)
{
    s->hit = 0;
    s->polls = 0;
    dyadfit_set_interrupt(intr_poll, s);
}

void dyadfit_r_intr_end(void)
{
    dyadfit_set_interrupt(NULL, NULL);
}

void dyadfit_r_interrupted(void)
{
    /* the R side (fit_binary, fit_table_model) turns this message into a
     * condition of class "interrupt" */
    Rf_error("dyadfit: interrupted");
}

SEXP dyadfit_r_test_interrupt(SEXP after)
{
    if (TYPEOF(after) != INTSXP || XLENGTH(after) != 1)
        Rf_error("dyadfit internal: after must be one integer");
    int a = INTEGER(after)[0];
    test_after = a == NA_INTEGER || a < 0 ? -1 : a;
    return R_NilValue;
}

/* n: 0 (the default: OMP_NUM_THREADS, else the cores) or 1..1024; returns
 * the count the library uses from now on. */
SEXP dyadfit_r_threads(SEXP n)
{
    if (TYPEOF(n) != INTSXP || XLENGTH(n) != 1 || INTEGER(n)[0] == NA_INTEGER ||
        INTEGER(n)[0] < 0 || INTEGER(n)[0] > DYADFIT_MAX_THREADS)
        Rf_error("dyadfit internal: threads must be one integer in 0..%d",
                 DYADFIT_MAX_THREADS);
    dyadfit_set_threads(INTEGER(n)[0]);
    return Rf_ScalarInteger(dyadfit_get_threads());
}
