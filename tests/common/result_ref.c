/* result_ref.c -- a fit's terms, estimates and standard errors against a
 * reference table written by a script in tests/reference. */
#include <math.h>
#include <stdio.h>
#include "dyadfit.h"
#include "testutil.h"

void tu_check_result_ref(const dyadfit_result *r, const char *path,
                         const char *category, double min)
{
    char cat_coef[64], cat_se[64];
    snprintf(cat_coef, sizeof cat_coef, "coef %s", category);
    snprintf(cat_se, sizeof cat_se, "se %s", category);
    tu_ref want;
    CU_ASSERT_EQUAL_FATAL(tu_ref_read(tu_path(path), &want), 0);
    size_t k = 0;
    const double *b = dyadfit_result_coef(r, &k);
    const double *V = dyadfit_result_vcov(r);
    CU_ASSERT_EQUAL(k, want.n);
    for (size_t j = 0; j < k && j < want.n; j++) {
        CU_ASSERT_STRING_EQUAL(dyadfit_result_term(r, j), want.term[j]);
        TU_CHECK_LRE(cat_coef, b[j], want.estimate[j], min);
        TU_CHECK_LRE(cat_se, sqrt(V[j * k + j]), want.std_error[j], min);
    }
    tu_ref_free(&want);
}
