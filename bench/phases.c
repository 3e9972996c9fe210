/* bench/phases.c -- split dyadfit's logit time into reading and fitting,
 * through the public API (built by bench/run.sh against the library).
 *
 *   phases FILE FORMULA CLUSTERVAR
 *
 * Prints "TIMING read=S fit_oim=S fit_cluster=S" (seconds, wall clock): reading the
 * file into a table, then a logit fit from the table with OIM standard
 * errors and with dyad-clustered ones.  fit_* include building the design,
 * the separation and collinearity checks, the Newton iterations and the
 * variance; fit_cluster - fit_oim is the cost of the cluster variance.
 * DYADFIT_PASS_TIMING is set, so the library also times the fused Newton
 * passes alone (gradient and X'WX, both threads); one line per fit on
 * stderr: "PASSTIMING passes=N min=S mean=S". */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "dyadfit.h"

/* internal to libdyadfit (src/fit/fit.h), linked from the static library */
void df_glm_last_pass_timing(size_t *passes, double *min_s, double *mean_s);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: phases FILE FORMULA CLUSTERVAR\n");
        return 1;
    }
    dyadfit_error err;
    dyadfit_table *t = NULL;
    setenv("DYADFIT_PASS_TIMING", "1", 1);
    dyadfit_result *r = NULL;
    double t0 = now();
    if (dyadfit_read(argv[1], NULL, &t, &err)) {
        fprintf(stderr, "phases: %s\n", err.message);
        return 2;
    }
    double t_read = now() - t0;
    dyadfit_model m;
    dyadfit_model_init(&m);
    m.estimator = DYADFIT_LOGIT;
    m.formula = argv[2];
    double t_fit[2];
    for (int v = 0; v < 2; v++) {
        m.vce = v ? DYADFIT_VCE_CLUSTER : DYADFIT_VCE_OIM;
        m.cluster[0] = v ? argv[3] : NULL;
        t0 = now();
        if (dyadfit_fit(t, &m, &r, &err)) {
            fprintf(stderr, "phases: %s\n", err.message);
            dyadfit_table_free(t);
            return 4;
        }
        t_fit[v] = now() - t0;
        size_t np;
        double pmin, pmean;
        df_glm_last_pass_timing(&np, &pmin, &pmean);
        if (np) fprintf(stderr, "PASSTIMING passes=%zu min=%.6f mean=%.6f\n", np, pmin, pmean);
        dyadfit_result_free(r);
        r = NULL;
    }
    dyadfit_table_free(t);
    printf("TIMING read=%.4f fit_oim=%.4f fit_cluster=%.4f\n", t_read, t_fit[0], t_fit[1]);
    return 0;
}
