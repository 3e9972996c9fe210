/* cmd_fit.c -- `dyadfit fit ESTIMATOR FORMULA FILE [options]`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "../stream/stream.h"
#include "../stream/stream_mpi.h"
#include "../vce/bootstrap.h"

static const char *fit_usage =
"usage: dyadfit fit ESTIMATOR \"FORMULA\" FILE [options]\n"
"\n"
"ESTIMATOR   logit | probit | cloglog | relogit | firth | cox | clogit | felogit\n"
"            | weibull | exponential\n"
"FORMULA     R style: \"mid_onset ~ defense + contig + log(cap_ratio) + factor(region)\"\n"
"FILE        .dta .sav .zsav .por .sas7bdat .xpt .csv\n"
"\n"
"options:\n"
"  --vce oim|robust|cluster VAR [VAR2]   variance (two variables: two-way cluster)\n"
"  --vce bootstrap [VAR]      logit/probit/cloglog: bootstrap variance, rows resampled\n"
"                             (or whole clusters of VAR); --reps N (default 200)\n"
"                             --seed N (default 12345); under mpirun (make mpi) the\n"
"                             replications are shared by the ranks (docs/bootstrap.md)\n"
"  --ssc stata|hc0|hc1        small-sample factor (default stata)\n"
"  --information observed|expected       information matrix (default observed)\n"
"  --weights VAR              weights; --weight-type freq|prob (default freq)\n"
"  --offset VAR               offset added to the linear predictor\n"
"  --if \"EXPR\"                use the rows where EXPR is true (R subset() syntax):\n"
"                             --if \"year >= 1946 & (contig == 1 | majpow == 1)\"\n"
"  --drop-separated           drop perfect predictors and their rows (as Stata)\n"
"  --fix-psd                  clip negative eigenvalues of a two-way variance\n"
"  --level 95                 confidence level (percent or fraction)\n"
"  --maxiter 100 --tolerance 1e-10\n"
"relogit:     --tau 0.0034 [--tau-upper 0.005] --correction prior|weighting\n"
"             --no-bias-correction\n"
"firth:       --ci profile|wald (default profile penalised likelihood)\n"
"cox:         \"Surv(start, stop, event) ~ x + strata(region)\" --ties efron|breslow\n"
"             --zph km|identity|rank   proportional-hazards test (cox.zph)\n"
"             --basehaz OUT.csv    baseline cumulative hazard and survival at\n"
"                                  covariates 0 (basehaz(fit, centered = FALSE))\n"
"             --residuals OUT.csv  residuals by data row, of --residual-type\n"
"                                  martingale|deviance|score|schoenfeld|dfbeta\n"
"                                  (default martingale; as residuals.coxph)\n"
"             (.csv, .dta or .sav by the name's extension)\n"
"             --id dyad            rows of one subject may not overlap in time\n"
"weibull, exponential: \"Surv(time, event) ~ x\" --metric ph|aft\n"
"clogit:      --group dyad          (conditional likelihood within groups)\n"
"felogit:     --absorb dyad[,year]  (dummies for each group, absorbed)\n"
"peace years in the same command (btscs counts them on all rows, before --if;\n"
"the formula may use peaceyrs, e.g. ns(peaceyrs, df = 3)):\n"
"  --spells EVENT --unit V --time V [--ongoing V [--drop-ongoing]]\n"
"  [--gap btscs|continue|restart]\n"
"  --format text|csv|json|markdown|latex   --out FILE\n"
"  --save FIT.json            also save the fit for predict, margins, table\n"
"  --stream [--chunk-rows N]  logit/probit/cloglog/cox out of core: the file is\n"
"                             read N rows at a time (default 65536); memory grows\n"
"                             with N, not with the file; cox needs the rows sorted\n"
"                             by stop time (within strata) (docs/streaming.md)\n"
CLI_PROGRESS_USAGE
"\n"
"example:\n"
"  dyadfit fit logit \"mid_onset ~ defense + contig + log(cap_ratio)\" data/leeds_dyads.dta --vce cluster dyad\n";


/* A token after `--vce cluster VAR` is a second cluster variable unless it
 * is an option, an existing file or an estimator name. */
static int is_second_cluster(const char *s)
{
    return s && s[0] != '-' && access(s, F_OK) != 0 && cli_estimator(s) < 0;
}

