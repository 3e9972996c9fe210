/* cmd_separation.c -- `dyadfit separation ESTIMATOR "FORMULA" FILE [options]`:
 * whether the data are separated and which estimates are infinite. Exit 0
 * whether or not separation is found (a diagnostic). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"


static const char *separation_usage =
"usage: dyadfit separation ESTIMATOR \"FORMULA\" FILE [options]\n"
"\n"
"Is the outcome separated (completely or quasi-completely) by any linear\n"
"combination of the terms, and which estimates are infinite (+Inf / -Inf)?\n"
"The linear program of Konis (2007), as R's detectseparation; the design is\n"
"built as `dyadfit fit` builds it (factors, transforms, listwise deletion).\n"
"Exits 0 whether or not the data are separated.\n"
"\n"
"ESTIMATOR   logit | probit | cloglog | relogit | firth\n"
"options:\n"
"  --if \"EXPR\"              use the rows where EXPR is true (R subset() syntax)\n"
"  --weights VAR            rows with weight 0 are left out (as in the fit)\n"
"  --format text|csv|json   csv: term,estimate,direction (Inf/-Inf/0, 1/-1/0)\n"
"  --out FILE\n"
"\n"
"example:\n"
"  dyadfit separation logit \"mid_onset ~ defense + contig + factor(region)\" data/leeds_dyads.dta\n";


int cmd_separation(int argc, char **argv)
{
    dyadfit_model m;
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    cli_output out = {0};
    const char *pos[3], *outpath = NULL;
    int npos = 0, format = DYADFIT_FORMAT_TEXT, rc = 0;

    dyadfit_model_init(&m);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(separation_usage, stdout);
            return 0;
        }
        if (a[0] == '-' && a[1] == '-') {
            int known = strcmp(a, "--if") == 0 || strcmp(a, "--weights") == 0 ||
                        strcmp(a, "--format") == 0 || strcmp(a, "--out") == 0;
            if (!known)
                return cli_fail(DYADFIT_ERR_USAGE,
                                "unknown option '%s' (see dyadfit separation --help)", a);
            if (i + 1 >= argc)
                return cli_fail(DYADFIT_ERR_USAGE,
                                "%s needs a value (see dyadfit separation --help)", a);
            const char *v = argv[++i];
            if (strcmp(a, "--if") == 0) {
                m.filter = v;
            } else if (strcmp(a, "--weights") == 0) {
                m.weights = v;
                m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
            } else if (strcmp(a, "--out") == 0) {
                outpath = v;
            } else {
                format = cli_format(v);
                if (format != DYADFIT_FORMAT_TEXT && format != DYADFIT_FORMAT_CSV &&
                    format != DYADFIT_FORMAT_JSON)
                    return cli_fail(DYADFIT_ERR_USAGE,
                                    "--format: '%s' is not text, csv or json", v);
            }
        } else if (npos < 3) {
            pos[npos++] = a;
        } else {
            return cli_fail(DYADFIT_ERR_USAGE,
                            "unexpected argument '%s' (see dyadfit separation --help)", a);
        }
    }
    if (npos < 3) {
        fputs(separation_usage, stderr);
        return DYADFIT_ERR_USAGE;
    }
    int est = cli_estimator(pos[0]);
    if (est < 0 || est > DYADFIT_FIRTH)   /* binary-outcome models only */
        return cli_fail(DYADFIT_ERR_USAGE,
                        "unknown estimator '%s' for separation (logit, probit, "
                        "cloglog, relogit, firth)", pos[0]);
    m.estimator = (dyadfit_estimator)est;
    m.formula = pos[1];

    if ((rc = cli_output_open(&out, outpath, &pos[2], 1))) return rc;
    if ((rc = dyadfit_read(pos[2], NULL, &t, &err)) ||
        (rc = dyadfit_separation(t, &m, (dyadfit_format)format, out.f, &err)))
        cli_fail(rc, "%s", err.message);
    int crc = cli_output_close(&out, rc == 0);
    dyadfit_table_free(t);
    return rc ? rc : crc;
}
