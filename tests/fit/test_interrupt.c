/*
 * test_interrupt.c -- dyadfit_set_interrupt and dyadfit_get_threads.
 *
 * For every estimator with an iterative solver (logit, probit, relogit,
 * Firth with its profile intervals, clogit, Cox, Weibull) through the public API on a generated table:
 * a callback that never asks to stop is polled at least once per fit and
 * changes no number; one that asks to stop after k polls makes dyadfit_fit
 * return DYADFIT_ERR_INTERRUPTED with a message naming the iteration and
 * no result, at the first poll (k = 0), in the middle, and on the last
 * poll of a complete run (for Firth: inside the profile intervals; not for
 * Weibull, whose last poll is in the null model, see below). Leaks
 * on those paths are caught by the asan build (`make asan`, LeakSanitizer).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "dyadfit.h"

#define N 600

static dyadfit_table *tab;

/* polls counted; asks to stop at poll number stop_after + 1 (the library
 * then latches the answer and polls no more) */
typedef struct {
    long polls, stop_after;
} poller;

static int poll_cb(void *ctx)
{
    poller *p = ctx;
    p->polls++;
    return p->stop_after >= 0 && p->polls > p->stop_after;
}

/* y depends on x1, x2 through a logit with deterministic "noise"; t, ev a
 * duration and event flag for Cox/Weibull; g groups of 6 for clogit. */
static int make_table(void)
{
    static double y[N], x1[N], x2[N], g[N], t[N], ev[N];
    for (int i = 0; i < N; i++) {
        x1[i] = sin(0.7 * i + 0.3);
        x2[i] = cos(1.9 * i) + 0.1 * (i % 7);
        double u = fmod(0.6180339887 * (i + 1), 1.0);   /* in (0, 1) */
        double p = 1 / (1 + exp(-(-0.5 + 0.9 * x1[i] - 0.6 * x2[i])));
        y[i] = u < p;
        g[i] = i / 6;
        t[i] = 1 + floor(-log(1 - 0.98 * u) * 10 * exp(-0.5 * x1[i]));
        ev[i] = (i % 5) != 0;
    }
    dyadfit_error err;
    if (dyadfit_table_new(N, &tab, &err)) return 1;
    const char *names[] = {"y", "x1", "x2", "g", "t", "ev"};
    double *cols[] = {y, x1, x2, g, t, ev};
    for (int j = 0; j < 6; j++)
        if (dyadfit_table_add_numeric(tab, names[j], cols[j], &err)) return 1;
    return 0;
}

typedef struct {
    const char *name;
    dyadfit_estimator est;
    const char *formula;
    const char *group;
} model_case;

static const model_case cases[] = {
    {"logit", DYADFIT_LOGIT, "y ~ x1 + x2", NULL},
    {"probit", DYADFIT_PROBIT, "y ~ x1 + x2", NULL},
    {"relogit", DYADFIT_RELOGIT, "y ~ x1 + x2", NULL},
    {"firth", DYADFIT_FIRTH, "y ~ x1 + x2", NULL},
    {"clogit", DYADFIT_CLOGIT, "y ~ x1 + x2", "g"},
    {"cox", DYADFIT_COX, "Surv(t, ev) ~ x1 + x2", NULL},
    {"weibull", DYADFIT_WEIBULL, "Surv(t, ev) ~ x1 + x2", NULL},
};
#define NCASES (sizeof cases / sizeof *cases)

static int fit_case(const model_case *c, dyadfit_result **r, dyadfit_error *err)
{
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = c->est;
    m.formula = c->formula;
    m.group = c->group;
    if (c->est == DYADFIT_RELOGIT) m.tau = 0.3;
    *r = NULL;
    return dyadfit_fit(tab, &m, r, err);
}

/* Polled once per iteration at least; estimates equal without a callback. */
static void test_poll_changes_nothing(void)
{
    for (size_t c = 0; c < NCASES; c++) {
        dyadfit_result *r0, *r1;
        dyadfit_error err;
        dyadfit_set_interrupt(NULL, NULL);
        CU_ASSERT_EQUAL_FATAL(fit_case(&cases[c], &r0, &err), 0);
        poller p = {0, -1};
        dyadfit_set_interrupt(poll_cb, &p);
        int rc = fit_case(&cases[c], &r1, &err);
        dyadfit_set_interrupt(NULL, NULL);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        double iters = dyadfit_result_stat(r1, DYADFIT_STAT_ITERATIONS);
        if (p.polls < 1 || p.polls < iters)
            fprintf(stderr, "  %s: %ld polls, %g iterations\n", cases[c].name,
                    p.polls, iters);
        CU_ASSERT(p.polls >= 1 && p.polls >= iters);
        size_t k0, k1;
        const double *b0 = dyadfit_result_coef(r0, &k0);
        const double *b1 = dyadfit_result_coef(r1, &k1);
        CU_ASSERT_EQUAL(k0, k1);
        CU_ASSERT(k0 == k1 && memcmp(b0, b1, k0 * sizeof *b0) == 0);
        dyadfit_result_free(r0);
        dyadfit_result_free(r1);
    }
}

/* Stopping at the first poll, in the middle and at the last poll of a
 * complete run: the interrupted code, a message, no result. */
