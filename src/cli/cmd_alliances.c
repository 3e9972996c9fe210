/* cmd_alliances.c -- `dyadfit alliances DYADS --alliances F --capabilities F
 * [--states F] [--measures LIST] [--directed] --out F`: the dyad file with
 * alliance measures appended (dyadfit_alliances), in --out's format. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *alliances_usage =
"usage: dyadfit alliances DYADS --alliances FILE --capabilities FILE --out FILE [options]\n"
"\n"
"Adds alliance measures to every row (A = ccode1, B = ccode2, year) of a\n"
"dyad-year file and writes it, with labelled new variables, to --out in the\n"
"format of its extension (.dta, .sav, .csv; --out - writes CSV to standard\n"
"output). No input file is ever overwritten. Definitions:\n"
"docs/alliance_measures.md.\n"
"\n"
"DYADS, FILE   .dta .sav .zsav .por .sas7bdat .xpt .csv\n"
"\n"
"options:\n"
"  --alliances FILE       dyad-year alliance table (required): ccode1 ccode2\n"
"                         year and 0/1 defense offense neutrality nonagg consul\n"
"                         (ATOP) or defense neutrality entente (COW)\n"
"  --capabilities FILE    state-year capabilities (required): ccode year cinc\n"
"                         [region]; its states in a year form the system\n"
"  --states FILE          COW state-system membership (ccode styear endyear):\n"
"                         only member state-years count as the system\n"
"  --measures LIST        comma-separated groups (default all):\n"
"                           ties     ally_defense .. ally_consul, ally_value\n"
"                           allycap  n_def_allies1/2, cap_def_allies1/2,\n"
"                                    cap_balance_allies\n"
"                           sscore   s_unweighted, s_weighted (+ _region)\n"
"                           taub     tau_b\n"
"                           shared   n_shared_def_allies, n_shared_allies\n"
"  --ccode1 V --ccode2 V --year V   dyad variables (default ccode1 ccode2 year)\n"
"  --region V             region column of the capability table for the\n"
"                         regional S-scores (default region, if present)\n"
"  --no-region            no regional S-scores\n"
"  --directed             keep ATOP's directed obligations (default: a tie\n"
"                         listed in either direction holds both ways)\n"
"  --replace              overwrite existing columns of the same names\n"
"  --out FILE             output file (required)\n"
"\n"
"example:\n"
"  dyadfit alliances data/leeds_dyads.dta --alliances data/atop_dyadyear.csv \\\n"
"      --capabilities data/cow_nmc.csv --states data/cow_states.csv \\\n"
"      --measures ties,allycap,sscore,taub,shared --out dyads_alliances.dta\n";

int cmd_alliances(int argc, char **argv)
{
    const char *dyadpath = NULL, *allypath = NULL, *cappath = NULL,
               *statepath = NULL, *outpath = NULL;
    dyadfit_alliances_opts o;
    dyadfit_alliances_info info;
    dyadfit_table *dy = NULL, *al = NULL, *cap = NULL, *st = NULL;
    dyadfit_error err = {0, ""};
    cli_output out = {0};
    int rc = 0;

    dyadfit_alliances_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(alliances_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--directed") == 0) { o.directed = 1; continue; }
        if (strcmp(a, "--replace") == 0) { o.replace = 1; continue; }
        if (strcmp(a, "--no-region") == 0) { o.region = ""; continue; }
        if (strcmp(a, "--alliances") == 0) target = &allypath;
        else if (strcmp(a, "--capabilities") == 0) target = &cappath;
        else if (strcmp(a, "--states") == 0) target = &statepath;
        else if (strcmp(a, "--out") == 0) target = &outpath;
        else if (strcmp(a, "--measures") == 0) target = &o.measures;
        else if (strcmp(a, "--ccode1") == 0) target = &o.ccode1;
        else if (strcmp(a, "--ccode2") == 0) target = &o.ccode2;
        else if (strcmp(a, "--year") == 0) target = &o.year;
        else if (strcmp(a, "--region") == 0) target = &o.region;
        if (target) {
            if (i + 1 >= argc)
                return cli_fail(DYADFIT_ERR_USAGE, "%s needs a value", a);
            *target = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            return cli_fail(DYADFIT_ERR_USAGE,
                            "unknown option '%s' (see dyadfit alliances --help)", a);
        } else if (!dyadpath) {
            dyadpath = a;
        } else {
            return cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s'", a);
        }
    }
    if (!dyadpath) {
        fputs(alliances_usage, stderr);
        return DYADFIT_ERR_USAGE;
    }
    if (!allypath)
        return cli_fail(DYADFIT_ERR_USAGE, "--alliances FILE is required (an alliance "
                        "dyad-year table, e.g. data/atop_dyadyear.csv)");
    if (!cappath)
        return cli_fail(DYADFIT_ERR_USAGE, "--capabilities FILE is required (a state-year "
                        "table with ccode year cinc, e.g. data/cow_nmc.csv)");
    if (!outpath)
        return cli_fail(DYADFIT_ERR_USAGE, "--out FILE is required (.dta, .sav or .csv; "
                        "- for CSV on standard output)");
    const char *format = strcmp(outpath, "-") == 0 ? "csv" : dyadfit_write_format(outpath);
    if (!format)
        return cli_fail(DYADFIT_ERR_USAGE, "--out '%s': unknown file type (use .dta, .sav "
                        "or .csv)", outpath);

    const char *inputs[4] = {dyadpath, allypath, cappath, statepath};
    if ((rc = cli_output_open(&out, outpath, inputs, statepath ? 4 : 3))) return rc;
    if ((rc = dyadfit_read(dyadpath, NULL, &dy, &err)) ||
        (rc = dyadfit_read(allypath, NULL, &al, &err)) ||
        (rc = dyadfit_read(cappath, NULL, &cap, &err)) ||
        (statepath && (rc = dyadfit_read(statepath, NULL, &st, &err))) ||
        (rc = dyadfit_alliances(dy, al, cap, st, &o, &info, &err)) ||
        (rc = dyadfit_write(dy, format, out.f, &err))) {
        cli_fail(rc, "%s", err.message);
    } else {
        fprintf(stderr, "dyadfit: %zu variables added to %zu dyad-years (%zu years); "
                "alliance rows %zu: %zu naming a state outside the system (ignored), "
                "%zu duplicates (merged), %zu directed ties differing from the reverse "
                "direction%s\n", info.columns_added, dyadfit_table_nrow(dy), info.n_years,
                info.n_ally_rows, info.n_ally_outside, info.n_ally_duplicate,
                info.n_ally_asymmetric, o.directed ? "" : " (symmetrised)");
        if (info.n_dyads_outside)
            fprintf(stderr, "dyadfit: %zu dyad-years with a state outside the system: "
                    "measures missing\n", info.n_dyads_outside);
        if (info.n_cap_missing)
            fprintf(stderr, "dyadfit: %zu state-years with missing cinc: weighted "
                    "measures of those years missing\n", info.n_cap_missing);
        if (statepath)
            fprintf(stderr, "dyadfit: %zu capability rows outside the states table's "
                    "membership left out\n", info.n_cap_not_member);
    }
    int crc = cli_output_close(&out, rc == 0);
    dyadfit_table_free(dy);
    dyadfit_table_free(al);
    dyadfit_table_free(cap);
    dyadfit_table_free(st);
    return rc ? rc : crc;
}