typedef struct {
    dyadfit_model m;
    const char *pos[3];
    int npos;
    int format;
    const char *out;
    const char *save;         /* --save: the fit as JSON for post-estimation */
    char *cluster_buf;        /* for --vce cluster a,b */
    char *absorb_buf;         /* for --absorb a,b */
    dyadfit_btscs_opts spells; /* --spells EVENT --unit --time ... */
    int spell_opts;           /* a --unit/--time/... option was given */
    const char *basehaz;      /* --basehaz FILE (cox) */
    const char *residuals;    /* --residuals FILE (cox) */
    const char *residual_type; /* --residual-type NAME, or NULL */
    dyadfit_cox_outputs cox;  /* what the two ask of the fit */
    int stream;               /* --stream: out-of-core fit (src/stream) */
    size_t chunk_rows;        /* --chunk-rows N, 0: the default */
    int boot_opts;            /* --reps or --seed was given */
} fit_args;

static int need(int i, int argc, const char *opt)
{
    if (i + 1 >= argc)
        return cli_fail(DYADFIT_ERR_USAGE, "%s needs a value (see dyadfit fit --help)", opt);
    return 0;
}

/* `--vce bootstrap VAR`: the token after bootstrap is its cluster variable
 * when it could be one (not an option, file, estimator or formula). */
static int is_boot_cluster(const char *s)
{
    return is_second_cluster(s) && !strchr(s, '~') && !strchr(s, ' ');
}

static int parse_vce(fit_args *a, int *i, int argc, char **argv)
{
    const char *v = argv[++*i];
    if (strcmp(v, "oim") == 0) { a->m.vce = DYADFIT_VCE_OIM; return 0; }
    if (strcmp(v, "robust") == 0) { a->m.vce = DYADFIT_VCE_ROBUST; return 0; }
    if (strcmp(v, "bootstrap") == 0) {
        a->m.vce = DYADFIT_VCE_BOOTSTRAP;
        free(a->cluster_buf);
        a->cluster_buf = NULL;
        a->m.cluster[0] = a->m.cluster[1] = NULL;
        if (*i + 1 >= argc || !is_boot_cluster(argv[*i + 1])) return 0;
        if (!(a->cluster_buf = strdup(argv[++*i])))
            return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
        a->m.cluster[0] = a->cluster_buf;
        char *comma = strchr(a->cluster_buf, ',');
        const char *second = comma ? comma + 1
                             : (*i + 1 < argc && is_boot_cluster(argv[*i + 1])) ? argv[*i + 1] : NULL;
        if (comma) *comma = 0;
        if (second)
            return cli_fail(DYADFIT_ERR_USAGE, "--vce bootstrap resamples the clusters of one "
                            "variable; two (%s and %s) are not supported (--vce cluster %s %s "
                            "gives the two-way sandwich)", a->m.cluster[0], second,
                            a->m.cluster[0], second);
        return 0;
    }
    if (strcmp(v, "cluster") != 0)
        return cli_fail(DYADFIT_ERR_USAGE, "--vce: unknown type '%s' (oim, robust, cluster, "
                        "bootstrap)", v);
    if (*i + 1 >= argc || argv[*i + 1][0] == '-')
        return cli_fail(DYADFIT_ERR_USAGE, "--vce cluster needs a cluster variable");
    a->m.vce = DYADFIT_VCE_CLUSTER;
    /* a repeated --vce: the last one wins (fuzz_cli found the first leaked) */
    free(a->cluster_buf);
    a->m.cluster[1] = NULL;
    a->cluster_buf = strdup(argv[++*i]);
    if (!a->cluster_buf) return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    char *comma = strchr(a->cluster_buf, ',');
    a->m.cluster[0] = a->cluster_buf;
    if (comma) {
        *comma = 0;
        a->m.cluster[1] = comma + 1;
    } else if (*i + 1 < argc && is_second_cluster(argv[*i + 1])) {
        a->m.cluster[1] = argv[++*i];
    }
    return 0;
}

