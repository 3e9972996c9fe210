/* cmd_describe.c -- `dyadfit describe FILE [--format text|csv] [--out F]`. */
#include <string.h>
#include "cli.h"

static const char *describe_usage =
"usage: dyadfit describe FILE [--format text|csv] [--out FILE]\n"
"Lists every variable: storage type, N, missing, mean, sd, min, max, label.\n"
"example: dyadfit describe data/leeds_dyads.dta\n";

int cmd_describe(int argc, char **argv)
{
    const char *path = NULL, *outpath = NULL;
    int format = DYADFIT_FORMAT_TEXT, rc = 0;
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    cli_output out = {0};

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(describe_usage, stdout);
            return 0;
        } else if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--out") == 0) &&
                   i + 1 < argc) {
            if (argv[i][2] == 'o') outpath = argv[++i];
            else if ((format = cli_format(argv[++i])) < 0)
                return cli_fail(DYADFIT_ERR_USAGE, "--format: unknown format '%s'", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return cli_fail(DYADFIT_ERR_USAGE, "unknown option or missing value '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) {
        fputs(describe_usage, stderr);
        return DYADFIT_ERR_USAGE;
    }
    if ((rc = cli_output_open(&out, outpath, &path, 1))) return rc;
    if ((rc = dyadfit_read(path, NULL, &t, &err)) ||
        (rc = dyadfit_describe(t, (dyadfit_format)format, out.f, &err)))
        cli_fail(rc, "%s", err.message);
    int crc = cli_output_close(&out, rc == 0);
    dyadfit_table_free(t);
    return rc ? rc : crc;
}
