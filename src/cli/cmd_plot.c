/* cmd_plot.c -- `dyadfit plot coef|predict|survival FIT.json ... --out F.svg`:
 * argument parsing only; the figures are drawn in src/post/plot_data.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "../post/post.h"
#include "../post/plot.h"
#include "../post/cox_plot.h"

static const char *usage =
"usage: dyadfit plot coef FIT.json [FIT.json ...] --out F.svg [options]\n"
"       dyadfit plot predict FIT.json --x VAR [--from A --to B] [--at \"z=1\" ...]\n"
"                    --out F.svg [options]\n"
"       dyadfit plot survival FIT.json [--at \"z=1\" ...] --out F.svg [options]\n"
"\n"
"Figures as SVG (6.5 in wide, journal style), from fits saved with --save.\n"
"coef: estimates with the saved confidence intervals, one row per term, several\n"
"  models side by side with a legend.\n"
"  --drop TERM        leave a term out, e.g. --drop \"(Intercept)\" (repeatable)\n"
"  --labels FILE      display names: lines \"term<TAB>label\" or \"term,label\"\n"
"  --name NAME        legend entry of each model in turn (default: file name)\n"
"predict: predicted probability over VAR with its confidence band (as dyadfit\n"
"  predict computes it), one curve per --at profile, the other variables at\n"
"  their means (factors at their modes).\n"
"  --from A --to B    range of VAR (default: its observed range)\n"
"  --points 41        grid points\n"
"  --others mean|median|observed   --level 95   --xlabel TEXT   --ylabel TEXT\n"
"survival: survival curves S(t | x) of a Cox fit with their log(-log S) band (as\n"
"  dyadfit predict --survival), one per --at profile (none: all at means) and\n"
"  stratum.  --others mean|median   --level 95   --xlabel TEXT   --ylabel TEXT\n"
"  --width 6.5        figure width in inches\n"
"\n"
"example: dyadfit plot coef m1.json m2.json --drop \"(Intercept)\" --out coef.svg\n"
"         dyadfit plot predict m1.json --x peaceyrs --from 0 --to 40 \\\n"
"                 --at \"defense=1\" --at \"defense=0\" --out pp.svg\n";

typedef struct {
    const char **fits, **drop, **names, **at;
    size_t nfits, ndrop, nnames, nat;
    const char *out, *labels, *x, *xlabel, *ylabel;
    double from, to, width;
    size_t points;
    df_post_opts post;
} plot_args;

static int number(const char *opt, const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end || !isfinite(d))
        return cli_fail(DYADFIT_ERR_USAGE, "%s: '%s' is not a number", opt, v);
    *out = d;
    return 0;
}

static int parse(plot_args *a, const char *sub, int argc, char **argv, int *help)
{
    a->from = a->to = NAN;
    df_post_opts_init(&a->post);
    size_t n = (size_t)argc + 1;
    if (!(a->fits = calloc(n, sizeof *a->fits)) || !(a->drop = calloc(n, sizeof *a->drop)) ||
        !(a->names = calloc(n, sizeof *a->names)) || !(a->at = calloc(n, sizeof *a->at)))
        return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    int coef = strcmp(sub, "coef") == 0, pred = strcmp(sub, "predict") == 0,
        surv = strcmp(sub, "survival") == 0;
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            *help = 1;
            return 0;
        }
        if (o[0] != '-' || o[1] != '-') {
            a->fits[a->nfits++] = o;
            continue;
        }
        static const char *const common[] = {"--out", "--width", NULL};
        static const char *const copts[] = {"--drop", "--labels", "--name", NULL};
        static const char *const popts[] = {"--x", "--from", "--to", "--at", "--points",
                                            "--others", "--level", "--xlabel", "--ylabel", NULL};
        int known = 0;
        for (const char *const *k = common; *k; k++) known |= strcmp(o, *k) == 0;
        for (const char *const *k = copts; coef && *k; k++) known |= strcmp(o, *k) == 0;
        for (const char *const *k = popts; pred && *k; k++) known |= strcmp(o, *k) == 0;
        static const char *const sopts[] = {"--at", "--others", "--level", "--xlabel", "--ylabel",
                                            NULL};
        for (const char *const *k = sopts; surv && *k; k++) known |= strcmp(o, *k) == 0;
        if (!known)
            return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' for plot %s (see dyadfit plot "
                            "--help)", o, sub);
        if (i + 1 >= argc)
            return cli_fail(DYADFIT_ERR_USAGE, "%s needs a value (see dyadfit plot --help)", o);
        const char *v = argv[++i];
        int rc = 0;
        if (strcmp(o, "--out") == 0) a->out = v;
        else if (strcmp(o, "--drop") == 0) a->drop[a->ndrop++] = v;
        else if (strcmp(o, "--name") == 0) a->names[a->nnames++] = v;
        else if (strcmp(o, "--labels") == 0) a->labels = v;
        else if (strcmp(o, "--at") == 0) a->at[a->nat++] = v;
        else if (strcmp(o, "--x") == 0) a->x = v;
        else if (strcmp(o, "--xlabel") == 0) a->xlabel = v;
        else if (strcmp(o, "--ylabel") == 0) a->ylabel = v;
        else if (strcmp(o, "--from") == 0) rc = number(o, v, &a->from);
        else if (strcmp(o, "--to") == 0) rc = number(o, v, &a->to);
        else if (strcmp(o, "--width") == 0) {
            if (!(rc = number(o, v, &a->width)) && !(a->width >= 1 && a->width <= 40))
                rc = cli_fail(DYADFIT_ERR_USAGE, "--width: '%s' is not from 1 to 40 inches", v);
        } else if (strcmp(o, "--points") == 0) {
            char *end;
            long p = strtol(v, &end, 10);
            if (!*v || *end || p < 2 || p > 10000)
                return cli_fail(DYADFIT_ERR_USAGE, "--points: '%s' is not a count from 2 to 10000", v);
            a->points = (size_t)p;
        } else if (strcmp(o, "--others") == 0) {
            if (strcmp(v, "mean") == 0) a->post.others = DF_POST_MEAN;
            else if (strcmp(v, "median") == 0) a->post.others = DF_POST_MEDIAN;
            else if (strcmp(v, "observed") == 0) a->post.others = DF_POST_OBSERVED;
            else return cli_fail(DYADFIT_ERR_USAGE, "--others: '%s' is not mean, median or observed", v);
        } else if (strcmp(o, "--level") == 0) {
            double l;
            if ((rc = number(o, v, &l))) return rc;
            if (!(l > 0 && l < 100))
                return cli_fail(DYADFIT_ERR_USAGE, "--level: '%s' is not a level such as 95 or 0.95", v);
            a->post.level = l >= 1 ? l / 100 : l;
        }
        if (rc) return rc;
    }
    if (a->nfits == 0)
        return cli_fail(DYADFIT_ERR_USAGE, "plot %s: no saved fit given (see dyadfit plot --help)", sub);
    if (!a->out)
        return cli_fail(DYADFIT_ERR_USAGE, "plot %s: --out F.svg is required", sub);
    if (!coef && a->nfits > 1)
        return cli_fail(DYADFIT_ERR_USAGE, "plot %s takes one saved fit (got %zu)", sub, a->nfits);
    if (a->nnames > a->nfits)
        return cli_fail(DYADFIT_ERR_USAGE, "%zu --name for %zu saved fits", a->nnames, a->nfits);
    if (pred && !a->x)
        return cli_fail(DYADFIT_ERR_USAGE, "plot predict needs --x VARIABLE");
    return 0;
}

static int plot_coef(const plot_args *a, FILE *out)
{
    dyadfit_error err = {0, ""};
    df_plot_model *m = calloc(a->nfits, sizeof *m);
    df_plot_labels lab = {0, NULL, NULL};
    int rc = 0;
    if (!m) return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t i = 0; i < a->nfits && !rc; i++)
        rc = df_plot_model_load(a->fits[i], i < a->nnames ? a->names[i] : NULL, &m[i], &err);
    if (!rc && a->labels) rc = df_plot_labels_read(a->labels, &lab, &err);
    if (!rc) {
        df_plot_coef_opts o = {a->drop, a->ndrop, a->labels ? &lab : NULL, a->width};
        rc = df_plot_coef_svg(m, a->nfits, &o, out, &err);
    }
    if (rc) cli_fail(rc, "%s", err.message);
    for (size_t i = 0; i < a->nfits; i++) df_plot_model_free(&m[i]);
    free(m);
    df_plot_labels_free(&lab);
    return rc;
}

static int plot_predict(const plot_args *a, FILE *out)
{
    dyadfit_error err = {0, ""};
    df_post_fit *f = NULL;
    df_plot_curve *c = NULL;
    char *note = NULL;
    size_t nc = a->nat ? a->nat : 1;
    int rc;
    df_plot_predict_opts o = {a->x, a->from, a->to, a->points, a->post};
    if (!(rc = df_post_load(a->fits[0], &f, &err)) && !(rc = df_post_attach(f, &err)) &&
        !(rc = df_plot_predict_data(f, &o, a->at, a->nat, &c, &note, &err)))
        rc = df_plot_predict_svg(c, nc, a->xlabel ? a->xlabel : a->x, a->ylabel, note, a->width,
                                 out, &err);
    if (rc) cli_fail(rc, "%s", err.message);
    df_plot_curves_free(c, c ? nc : 0);
    free(note);
    df_post_fit_free(f);
    return rc;
}

static int plot_survival(const plot_args *a, FILE *out)
{
    dyadfit_error err = {0, ""};
    df_post_fit *f = NULL;
    df_plot_curve *c = NULL;
    char *note = NULL;
    size_t nc = 0;
    int rc;
    if (!(rc = df_post_load(a->fits[0], &f, &err)) && f->est != DYADFIT_COX) {
        rc = cli_fail(DYADFIT_ERR_SPEC, "plot survival: not available for this estimator (%s): "
                      "survival curves need a Cox fit", f->estimator ? f->estimator : "?");
        df_post_fit_free(f);
        return rc;
    }
    if (!rc && !(rc = df_post_attach(f, &err)) &&
        !(rc = df_plot_survival_data(f, &a->post, a->at, a->nat, &c, &nc, &note, &err)))
        rc = df_plot_predict_svg(c, nc, a->xlabel ? a->xlabel : "time",
                                 a->ylabel ? a->ylabel : "Survival probability", note, a->width,
                                 out, &err);
    if (rc) cli_fail(rc, "%s", err.message);
    df_plot_curves_free(c, nc);
    free(note);
    df_post_fit_free(f);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    plot_args a;
    cli_output out = {0};
    int rc = 0, help = 0;
    memset(&a, 0, sizeof a);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2) {
            fputs(usage, stderr);
            return DYADFIT_ERR_USAGE;
        }
        fputs(usage, stdout);
        return 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "coef") && strcmp(sub, "predict") && strcmp(sub, "survival"))
        return cli_fail(DYADFIT_ERR_USAGE, "unknown plot '%s': coef, predict or survival "
                        "(see dyadfit plot --help)", sub);
    if ((rc = parse(&a, sub, argc, argv, &help))) goto cleanup;
    if (help) {
        fputs(usage, stdout);
        goto cleanup;
    }
    /* the labels file is an input too (a.fits has room for it) */
    a.fits[a.nfits] = a.labels;
    if ((rc = cli_output_open(&out, a.out, a.fits, a.nfits + (a.labels != NULL)))) goto cleanup;
    rc = strcmp(sub, "coef") == 0       ? plot_coef(&a, out.f)
         : strcmp(sub, "survival") == 0 ? plot_survival(&a, out.f)
                                        : plot_predict(&a, out.f);
cleanup:
    if (out.f) {
        int crc = cli_output_close(&out, rc == 0);
        if (!rc) rc = crc;
    }
    free(a.fits);
    free(a.drop);
    free(a.names);
    free(a.at);
    return rc;
}