static const char *const fit_options[] = {
    "--vce", "--ssc", "--information", "--weights", "--weight-type", "--offset",
    "--drop-separated", "--fix-psd", "--level", "--maxiter", "--tolerance",
    "--format", "--out", "--tau", "--tau-upper", "--correction",
    "--no-bias-correction", "--ci", "--ties", "--if", "--group", "--absorb", "--save", "--zph", "--metric", "--id",
    "--spells", "--unit", "--time", "--ongoing", "--drop-ongoing", "--gap",
    "--basehaz", "--residuals", "--residual-type", "--stream", "--chunk-rows", "--reps", "--seed",
    NULL};

static int parse_option(fit_args *a, int *i, int argc, char **argv)
{
    const char *o = argv[*i];
    int known = 0;
    for (const char *const *k = fit_options; *k; k++) known |= strcmp(o, *k) == 0;
    if (!known)
        return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit fit --help)", o);
    int no_value = strcmp(o, "--drop-separated") == 0 || strcmp(o, "--fix-psd") == 0 ||
                   strcmp(o, "--no-bias-correction") == 0 || strcmp(o, "--drop-ongoing") == 0 ||
                   strcmp(o, "--stream") == 0;
    if (!no_value && need(*i, argc, o)) return DYADFIT_ERR_USAGE;
    if (strcmp(o, "--vce") == 0) return parse_vce(a, i, argc, argv);
    if (strcmp(o, "--drop-separated") == 0) { a->m.drop_separated = 1; return 0; }
    if (strcmp(o, "--fix-psd") == 0) { a->m.fix_psd = 1; return 0; }
    if (strcmp(o, "--stream") == 0) { a->stream = 1; return 0; }
    if (strcmp(o, "--no-bias-correction") == 0) { a->m.no_bias_correction = 1; return 0; }
    if (strcmp(o, "--drop-ongoing") == 0) { a->spells.drop_ongoing = a->spell_opts = 1; return 0; }
    const char *v = argv[++*i];
    if (strcmp(o, "--spells") == 0) { a->spells.event = v; return 0; }
    if (strcmp(o, "--chunk-rows") == 0) {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*end || n < 1 || n > 100000000)
            return cli_fail(DYADFIT_ERR_USAGE, "--chunk-rows: '%s' is not a count from 1 to "
                            "100000000", v);
        a->chunk_rows = (size_t)n;
        return 0;
    }
    if (strcmp(o, "--reps") == 0) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (end == v || *end || errno || n < 2 || n > 1000000)
            return cli_fail(DYADFIT_ERR_USAGE, "--reps: '%s' is not a count of bootstrap "
                            "replications from 2 to 1000000", v);
        a->m.reps = (int)n;
        a->boot_opts = 1;
        return 0;
    }
    if (strcmp(o, "--seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (v[0] < '0' || v[0] > '9' || *end || errno ||
            (unsigned long long)(unsigned long)n != n)
            return cli_fail(DYADFIT_ERR_USAGE, "--seed: '%s' is not a whole number from 0 to "
                            "%lu", v, (unsigned long)-1);
        a->m.seed = (unsigned long)n;
        a->boot_opts = 1;
        return 0;
    }
    if (strcmp(o, "--basehaz") == 0) { a->basehaz = v; return 0; }
    if (strcmp(o, "--residuals") == 0) { a->residuals = v; return 0; }
    if (strcmp(o, "--residual-type") == 0) {
        if (dyadfit_residual_parse(v) < 0)
            return cli_fail(DYADFIT_ERR_USAGE, "--residual-type: '%s' is not martingale, "
                            "deviance, score, schoenfeld or dfbeta", v);
        a->residual_type = v;
        return 0;
    }
    if (strcmp(o, "--unit") == 0) { a->spells.unit = v; a->spell_opts = 1; return 0; }
    if (strcmp(o, "--time") == 0) { a->spells.time = v; a->spell_opts = 1; return 0; }
    if (strcmp(o, "--ongoing") == 0) { a->spells.ongoing = v; a->spell_opts = 1; return 0; }
    if (strcmp(o, "--gap") == 0) {
        a->spell_opts = 1;
        if (strcmp(v, "btscs") == 0) a->spells.gap = DYADFIT_GAP_BTSCS;
        else if (strcmp(v, "continue") == 0) a->spells.gap = DYADFIT_GAP_CONTINUE;
        else if (strcmp(v, "restart") == 0) a->spells.gap = DYADFIT_GAP_RESTART;
        else return cli_fail(DYADFIT_ERR_USAGE, "--gap: '%s' is not btscs, continue or restart", v);
        return 0;
    }
    if (strcmp(o, "--ssc") == 0) {
        if (strcmp(v, "stata") == 0) a->m.ssc = DYADFIT_SSC_STATA;
        else if (strcmp(v, "hc0") == 0) a->m.ssc = DYADFIT_SSC_HC0;
        else if (strcmp(v, "hc1") == 0) a->m.ssc = DYADFIT_SSC_HC1;
        else return cli_fail(DYADFIT_ERR_USAGE, "--ssc: unknown preset '%s' (stata, hc0, hc1)", v);
    } else if (strcmp(o, "--information") == 0) {
        if (strcmp(v, "observed") == 0) a->m.information = DYADFIT_INFO_OBSERVED;
        else if (strcmp(v, "expected") == 0) a->m.information = DYADFIT_INFO_EXPECTED;
        else return cli_fail(DYADFIT_ERR_USAGE, "--information: '%s' is not observed or expected", v);
    } else if (strcmp(o, "--weights") == 0) {
        a->m.weights = v;
        if (a->m.weight_type == DYADFIT_WEIGHT_NONE) a->m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
    } else if (strcmp(o, "--weight-type") == 0) {
        if (strcmp(v, "freq") == 0) a->m.weight_type = DYADFIT_WEIGHT_FREQUENCY;
        else if (strcmp(v, "prob") == 0) a->m.weight_type = DYADFIT_WEIGHT_PROBABILITY;
        else return cli_fail(DYADFIT_ERR_USAGE, "--weight-type: '%s' is not freq or prob", v);
    } else if (strcmp(o, "--zph") == 0) {
        if (strcmp(v, "km") == 0) a->m.zph = DYADFIT_ZPH_KM;
        else if (strcmp(v, "identity") == 0) a->m.zph = DYADFIT_ZPH_IDENTITY;
        else if (strcmp(v, "rank") == 0) a->m.zph = DYADFIT_ZPH_RANK;
        else return cli_fail(DYADFIT_ERR_USAGE, "--zph: '%s' is not km, identity or rank", v);
    } else if (strcmp(o, "--metric") == 0) {
        if (strcmp(v, "ph") == 0) a->m.aft = 0;
        else if (strcmp(v, "aft") == 0) a->m.aft = 1;
        else return cli_fail(DYADFIT_ERR_USAGE, "--metric: '%s' is not ph or aft", v);
    } else if (strcmp(o, "--group") == 0) {
        a->m.group = v;
    } else if (strcmp(o, "--id") == 0) {
        a->m.id = v;
    } else if (strcmp(o, "--absorb") == 0) {
        free(a->absorb_buf);
        if (!(a->absorb_buf = strdup(v))) return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
        char *comma = strchr(a->absorb_buf, ',');
        a->m.absorb[0] = a->absorb_buf;
        a->m.absorb[1] = NULL;
        if (comma) {
            *comma = 0;
            a->m.absorb[1] = comma + 1;
        }
    } else if (strcmp(o, "--if") == 0) {
        a->m.filter = v;
    } else if (strcmp(o, "--offset") == 0) {
        a->m.offset = v;
    } else if (strcmp(o, "--level") == 0) {
        char *end;
        double l = strtod(v, &end);
        if (*end || !(l > 0 && l < 100))
            return cli_fail(DYADFIT_ERR_USAGE, "--level: '%s' is not a level such as 95 or 0.95", v);
        a->m.level = l >= 1 ? l / 100 : l;
    } else if (strcmp(o, "--maxiter") == 0) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 100000)
            return cli_fail(DYADFIT_ERR_USAGE, "--maxiter: '%s' is not a count from 1 to 100000", v);
        a->m.maxiter = (int)n;
    } else if (strcmp(o, "--tolerance") == 0) {
        char *end;
        double x = strtod(v, &end);
        if (*end || !(x > 0 && x < 1))
            return cli_fail(DYADFIT_ERR_USAGE, "--tolerance: '%s' is not a number in (0, 1)", v);
        a->m.tolerance = x;
    } else if (strcmp(o, "--tau") == 0 || strcmp(o, "--tau-upper") == 0) {
        char *end;
        double x = strtod(v, &end);
        if (*end || !(x > 0 && x < 1))
            return cli_fail(DYADFIT_ERR_USAGE, "%s: '%s' is not a share strictly between 0 and 1", o, v);
        if (o[5]) a->m.tau_upper = x;
        else a->m.tau = x;
    } else if (strcmp(o, "--correction") == 0) {
        if (strcmp(v, "prior") == 0) a->m.correction = DYADFIT_CORRECTION_PRIOR;
        else if (strcmp(v, "weighting") == 0) a->m.correction = DYADFIT_CORRECTION_WEIGHTING;
        else return cli_fail(DYADFIT_ERR_USAGE, "--correction: '%s' is not prior or weighting", v);
    } else if (strcmp(o, "--ci") == 0) {
        if (strcmp(v, "profile") == 0) a->m.wald_ci = 0;
        else if (strcmp(v, "wald") == 0) a->m.wald_ci = 1;
        else return cli_fail(DYADFIT_ERR_USAGE, "--ci: '%s' is not profile or wald", v);
    } else if (strcmp(o, "--ties") == 0) {
        if (strcmp(v, "efron") == 0) a->m.ties = DYADFIT_TIES_EFRON;
        else if (strcmp(v, "breslow") == 0) a->m.ties = DYADFIT_TIES_BRESLOW;
        else return cli_fail(DYADFIT_ERR_USAGE, "--ties: '%s' is not efron or breslow", v);
    } else if (strcmp(o, "--format") == 0) {
        if ((a->format = cli_format(v)) < 0)
            return cli_fail(DYADFIT_ERR_USAGE, "--format: unknown format '%s' (text, csv, json, markdown, latex)", v);
    } else if (strcmp(o, "--out") == 0) {
        a->out = v;
    } else if (strcmp(o, "--save") == 0) {
        a->save = v;
    } else {
        return cli_fail(DYADFIT_ERR_USAGE, "unknown option '%s' (see dyadfit fit --help)", o);
    }
    return 0;
}