static void test_interrupt_stops(void)
{
    for (size_t c = 0; c < NCASES; c++) {
        poller full = {0, -1};
        dyadfit_result *r;
        dyadfit_error err;
        dyadfit_set_interrupt(poll_cb, &full);
        CU_ASSERT_EQUAL_FATAL(fit_case(&cases[c], &r, &err), 0);
        dyadfit_result_free(r);
        long at[3] = {0, full.polls / 2, full.polls - 1};
        /* Weibull's last poll is in the null-model fit, whose failure
         * src/api/fit_survreg.c treats as "loglik0 unknown": not tested */
        int nat = cases[c].est == DYADFIT_WEIBULL ? 2 : 3;
        for (int a = 0; a < nat; a++) {
            poller p = {0, at[a]};
            dyadfit_set_interrupt(poll_cb, &p);
            memset(&err, 0, sizeof err);
            int rc = fit_case(&cases[c], &r, &err);
            if (rc != DYADFIT_ERR_INTERRUPTED)
                fprintf(stderr, "  %s stopped after %ld of %ld polls: rc %d (%s)\n",
                        cases[c].name, at[a], full.polls, rc, err.message);
            CU_ASSERT_EQUAL(rc, DYADFIT_ERR_INTERRUPTED);
            CU_ASSERT_EQUAL(err.code, DYADFIT_ERR_INTERRUPTED);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "interrupted by the user at "));
            CU_ASSERT_PTR_NULL(r);
            if (r) dyadfit_result_free(r);
            CU_ASSERT_EQUAL(p.polls, at[a] + 1);   /* latched: not asked again */
        }
    }
    dyadfit_set_interrupt(NULL, NULL);
}

/* Firth: the last poll of a run with profile intervals falls inside the
 * profile, after the estimate converged. */
static void test_firth_profile_interrupted(void)
{
    poller p = {0, -1};
    dyadfit_result *r;
    dyadfit_error err;
    dyadfit_set_interrupt(poll_cb, &p);
    CU_ASSERT_EQUAL_FATAL(fit_case(&cases[3], &r, &err), 0);
    double iters = dyadfit_result_stat(r, DYADFIT_STAT_ITERATIONS);
    dyadfit_result_free(r);
    CU_ASSERT(p.polls > iters + 6);   /* 3 terms x 2 bounds at least */
    poller q = {0, p.polls - 1};
    dyadfit_set_interrupt(poll_cb, &q);
    CU_ASSERT_EQUAL(fit_case(&cases[3], &r, &err), DYADFIT_ERR_INTERRUPTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Firth iteration"));
    CU_ASSERT_PTR_NULL(r);
    dyadfit_set_interrupt(NULL, NULL);
}

/* Once the callback asked to stop it is not asked again; the answer
 * stays "stop" until the next dyadfit_set_interrupt. */
static int once_cb(void *ctx)
{
    int *calls = ctx;
    return ++*calls == 1;    /* stop on the first poll only */
}

static void test_latched(void)
{
    int calls = 0;
    dyadfit_result *r;
    dyadfit_error err;
    dyadfit_set_interrupt(once_cb, &calls);
    CU_ASSERT_EQUAL(fit_case(&cases[0], &r, &err), DYADFIT_ERR_INTERRUPTED);
    CU_ASSERT_EQUAL(fit_case(&cases[5], &r, &err), DYADFIT_ERR_INTERRUPTED);
    CU_ASSERT_EQUAL(calls, 1);
    dyadfit_set_interrupt(once_cb, &calls);   /* reset: asked again, says go */
    CU_ASSERT_EQUAL(fit_case(&cases[0], &r, &err), 0);
    CU_ASSERT(calls > 1);
    dyadfit_result_free(r);
    dyadfit_set_interrupt(NULL, NULL);
}

/* Removing the callback restores normal fits, and setting one again with
 * a new context uses that context. */
static void test_unset(void)
{
    poller p = {0, 0};
    dyadfit_result *r;
    dyadfit_error err;
    dyadfit_set_interrupt(poll_cb, &p);
    CU_ASSERT_EQUAL(fit_case(&cases[0], &r, &err), DYADFIT_ERR_INTERRUPTED);
    dyadfit_set_interrupt(NULL, &p);
    long before = p.polls;
    CU_ASSERT_EQUAL(fit_case(&cases[0], &r, &err), 0);
    CU_ASSERT_EQUAL(p.polls, before);
    dyadfit_result_free(r);
    poller q = {0, -1};
    dyadfit_set_interrupt(poll_cb, &q);
    CU_ASSERT_EQUAL(fit_case(&cases[0], &r, &err), 0);
    CU_ASSERT(q.polls > 0);
    CU_ASSERT_EQUAL(p.polls, before);
    dyadfit_result_free(r);
    dyadfit_set_interrupt(NULL, NULL);
}

static void test_get_threads(void)
{
    dyadfit_set_threads(3);
    CU_ASSERT_EQUAL(dyadfit_get_threads(), 3);
    dyadfit_set_threads(1);
    CU_ASSERT_EQUAL(dyadfit_get_threads(), 1);
    dyadfit_set_threads(DYADFIT_MAX_THREADS + 5);
    CU_ASSERT_EQUAL(dyadfit_get_threads(), DYADFIT_MAX_THREADS);
    dyadfit_set_threads(0);
    CU_ASSERT(dyadfit_get_threads() >= 1);
}

int main(void)
{
    static const tu_test tests[] = {
        {"a callback that never stops changes nothing", test_poll_changes_nothing},
        {"every estimator stops with DYADFIT_ERR_INTERRUPTED", test_interrupt_stops},
        {"Firth stops inside the profile intervals", test_firth_profile_interrupted},
        {"the stop answer is latched until reset", test_latched},
        {"removing the callback", test_unset},
        {"dyadfit_get_threads", test_get_threads},
        {NULL, NULL}
    };
    if (make_table()) {
        fprintf(stderr, "test_interrupt: cannot build the table\n");
        dyadfit_table_free(tab);
        return 1;
    }
    int rc = tu_run("interrupt", tests);
    dyadfit_table_free(tab);
    return rc;
}
