/* cmd_describe.c -- `dyadfit describe FILE [VARS...] [--if EXPR]
 * [--format text|csv|json|markdown] [--out F]`. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *describe_usage =
"usage: dyadfit describe FILE [VARS...] [options]\n"
"\n"
"Describes the variables of a data file (all, or VARS in the order given),\n"
"as Stata's describe + codebook and R's summary(): name, storage type, N,\n"
"missing (by code: '.', .a-.z, SPSS user-missing), mean, sd, min, max,\n"
"number of distinct values, variable label and value labels.\n"
"\n"
"FILE        .dta .sav .zsav .por .sas7bdat .xpt .csv\n"
"\n"
"options:\n"
"  --if \"EXPR\"                describe the rows where EXPR is true (R subset()\n"
"                             syntax): --if \"year >= 1946 & contig == 1\"\n"
"  --format text|csv|json|markdown   output format (default text)\n"
"  --labels N                 value labels listed per variable (text,\n"
"                             markdown; default 10)\n"
"  --out FILE                 write to FILE instead of standard output\n"
CLI_PROGRESS_USAGE
"\n"
"examples:\n"
"  dyadfit describe data/leeds_dyads.dta\n"
"  dyadfit describe data/leeds_dyads.dta mid_onset cap_ratio --if \"year >= 1990\" --format csv\n";

int cmd_describe(int argc, char **argv)
{
    const char *path = NULL, *outpath = NULL;
    const char **vars = NULL;
    size_t nvars = 0;
    int format = DYADFIT_FORMAT_TEXT, rc = 0;
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    dyadfit_describe_opts o;
    cli_output out = {0};

    dyadfit_describe_opts_init(&o);
    if (!(vars = calloc((size_t)argc, sizeof *vars)))
        return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        int p = cli_progress_option(argc, argv, &i);
        if (p > 0) {
            rc = p;
            goto done;
        }
        if (p == 0) continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(describe_usage, stdout);
            free(vars);
            return 0;
        } else if (strcmp(a, "--format") == 0 && has_value) {
            if ((format = cli_format(argv[++i])) < 0 || format == DYADFIT_FORMAT_LATEX) {
                rc = cli_fail(DYADFIT_ERR_USAGE,
                              "--format: unknown format '%s' (text, csv, json, markdown)",
                              argv[i]);
                goto done;
            }
        } else if (strcmp(a, "--out") == 0 && has_value) {
            outpath = argv[++i];
        } else if (strcmp(a, "--if") == 0 && has_value) {
            o.filter = argv[++i];
        } else if (strcmp(a, "--labels") == 0 && has_value) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || n < 0) {
                rc = cli_fail(DYADFIT_ERR_USAGE, "--labels: '%s' is not a count", argv[i]);
                goto done;
            }
            o.max_value_labels = (size_t)n;
        } else if (a[0] == '-' && a[1] == '-') {
            rc = cli_fail(DYADFIT_ERR_USAGE,
                          "unknown option or missing value '%s' (see dyadfit describe --help)", a);
            goto done;
        } else if (!path) {
            path = a;
        } else {
            vars[nvars++] = a;
        }
    }
    if (!path) {
        fputs(describe_usage, stderr);
        rc = DYADFIT_ERR_USAGE;
        goto done;
    }
    if (nvars) {
        o.variables = vars;
        o.nvariables = nvars;
    }
    if ((rc = cli_output_open(&out, outpath, &path, 1))) goto done;
    cli_progress_start();
    rc = dyadfit_read(path, NULL, &t, &err);
    cli_progress_end();
    if (rc || (rc = dyadfit_describe_with(t, &o, (dyadfit_format)format, out.f, &err)))
        cli_fail(rc, "%s", err.message);
    int crc = cli_output_close(&out, rc == 0);
    if (!rc) rc = crc;
done:
    dyadfit_table_free(t);
    free(vars);
    return rc;
}
