/* cmd_btscs.c -- `dyadfit btscs FILE --event V --time V --unit V --out F`:
 * reads a panel, adds peace years (dyadfit_btscs) and writes the data with
 * the new columns in the format of --out's extension. Glue only. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *btscs_usage =
"usage: dyadfit btscs FILE --event V --time V --unit V --out FILE [options]\n"
"\n"
"Adds peace years (years since the unit's last event, as Tucker's btscs),\n"
"a spell id and optionally natural cubic spline columns, and writes the data\n"
"with them. The output format follows --out's extension: .dta, .sav, .csv\n"
"(--out - writes CSV to standard output). The input is never overwritten.\n"
"\n"
"  --event V              0/1 event (onset) variable\n"
"  --time V               integer time variable (year)\n"
"  --unit V               unit variable (dyad)\n"
"  --ongoing V            0/1 ongoing-dispute variable: such years count as\n"
"                         dispute years; adds _drop = 1 for them\n"
"  --drop-ongoing         also make the new columns missing in those years\n"
"  --gap btscs|continue|restart   treatment of gaps (default btscs)\n"
"  --splines K            add _spline1.._splineK: splines::ns(peaceyrs, df = K)\n"
"  --name NAME            peace-years column (default peaceyrs)\n"
"  --spell-name NAME      spell id column (default spell)\n"
"  --spline-prefix P      spline columns P1..PK (default _spline; spline for\n"
"                         .sav output, as SPSS names cannot begin with _)\n"
"  --drop-name NAME       ongoing-year flag (default _drop; drop for .sav)\n"
"  --spell-number NAME    also add the spell's number within its unit (1, 2,\n"
"                         ...: the event number for strata() in a PWP Cox model)\n"
"  --replace              overwrite existing columns of those names\n"
"  --out FILE             output file (required)\n"
CLI_PROGRESS_USAGE;

int cmd_btscs(int argc, char **argv)
{
    dyadfit_btscs_opts o;
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    cli_output out;
    const char *in = NULL, *outpath = NULL, *format = NULL;
    int rc = 0;

    memset(&out, 0, sizeof out);
    dyadfit_btscs_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(btscs_usage, stdout);
            return 0;
        }
        int p = cli_progress_option(argc, argv, &i);
        if (p > 0) return p;
        if (p == 0) continue;
        if (!strcmp(a, "--replace")) { o.replace = 1; continue; }
        if (!strcmp(a, "--drop-ongoing")) { o.drop_ongoing = 1; continue; }
        if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc)
                return cli_fail(DYADFIT_ERR_USAGE, "%s needs a value (see dyadfit btscs --help)", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--event")) o.event = v;
            else if (!strcmp(a, "--time")) o.time = v;
            else if (!strcmp(a, "--unit")) o.unit = v;
            else if (!strcmp(a, "--ongoing")) o.ongoing = v;
            else if (!strcmp(a, "--name")) o.name = v;
            else if (!strcmp(a, "--spell-name")) o.spell_name = v;
            else if (!strcmp(a, "--spline-prefix")) o.spline_prefix = v;
            else if (!strcmp(a, "--drop-name")) o.drop_name = v;
            else if (!strcmp(a, "--spell-number")) o.number_name = v;
            else if (!strcmp(a, "--out")) outpath = v;
            else if (!strcmp(a, "--gap")) {
                if (!strcmp(v, "btscs")) o.gap = DYADFIT_GAP_BTSCS;
                else if (!strcmp(v, "continue")) o.gap = DYADFIT_GAP_CONTINUE;
                else if (!strcmp(v, "restart")) o.gap = DYADFIT_GAP_RESTART;
                else return cli_fail(DYADFIT_ERR_USAGE, "--gap: '%s' is not btscs, continue or restart", v);
            } else if (!strcmp(a, "--splines")) {
                char *end;
                long k = strtol(v, &end, 10);
                if (*end || end == v || k < 0 || k > 50)
                    return cli_fail(DYADFIT_ERR_USAGE, "--splines: '%s' is not a whole number from 0 to 50", v);
                o.splines = (int)k;
            } else {
                return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit btscs --help)", a);
            }
        } else if (!in) {
            in = a;
        } else {
            return cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s' (see dyadfit btscs --help)", a);
        }
    }
    if (!in || !o.event || !o.time || !o.unit || !outpath) {
        fputs(btscs_usage, stderr);
        return cli_fail(DYADFIT_ERR_USAGE, "btscs needs a data file, --event, --time, --unit and --out");
    }
    format = strcmp(outpath, "-") ? dyadfit_write_format(outpath) : "csv";
    if (!format)
        return cli_fail(DYADFIT_ERR_USAGE, "--out '%s': the extension must be .dta, .sav or .csv", outpath);

    if (!strcmp(format, "sav")) {
        /* SPSS names must begin with a letter */
        dyadfit_btscs_opts d;
        dyadfit_btscs_opts_init(&d);
        if (o.spline_prefix == d.spline_prefix) o.spline_prefix = "spline";
        if (o.drop_name == d.drop_name) o.drop_name = "drop";
    }
    if ((rc = cli_output_open(&out, outpath, &in, 1))) return rc;
    cli_progress_start();
    rc = dyadfit_read(in, NULL, &t, &err);
    cli_progress_end();
    if (rc || (rc = dyadfit_btscs(t, &o, &err)) ||
        (rc = dyadfit_write(t, format, out.f, &err)))
        cli_fail(rc, "%s", err.message);
    int crc = cli_output_close(&out, rc == 0);
    if (!rc) rc = crc;
    dyadfit_table_free(t);
    return rc;
}
