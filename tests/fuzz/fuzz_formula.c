/*
 * fuzz_formula.c -- libFuzzer target for formulas (issue 9).
 *
 * The input is a formula text (NUL bytes end it early, as they would for a
 * C caller). It is applied to a fixed 40-row table:
 *   y   numeric 0/1          x1, x2  numeric (x1 > 0, one NaN in x2)
 *   s   string, 3 levels and a missing value
 *   r   numeric, 4 distinct values (factor-like)
 * and goes through df_design_build (binary response on and off),
 * df_design_build_survival, and dyadfit_fit with an estimator chosen by the
 * input's length (logit, probit, cloglog, relogit, firth; cox for Surv()).
 * Crashes, leaks and hangs are the findings; the error contract is checked:
 * a failure returns USAGE, DATA, SPEC, ESTIM or SYSTEM with a message.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "design/design.h"

#define N 40

static dyadfit_table *tab;

#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    double y[N], x1[N], x2[N], r[N];
    const char *s[N];
    static const char *const lv[3] = {"a", "b", "c"};
    dyadfit_error err;
    for (int i = 0; i < N; i++) {
        /* deterministic, not separable: y depends loosely on x1 */
        y[i] = (i * 7 % 11) < 4 + (i % 3) ? 1 : 0;
        x1[i] = 0.5 + (i * 13 % 17) / 4.0;
        x2[i] = i == 5 ? NAN : (double)(i * 5 % 9) - 4.0;
        r[i] = (double)(i % 4 + 1);
        s[i] = i == 7 ? NULL : lv[i * 11 % 3];
    }
    if (dyadfit_table_new(N, &tab, &err) != 0 ||
        dyadfit_table_add_numeric(tab, "y", y, &err) != 0 ||
        dyadfit_table_add_numeric(tab, "x1", x1, &err) != 0 ||
        dyadfit_table_add_numeric(tab, "x2", x2, &err) != 0 ||
        dyadfit_table_add_string(tab, "s", s, &err) != 0 ||
        dyadfit_table_add_numeric(tab, "r", r, &err) != 0) {
        fprintf(stderr, "fuzz_formula: cannot build the table: %s\n", err.message);
        abort();
    }
    return 0;
}

static void check_err(int rc, const dyadfit_error *err)
{
    if (rc == DYADFIT_OK) return;
    CHECK(rc >= DYADFIT_ERR_USAGE && rc <= DYADFIT_ERR_SYSTEM);
    CHECK(err->code == rc);
    CHECK(err->message[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *f = malloc(size + 1);
    if (!f) return 0;
    memcpy(f, data, size);
    f[size] = '\0';

    dyadfit_error err;
    df_design *d = NULL;
    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = f;
    int rc;

    for (int bin = 0; bin <= 1; bin++) {
        memset(&err, 0, sizeof err);
        spec.binary_response = bin;
        rc = df_design_build(tab, &spec, &d, &err);
        check_err(rc, &err);
        if (rc == DYADFIT_OK) {
            CHECK(d != NULL && d->n <= N);
            for (size_t j = 0; j < d->k; j++) CHECK(d->terms[j] != NULL);
            for (size_t i = 0; i < d->n * d->k; i++) CHECK(isfinite(d->X[i]));
        }
        df_design_free(d);
        d = NULL;
    }
    memset(&err, 0, sizeof err);
    rc = df_design_build_survival(tab, &spec, &d, &err);
    check_err(rc, &err);
    df_design_free(d);
    d = NULL;

    static const dyadfit_estimator est[] = {DYADFIT_LOGIT, DYADFIT_PROBIT,
                                            DYADFIT_CLOGLOG, DYADFIT_RELOGIT,
                                            DYADFIT_FIRTH};
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.formula = f;
    m.estimator = strstr(f, "Surv") ? DYADFIT_COX : est[size % 5];
    m.maxiter = 50;
    dyadfit_result *res = NULL;
    memset(&err, 0, sizeof err);
    rc = dyadfit_fit(tab, &m, &res, &err);
    check_err(rc, &err);
    CHECK((rc == DYADFIT_OK) == (res != NULL));
    dyadfit_result_free(res);
    free(f);
    return 0;
}
