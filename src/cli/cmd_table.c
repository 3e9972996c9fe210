/* cmd_table.c -- `dyadfit table FIT.json ... [--format F] [--se|--ci]
 * [--stars] [--labels] [--rename A=B] [--stats LIST]`: several saved fits
 * side by side (the work is in src/post). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../post/post.h"

static const char *table_usage =
"usage: dyadfit table FIT.json [FIT.json ...] [options]\n"
"\n"
"One column per saved fit; rows are the union of the terms in order of first\n"
"appearance; N, log-likelihood, AIC, BIC, pseudo R2, clusters and the variance\n"
"type at the bottom.\n"
"  --format text|markdown|latex|csv|html   (default text)\n"
"  --se | --ci                standard errors (default) or intervals under estimates\n"
"  --stars                    * p<0.05, ** p<0.01, *** p<0.001\n"
"  --digits 3                 decimals\n"
"  --names \"A,B,C\"            column titles (default (1), (2), ...)\n"
"  --labels                   rows named by the data's variable and value labels\n"
"                             (defense -> its label, factor(region)2 -> \"Region:\n"
"                             Europe\", a:b -> \"A x B\"; other terms unchanged)\n"
"  --rename \"TERM=Name\"       a row's name (repeatable; over --labels)\n"
"  --stats N,ll,aic,bic,r2,clusters,vce   the statistics rows, in this order\n"
"                             (default all; \"\" for none)\n"
"  --out FILE\n";

int cmd_table(int argc, char **argv)
{
    df_mt_opts o = {DF_MT_TEXT, 0, 0, 3, NULL, NULL, 0, NULL};
    const char **files = calloc((size_t)argc, sizeof *files);
    /* --rename pairs first (they win), then labels; from[] and to[] point
     * into argv or into label strings owned by labels[] */
    const char **from = calloc((size_t)argc, sizeof *from), **to = calloc((size_t)argc, sizeof *to);
    char **renames = calloc((size_t)argc, sizeof *renames);
    char ***labels = calloc((size_t)argc, sizeof *labels);
    size_t nren = 0;
    int want_labels = 0;
    const char **names = NULL;
    df_post_fit **fits = calloc((size_t)argc, sizeof *fits);
    char *namebuf = NULL;
    const char *outpath = NULL;
    size_t nfile = 0, nfit = 0;
    dyadfit_error err = {0, ""};
    cli_output out = {0};
    int rc = 0;

    if (!files || !fits || !from || !to || !renames || !labels) {
        rc = cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(table_usage, stdout);
            goto cleanup;
        }
        if (strcmp(a, "--se") == 0) { o.ci = 0; continue; }
        if (strcmp(a, "--ci") == 0) { o.ci = 1; continue; }
        if (strcmp(a, "--stars") == 0) { o.stars = 1; continue; }
        if (strcmp(a, "--labels") == 0) { want_labels = 1; continue; }
        if (a[0] == '-' && a[1] == '-') {
            if (strcmp(a, "--format") && strcmp(a, "--out") && strcmp(a, "--digits") &&
                strcmp(a, "--names") && strcmp(a, "--rename") && strcmp(a, "--stats")) {
                rc = cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit table --help)", a);
                goto cleanup;
            }
            if (i + 1 >= argc) {
                rc = cli_fail(DYADFIT_ERR_USAGE, "%s needs a value (see dyadfit table --help)", a);
                goto cleanup;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--format") == 0) {
                static const char *fm[] = {"text", "markdown", "latex", "csv", "html"};
                int k = -1;
                for (int j = 0; j < 5; j++) if (strcmp(v, fm[j]) == 0) k = j;
                if (strcmp(v, "md") == 0) k = DF_MT_MARKDOWN;
                if (strcmp(v, "tex") == 0) k = DF_MT_LATEX;
                if (k < 0) {
                    rc = cli_fail(DYADFIT_ERR_USAGE, "--format: '%s' is not text, markdown, latex, csv or html", v);
                    goto cleanup;
                }
                o.format = (df_mt_format)k;
            } else if (strcmp(a, "--digits") == 0) {
                char *end;
                long d = strtol(v, &end, 10);
                if (*end || d < 0 || d > 12) {
                    rc = cli_fail(DYADFIT_ERR_USAGE, "--digits: '%s' is not a count from 0 to 12", v);
                    goto cleanup;
                }
                o.digits = d ? (int)d : 1;
            } else if (strcmp(a, "--stats") == 0) {
                o.stats = v;
            } else if (strcmp(a, "--rename") == 0) {
                const char *eq = strchr(v, '=');
                if (!eq || eq == v || !eq[1]) {
                    rc = cli_fail(DYADFIT_ERR_USAGE, "--rename: '%s' is not TERM=Name", v);
                    goto cleanup;
                }
                if (!(renames[nren] = strdup(v))) {
                    rc = cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
                    goto cleanup;
                }
                renames[nren][eq - v] = 0;
                from[nren] = renames[nren];
                to[nren] = renames[nren] + (eq - v) + 1;
                nren++;
            } else if (strcmp(a, "--names") == 0) {
                free(namebuf);
                free(names);
                namebuf = strdup(v);
                names = calloc(strlen(v) + 2, sizeof *names);
                if (!namebuf || !names) {
                    rc = cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
                    goto cleanup;
                }
                size_t n = 0;
                for (char *t = strtok(namebuf, ","); t; t = strtok(NULL, ",")) names[n++] = t;
            } else {
                outpath = v;
            }
            continue;
        }
        files[nfile++] = a;
    }
    if (nfile == 0) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "table needs at least one saved fit (see dyadfit table --help)");
        goto cleanup;
    }
    for (size_t m = 0; m < nfile; m++) {
        if ((rc = df_post_load(files[m], &fits[m], &err))) {
            cli_fail(rc, "%s", err.message);
            goto cleanup;
        }
        nfit++;
    }
    /* labels: the first fit naming a term gives its label */
    for (size_t m = 0; want_labels && m < nfit; m++) {
        char warn[1200];
        if ((rc = df_post_term_labels(fits[m], &labels[m], warn, sizeof warn, &err))) {
            cli_fail(rc, "%s", err.message);
            goto cleanup;
        }
        if (*warn) fprintf(stderr, "dyadfit: warning: %s\n", warn);
        for (size_t j = 0; j < fits[m]->k; j++) {
            if (!labels[m][j]) continue;
            int known = 0;
            for (size_t i = 0; i < nren && !known; i++) known = !strcmp(from[i], fits[m]->terms[j]);
            if (known) continue;
            const char **f2 = realloc(from, (nren + 1) * sizeof *from);
            if (f2) from = f2;
            const char **t2 = f2 ? realloc(to, (nren + 1) * sizeof *to) : NULL;
            if (t2) to = t2;
            if (!f2 || !t2) {
                rc = cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
                goto cleanup;
            }
            from[nren] = fits[m]->terms[j];
            to[nren++] = labels[m][j];
        }
    }
    o.rename_from = from;
    o.rename_to = to;
    o.nrename = nren;
    if ((rc = cli_output_open(&out, outpath, files, nfile))) goto cleanup;
    if ((rc = df_post_model_table((const df_post_fit *const *)fits, nfit, names, &o, out.f, &err)))
        cli_fail(rc, "%s", err.message);
cleanup:
    if (out.f) {
        int crc = cli_output_close(&out, rc == 0);
        if (!rc) rc = crc;
    }
    for (size_t m = 0; labels && fits && m < nfit; m++) {
        for (size_t j = 0; labels[m] && j < fits[m]->k; j++) free(labels[m][j]);
        free(labels[m]);
    }
    for (size_t i = 0; renames && renames[i]; i++) free(renames[i]);
    free(renames);
    free(labels);
    free(from);
    free(to);
    for (size_t m = 0; fits && m < nfit; m++) df_post_fit_free(fits[m]);
    free(fits);
    free(files);
    free(names);
    free(namebuf);
    return rc;
}