/* The format of an output table's file: by its extension; CSV on stdout. */
static const char *table_format(const char *path)
{
    const char *f = strcmp(path, "-") != 0 ? dyadfit_write_format(path) : NULL;
    return f ? f : "csv";
}

/* --basehaz / --residuals / --residual-type: Cox only, a file name with an
 * extension dyadfit_write knows, distinct from each other and from
 * --out/--save; fills a->cox, the request handed to the fit. */
static int cox_outputs_args(fit_args *a)
{
    const char *opt[2] = {"--basehaz", "--residuals"}, *path[2] = {a->basehaz, a->residuals};
    if (!a->basehaz && !a->residuals && !a->residual_type) return 0;
    if (a->m.estimator != DYADFIT_COX)
        return cli_fail(DYADFIT_ERR_USAGE, "--basehaz, --residuals and --residual-type are for "
                        "the cox estimator, not %s", a->pos[0]);
    if (a->residual_type && !a->residuals)
        return cli_fail(DYADFIT_ERR_USAGE, "--residual-type %s needs --residuals FILE",
                        a->residual_type);
    for (int j = 0; j < 2; j++) {
        if (!path[j]) continue;
        if (strcmp(path[j], "-") != 0 && !dyadfit_write_format(path[j]))
            return cli_fail(DYADFIT_ERR_USAGE, "%s '%s': name a .csv, .dta or .sav file (or - "
                            "for standard output)", opt[j], path[j]);
        const char *other[3] = {j ? a->basehaz : NULL, a->out, a->save};
        for (int o = 0; o < 3; o++)
            if (other[o] && strcmp(other[o], "-") != 0 && strcmp(other[o], path[j]) == 0)
                return cli_fail(DYADFIT_ERR_USAGE, "%s '%s': the same file is named by another "
                                "output option", opt[j], path[j]);
    }
    a->cox.basehaz = a->basehaz != NULL;
    a->cox.residuals = !a->residuals ? DYADFIT_RESID_NONE
                       : a->residual_type ? (dyadfit_residual)dyadfit_residual_parse(a->residual_type)
                                          : DYADFIT_RESID_MARTINGALE;
    a->m.cox_outputs = &a->cox;
    return 0;
}

int cmd_fit(int argc, char **argv)
{
    fit_args a;
    dyadfit_table *t = NULL;
    dyadfit_result *r = NULL;
    dyadfit_error err = {0, ""};
    cli_output out = {0}, save = {0}, bh = {0}, res = {0};
    int rc = 0, reported = 0;  /* a non-converged fit's table is kept */
    int mpi_quiet = 0;         /* --stream under MPI, rank > 0: no output */
    int boot_mpi = 0;          /* --vce bootstrap: MPI initialised (a no-op
                                  without MPI) */

    memset(&a, 0, sizeof a);
    dyadfit_model_init(&a.m);
    dyadfit_btscs_opts_init(&a.spells);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(fit_usage, stdout);
            goto cleanup;
        }
        int p = cli_progress_option(argc, argv, &i);
        if (p > 0) {
            rc = p;
            goto cleanup;
        }
        if (p == 0) continue;
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            if ((rc = parse_option(&a, &i, argc, argv))) goto cleanup;
        } else if (a.npos < 3) {
            a.pos[a.npos++] = argv[i];
        } else {
            rc = cli_fail(DYADFIT_ERR_USAGE, "unexpected argument '%s' (see dyadfit fit --help)", argv[i]);
            goto cleanup;
        }
    }
    if (a.npos < 3) {
        fputs(fit_usage, stderr);
        rc = DYADFIT_ERR_USAGE;
        goto cleanup;
    }
    int est = cli_estimator(a.pos[0]);
    if (est < 0) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "unknown estimator '%s' (logit, probit, cloglog, relogit, firth, cox, clogit, felogit, weibull, exponential)", a.pos[0]);
        goto cleanup;
    }
    a.m.estimator = (dyadfit_estimator)est;
    a.m.formula = a.pos[1];
    if (a.spells.event) {
        if (!a.spells.unit || !a.spells.time) {
            rc = cli_fail(DYADFIT_ERR_USAGE, "--spells %s needs --unit and --time (as dyadfit btscs)",
                          a.spells.event);
            goto cleanup;
        }
        if (a.spells.drop_ongoing && !a.spells.ongoing) {
            rc = cli_fail(DYADFIT_ERR_USAGE, "--drop-ongoing needs --ongoing V");
            goto cleanup;
        }
        a.m.spells = &a.spells;
    } else if (a.spell_opts) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "--unit, --time, --ongoing, --drop-ongoing and --gap "
                      "belong to --spells EVENT (peace years computed before the fit)");
        goto cleanup;
    }
    if ((rc = cox_outputs_args(&a))) goto cleanup;
    if (a.chunk_rows && !a.stream) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "--chunk-rows belongs to --stream");
        goto cleanup;
    }
    if (a.boot_opts && a.m.vce != DYADFIT_VCE_BOOTSTRAP) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "--reps and --seed belong to --vce bootstrap");
        goto cleanup;
    }
    if (a.stream && a.m.vce == DYADFIT_VCE_BOOTSTRAP) {
        rc = cli_fail(DYADFIT_ERR_USAGE, "--stream does not support --vce bootstrap; fit "
                      "without --stream (an MPI build shares the replications between the "
                      "ranks of mpirun)");
        goto cleanup;
    }
    /* the bootstrap in memory: under mpirun (make mpi) every rank reads
     * and fits the whole file and the replications are shared; rank 0
     * alone writes. Without MPI this changes nothing. */
    if (a.m.vce == DYADFIT_VCE_BOOTSTRAP) {
        if (df_smpi_init()) {
            rc = cli_fail(DYADFIT_ERR_SYSTEM, "--vce bootstrap: MPI_Init failed");
            goto cleanup;
        }
        boot_mpi = 1;
        if (df_smpi_size() > 1) {
            static df_boot_dist dist;
            dist.rank = df_smpi_rank();
            dist.size = df_smpi_size();
            dist.agree = df_smpi_boot_agree;
            dist.gather = df_smpi_gather_strided;
            df_boot_set_dist(&dist);
        }
        mpi_quiet = df_smpi_rank() != 0;
    }

    if ((rc = cli_output_open(&out, a.out, &a.pos[2], 1)) ||
        (a.save && (rc = cli_output_open_as(&save, "--save", a.save, &a.pos[2], 1))) ||
        (a.basehaz && (rc = cli_output_open_as(&bh, "--basehaz", a.basehaz, &a.pos[2], 1))) ||
        (a.residuals && (rc = cli_output_open_as(&res, "--residuals", a.residuals, &a.pos[2], 1))))
        goto cleanup;
    cli_progress_start();
    if (a.stream) {   /* out of core: the library reads the file in chunks */
        /* MPI builds (make mpi): every rank fits, rank 0 alone reports */
        if (df_smpi_init()) {
            rc = cli_fail(DYADFIT_ERR_SYSTEM, "--stream: MPI_Init failed");
            goto cleanup;
        }
        mpi_quiet = df_smpi_rank() != 0;
        rc = df_stream_fit(a.pos[2], &a.m, a.chunk_rows, &r, &err);
        cli_progress_end();
        if (rc || mpi_quiet) {
            if (rc && !mpi_quiet) cli_fail(rc, "%s", err.message);
            goto cleanup;
        }
        goto report;
    }
    /* only the model's variables (all of them when that fails, so that
     * fitting reports the problem as it always has: "did you mean ...") */
    rc = dyadfit_read_for_model(a.pos[2], &a.m, &t, NULL, &err);
    if (boot_mpi) rc = df_smpi_agree(rc, &err);   /* a rank that cannot read stops all */
    if (rc) {
        if (!mpi_quiet) cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    rc = dyadfit_fit(t, &a.m, &r, &err);
    /* a rank that failed before its bootstrap joins the agreement the
     * others made inside theirs, so that no rank waits for it */
    if (boot_mpi && !df_smpi_boot_joined()) rc = df_smpi_agree(rc, &err);
    cli_progress_end();
    if (mpi_quiet) goto cleanup;   /* rank 0 alone reports */
report:
    if (rc || (rc = dyadfit_report(r, (dyadfit_format)a.format, out.f, &err))) {
        cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    if (a.save && (rc = dyadfit_report(r, DYADFIT_FORMAT_JSON, save.f, &err))) {
        cli_fail(rc, "%s", err.message);
        goto cleanup;
    }
    if (a.basehaz && (rc = dyadfit_write(a.cox.basehaz_table, table_format(a.basehaz),
                                         bh.f, &err))) {
        cli_fail(rc, "--basehaz '%s': %s", a.basehaz, err.message);
        goto cleanup;
    }
    if (a.residuals && (rc = dyadfit_write(a.cox.residual_table,
                                           table_format(a.residuals), res.f, &err))) {
        cli_fail(rc, "--residuals '%s': %s%s", a.residuals, err.message,
                 strcmp(table_format(a.residuals), "csv") != 0
                     ? " (coefficient names such as log(x) are not Stata or SPSS variable "
                       "names: write a .csv)" : "");
        goto cleanup;
    }
    reported = 1;
    if (!dyadfit_result_stat(r, DYADFIT_STAT_CONVERGED))
        rc = cli_fail(DYADFIT_ERR_ESTIM, "convergence not achieved after %g iterations: "
                      "the estimates are not maximum-likelihood estimates",
                      dyadfit_result_stat(r, DYADFIT_STAT_ITERATIONS));
cleanup:
    cli_progress_end();
    cli_output *outs[] = {&res, &bh};
    for (size_t j = 0; j < 2; j++)
        if (outs[j]->f) {
            int crc = cli_output_close(outs[j], !mpi_quiet && (rc == 0 || (reported && rc == DYADFIT_ERR_ESTIM)));
            if (!rc) rc = crc;
        }
    if (save.f) {
        int crc = cli_output_close(&save, !mpi_quiet && (rc == 0 || (reported && rc == DYADFIT_ERR_ESTIM)));
        if (!rc) rc = crc;
    }
    if (out.f) {
        int crc = cli_output_close(&out, !mpi_quiet && (rc == 0 || (reported && rc == DYADFIT_ERR_ESTIM)));
        if (!rc) rc = crc;
    }
    dyadfit_result_free(r);
    dyadfit_cox_outputs_free(&a.cox);
    dyadfit_table_free(t);
    free(a.cluster_buf);
    free(a.absorb_buf);
    df_boot_set_dist(NULL);
    if (a.stream || boot_mpi) df_smpi_finalize();
    return rc;
}
