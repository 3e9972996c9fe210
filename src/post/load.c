/* load.c -- a saved fit (dyadfit fit --save) back into memory (cJSON), and
 * its data re-read, checked against the saved SHA-256 and turned into the
 * design of the fitted rows again. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "post.h"
#include "../util/util.h"
#include "../fit/fit.h"
#include "../table/filter.h"

void df_post_fit_free(df_post_fit *f)
{
    if (!f) return;
    free(f->json_path);
    free(f->estimator);
    free(f->formula);
    free(f->response);
    free(f->filter);
    free(f->weights);
    free(f->offset);
    free(f->cluster[0]);
    free(f->cluster[1]);
    free(f->vce);
    free(f->ssc);
    free(f->information);
    free(f->data_path);
    if (f->terms)
        for (size_t j = 0; j < f->k; j++) free(f->terms[j]);
    free(f->terms);
    free(f->coef);
    free(f->se);
    free(f->vcov);
    free(f->inference);
    df_design_free(f->design);
    dyadfit_table_free(f->table);
    free(f->data_used);
    char **sp[] = {&f->spells.event, &f->spells.time, &f->spells.unit, &f->spells.ongoing,
                   &f->spells.name, &f->spells.spell_name, &f->spells.drop_name,
                   &f->spells.number_name, &f->spells.spline_prefix};
    for (size_t i = 0; i < sizeof sp / sizeof *sp; i++) free(*sp[i]);
    free(f);
}

static char *read_file(const char *path, dyadfit_error *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!fp) {
        df_error(err, DYADFIT_ERR_DATA, "cannot open saved fit '%s': %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t nc = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                fclose(fp);
                df_error(err, DYADFIT_ERR_SYSTEM, "out of memory reading '%s'", path);
                return NULL;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        df_error(err, DYADFIT_ERR_DATA, "cannot read saved fit '%s'", path);
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

/* Field accessors: a missing or mistyped required field is an error naming
 * the field and the file. */
static int get_str(const cJSON *o, const char *name, int required, char **out,
                   const char *path, dyadfit_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required)
            return df_error(err, DYADFIT_ERR_DATA, "saved fit '%s' has no \"%s\"", path, name);
        return DYADFIT_OK;
    }
    if (!cJSON_IsString(v))
        return df_error(err, DYADFIT_ERR_DATA, "saved fit '%s': \"%s\" is not a string", path, name);
    if (!(*out = df_strdup(v->valuestring)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    return DYADFIT_OK;
}

static int get_num(const cJSON *o, const char *name, int required, double *out,
                   const char *path, dyadfit_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v)) {
        *out = NAN;
        if (required)
            return df_error(err, DYADFIT_ERR_DATA, "saved fit '%s' has no \"%s\"", path, name);
        return DYADFIT_OK;
    }
    if (!cJSON_IsNumber(v))
        return df_error(err, DYADFIT_ERR_DATA, "saved fit '%s': \"%s\" is not a number", path, name);
    *out = v->valuedouble;
    return DYADFIT_OK;
}

static int estimator_of(const char *s, dyadfit_estimator *e, int *link)
{
    static const struct { const char *name; dyadfit_estimator e; int link; } t[] = {
        {"logit", DYADFIT_LOGIT, DF_LINK_LOGIT},
        {"probit", DYADFIT_PROBIT, DF_LINK_PROBIT},
        {"cloglog", DYADFIT_CLOGLOG, DF_LINK_CLOGLOG},
        {"relogit", DYADFIT_RELOGIT, DF_LINK_LOGIT},
        {"firth", DYADFIT_FIRTH, DF_LINK_LOGIT},
        {"cox", DYADFIT_COX, -1},   /* no probability: effects.c uses exp(eta) */
        {"clogit", DYADFIT_CLOGIT, -1},
        {"felogit", DYADFIT_FELOGIT, -1},
        {"weibull", DYADFIT_WEIBULL, -1},   /* no probability: survreg_post.c */
        {"exponential", DYADFIT_EXPONENTIAL, -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            *e = t[i].e;
            *link = t[i].link;
            return 0;
        }
    return -1;
}

static int load_coefs(df_post_fit *f, const cJSON *root, const char *path,
                      dyadfit_error *err)
{
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(root, "coefficients");
    const cJSON *vc = cJSON_GetObjectItemCaseSensitive(root, "vcov");
    if (!cJSON_IsArray(co) || !cJSON_IsArray(vc))
        return df_error(err, DYADFIT_ERR_DATA,
                        "saved fit '%s' has no \"coefficients\" or \"vcov\" array", path);
    size_t k = (size_t)cJSON_GetArraySize(co);
    if (k == 0 || (size_t)cJSON_GetArraySize(vc) != k)
        return df_error(err, DYADFIT_ERR_DATA,
                        "saved fit '%s': %zu coefficients but a %d-row vcov", path, k,
                        cJSON_GetArraySize(vc));
    f->terms = df_calloc(k, sizeof *f->terms);
    f->coef = df_malloc(k, sizeof(double));
    f->se = df_malloc(k, sizeof(double));
    f->vcov = df_malloc(k * k, sizeof(double));
    if (!f->terms || !f->coef || !f->se || !f->vcov)
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    f->k = k;
    size_t j = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, co) {
        int rc;
        if ((rc = get_str(row, "term", 1, &f->terms[j], path, err)) ||
            (rc = get_num(row, "estimate", 1, &f->coef[j], path, err)))
            return rc;
        if (get_num(row, "std.error", 0, &f->se[j], path, err)) f->se[j] = NAN;
        j++;
    }
    size_t i = 0;
    cJSON_ArrayForEach(row, vc) {
        if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != k)
            return df_error(err, DYADFIT_ERR_DATA,
                            "saved fit '%s': vcov row %zu does not have %zu numbers", path, i + 1, k);
        size_t c = 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, row) {
            if (!cJSON_IsNumber(x))
                return df_error(err, DYADFIT_ERR_DATA,
                                "saved fit '%s': vcov[%zu][%zu] is not a number", path, i + 1, c + 1);
            f->vcov[i * k + c++] = x->valuedouble;
        }
        i++;
    }
    return DYADFIT_OK;
}

/* The "model" object written since post-estimation existed; older files
 * lack it, and then weights/offset/filter are taken as absent. */
/* model.spells (fit --spells): absent or null for other fits */
static int load_spells(df_post_fit *f, const cJSON *o, const char *path, dyadfit_error *err)
{
    if (!cJSON_IsObject(o)) return DYADFIT_OK;
    char *gap = NULL;
    double splines = 0;
    int rc;
    if ((rc = get_str(o, "event", 1, &f->spells.event, path, err)) ||
        (rc = get_str(o, "time", 1, &f->spells.time, path, err)) ||
        (rc = get_str(o, "unit", 1, &f->spells.unit, path, err)) ||
        (rc = get_str(o, "ongoing", 0, &f->spells.ongoing, path, err)) ||
        (rc = get_str(o, "name", 1, &f->spells.name, path, err)) ||
        (rc = get_str(o, "spell_name", 1, &f->spells.spell_name, path, err)) ||
        (rc = get_str(o, "drop_name", 1, &f->spells.drop_name, path, err)) ||
        (rc = get_str(o, "number_name", 1, &f->spells.number_name, path, err)) ||
        (rc = get_str(o, "spline_prefix", 1, &f->spells.spline_prefix, path, err)) ||
        (rc = get_num(o, "splines", 0, &splines, path, err)) ||
        (rc = get_str(o, "gap", 0, &gap, path, err)))
        return rc;
    f->spells.splines = splines >= 0 && splines <= 50 ? (int)splines : 0;
    f->spells.gap = !gap || !strcmp(gap, "btscs") ? DYADFIT_GAP_BTSCS
                    : !strcmp(gap, "continue") ? DYADFIT_GAP_CONTINUE : DYADFIT_GAP_RESTART;
    free(gap);
    f->spells.drop_ongoing = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "drop_ongoing"));
    return DYADFIT_OK;
}

static int load_model(df_post_fit *f, const cJSON *root, const char *path,
                      dyadfit_error *err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "vce");
    int rc;
    if (cJSON_IsObject(v)) {
        if ((rc = get_str(v, "type", 0, &f->vce, path, err)) ||
            (rc = get_str(v, "ssc", 0, &f->ssc, path, err)) ||
            (rc = get_str(v, "information", 0, &f->information, path, err)) ||
            (rc = get_num(v, "factor", 0, &f->ssc_factor, path, err)))
            return rc;
        const cJSON *cl = cJSON_GetObjectItemCaseSensitive(v, "cluster");
        const cJSON *ng = cJSON_GetObjectItemCaseSensitive(v, "nclusters");
        const cJSON *x;
        size_t d = 0;
        cJSON_ArrayForEach(x, cl) {
            if (d < 2 && cJSON_IsString(x) && !(f->cluster[d++] = df_strdup(x->valuestring)))
                return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        }
        f->ncluster = d;
        d = 0;
        cJSON_ArrayForEach(x, ng) {
            if (d < 2 && cJSON_IsNumber(x)) f->nclusters[d++] = (size_t)x->valuedouble;
        }
    }
    if (!cJSON_IsObject(m)) return DYADFIT_OK;
    char *wt = NULL;
    if ((rc = get_str(m, "weights", 0, &f->weights, path, err)) ||
        (rc = get_str(m, "offset", 0, &f->offset, path, err)) ||
        (rc = get_str(m, "filter", 0, &f->filter, path, err)) ||
        (rc = get_str(m, "weight_type", 0, &wt, path, err)))
        return rc;
    f->weight_type = !wt || strcmp(wt, "none") == 0 ? DYADFIT_WEIGHT_NONE
                     : strcmp(wt, "probability") == 0 ? DYADFIT_WEIGHT_PROBABILITY
                                                      : DYADFIT_WEIGHT_FREQUENCY;
    free(wt);
    /* Cox ties: model.ties since it was written; older files have them only
     * in the subtitle (df_post_load) */
    const cJSON *ties = cJSON_GetObjectItemCaseSensitive(m, "ties");
    if (ties && !cJSON_IsNull(ties)) {
        if (!cJSON_IsString(ties) ||
            (strcmp(ties->valuestring, "efron") && strcmp(ties->valuestring, "breslow")))
            return df_error(err, DYADFIT_ERR_DATA,
                            "saved fit '%s': \"model\".\"ties\" is not \"efron\" or \"breslow\"",
                            path);
        f->breslow = strcmp(ties->valuestring, "breslow") == 0;
    }
    return load_spells(f, cJSON_GetObjectItemCaseSensitive(m, "spells"), path, err);
}

int df_post_load(const char *path, df_post_fit **out, dyadfit_error *err)
{
    char *text = NULL;
    cJSON *root = NULL;
    df_post_fit *f = NULL;
    int rc = DYADFIT_OK;

    *out = NULL;
    if (!(text = read_file(path, err))) return err ? err->code : DYADFIT_ERR_DATA;
    if (!(root = cJSON_Parse(text))) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text ? (size_t)(at - text) : 0;
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "'%s' is not a saved fit: malformed JSON near byte %zu", path, off);
        goto cleanup;
    }
    if (!cJSON_IsObject(root)) {
        rc = df_error(err, DYADFIT_ERR_DATA, "'%s' is not a saved fit (not a JSON object)", path);
        goto cleanup;
    }
    if (!(f = df_calloc(1, sizeof *f)) || !(f->json_path = df_strdup(path))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    double conv = NAN, rows_used = NAN;
    if ((rc = get_str(root, "estimator", 1, &f->estimator, path, err)) ||
        (rc = get_str(root, "formula", 1, &f->formula, path, err)) ||
        (rc = get_str(root, "response", 0, &f->response, path, err)) ||
        (rc = get_str(root, "inference", 0, &f->inference, path, err)) ||
        (rc = get_num(root, "nobs", 1, &f->nobs, path, err)) ||
        (rc = get_num(root, "loglik", 0, &f->loglik, path, err)) ||
        (rc = get_num(root, "loglik0", 0, &f->loglik0, path, err)) ||
        (rc = get_num(root, "level", 0, &f->level, path, err)) ||
        (rc = get_num(root, "rows_used", 0, &rows_used, path, err)))
        goto cleanup;
    /* Cox ties from the subtitle ("Breslow ties" / "Efron ties"), for files
     * written before model.ties (load_model reads it when present) */
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(root, "subtitle");
    f->breslow = cJSON_IsString(sub) && strstr(sub->valuestring, "Breslow") != NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "converged");
    (void)conv;
    f->converged = c ? cJSON_IsTrue(c) : 1;
    f->rows_used = rows_used >= 0 ? (size_t)rows_used : (size_t)f->nobs;
    if (!(f->level > 0 && f->level < 1)) f->level = 0.95;
    if (estimator_of(f->estimator, &f->est, &f->link)) {
        rc = df_error(err, DYADFIT_ERR_DATA, "saved fit '%s': unknown estimator '%s'", path,
                      f->estimator);
        goto cleanup;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    char *sha = NULL;
    if (cJSON_IsObject(data)) {
        if ((rc = get_str(data, "path", 0, &f->data_path, path, err)) ||
            (rc = get_str(data, "sha256", 0, &sha, path, err)))
            goto cleanup;
        snprintf(f->sha256, sizeof f->sha256, "%s", sha ? sha : "");
        free(sha);
    }
    if ((rc = load_model(f, root, path, err)) || (rc = load_coefs(f, root, path, err)))
        goto cleanup;
cleanup:
    cJSON_Delete(root);
    free(text);
    if (rc) df_post_fit_free(f);
    else *out = f;
    return rc;
}

char *df_post_data_location(const df_post_fit *f)
{
    if (access(f->data_path, R_OK) == 0 || f->data_path[0] == '/')
        return df_strdup(f->data_path);
    const char *slash = strrchr(f->json_path, '/');
    if (!slash) return df_strdup(f->data_path);
    size_t dl = (size_t)(slash - f->json_path) + 1, pl = strlen(f->data_path);
    char *p = df_malloc(dl + pl + 1, 1);
    if (!p) return NULL;
    memcpy(p, f->json_path, dl);
    memcpy(p + dl, f->data_path, pl + 1);
    if (access(p, R_OK) != 0) {
        free(p);
        return df_strdup(f->data_path);
    }
    return p;
}

/* The btscs options a fit --spells fit used (saved in model.spells). */
static void spells_opts(const df_post_fit *f, dyadfit_btscs_opts *o)
{
    dyadfit_btscs_opts_init(o);
    o->event = f->spells.event;
    o->time = f->spells.time;
    o->unit = f->spells.unit;
    o->ongoing = f->spells.ongoing;
    o->name = f->spells.name;
    o->spell_name = f->spells.spell_name;
    o->drop_name = f->spells.drop_name;
    o->number_name = f->spells.number_name;
    o->spline_prefix = f->spells.spline_prefix;
    o->splines = f->spells.splines;
    o->gap = (dyadfit_gap)f->spells.gap;
    o->drop_ongoing = f->spells.drop_ongoing;
}

/* Reads the data for the fit: only the model's variables (as fit does),
 * or, when that fails, every column, so that a problem is reported as
 * fitting would report it. The checksum is the file's either way. */
static int read_model_variables(df_post_fit *f, dyadfit_error *err)
{
    dyadfit_model m;
    dyadfit_btscs_opts so;
    dyadfit_model_init(&m);
    m.formula = f->formula;
    m.filter = f->filter;
    m.weights = f->weights;
    m.offset = f->offset;
    m.cluster[0] = f->cluster[0];
    m.cluster[1] = f->cluster[1];
    if (f->spells.event) {
        spells_opts(f, &so);
        m.spells = &so;
    }
    return dyadfit_read_for_model(f->data_used, &m, &f->table, &f->table_subset, err);
}

/* Weibull / exponential: the saved parameters are "(Intercept)", the
 * design's columns, then the scale parameters: none (exponential), one
 * ("Log(scale)" AFT, "/ln_p" PH) or one per stratum ("Log(scale[...])"). */
static int survreg_terms_match(const df_post_fit *f)
{
    const df_design *d = f->design;
    size_t kx = d->k + 1;
    if (f->k < kx || strcmp(f->terms[0], "(Intercept)") != 0) return 0;
    for (size_t j = 0; j < d->k; j++)
        if (strcmp(d->terms[j], f->terms[j + 1]) != 0) return 0;
    size_t ns = f->k - kx, want = f->est == DYADFIT_EXPONENTIAL ? 0
                                  : d->strata && d->nstrata > 1 ? d->nstrata : 1;
    if (ns != want) return 0;
    for (size_t j = kx; j < f->k; j++)
        if (strncmp(f->terms[j], "Log(scale", 9) != 0 && strcmp(f->terms[j], "/ln_p") != 0)
            return 0;
    return 1;
}

int df_post_attach(df_post_fit *f, dyadfit_error *err)
{
    unsigned char *filter = NULL;
    int rc = DYADFIT_OK;

    int survreg = f->est == DYADFIT_WEIBULL || f->est == DYADFIT_EXPONENTIAL;
    int surv = survreg || f->est == DYADFIT_COX;
    if (f->link < 0 && !surv)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "saved fit '%s': predictions and marginal effects are not available "
                        "for estimator '%s' (logit, probit, cloglog, relogit, firth, cox, "
                        "weibull, exponential)", f->json_path, f->estimator);
    if (!f->data_path || !*f->data_path)
        return df_error(err, DYADFIT_ERR_DATA,
                        "saved fit '%s' names no data file (fitted from a matrix?)", f->json_path);
    if (!(f->data_used = df_post_data_location(f)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    if ((rc = read_model_variables(f, err))) return rc;
    if (f->sha256[0] && strcmp(f->sha256, f->table->sha256) != 0)
        return df_error(err, DYADFIT_ERR_DATA,
                        "data file '%s' has changed since the fit was saved in '%s': "
                        "sha256 now %s, saved %s", f->data_used, f->json_path,
                        f->table->sha256, f->sha256);
    if (f->spells.event) {
        /* the same columns the fit made; the saved filter already leaves
         * out the ongoing years */
        dyadfit_btscs_opts o;
        spells_opts(f, &o);
        o.replace = 1;
        if ((rc = dyadfit_btscs(f->table, &o, err))) return rc;
    }
    df_design_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.formula = f->formula;
    spec.weights = f->weights;
    spec.offset = f->offset;
    spec.binary_response = !surv;
    /* the cluster variable(s) of a clustered or cluster-bootstrap fit
     * were part of its design (its rows with them missing left out) */
    if (f->vce && (strcmp(f->vce, "cluster") == 0 || strcmp(f->vce, "bootstrap") == 0)) {
        spec.cluster[0] = f->cluster[0];
        spec.cluster[1] = f->cluster[1];
    }
    if (f->filter && *f->filter) {
        if (!(filter = df_malloc(f->table->nrow ? f->table->nrow : 1, 1))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        if ((rc = df_filter_rows(f->table, f->filter, filter, NULL, err))) goto cleanup;
        spec.row_filter = filter;
    }
    rc = surv ? df_design_build_survival(f->table, &spec, &f->design, err)
              : df_design_build(f->table, &spec, &f->design, err);
    if (rc) goto cleanup;
    if (f->design->n != f->rows_used) {
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "saved fit '%s' used %zu rows but its model on '%s' gives %zu "
                      "(rows dropped after the design, e.g. by --drop-separated, are not "
                      "supported)", f->json_path, f->rows_used, f->data_used, f->design->n);
        goto cleanup;
    }
    int same = survreg ? survreg_terms_match(f) : f->design->k == f->k;
    for (size_t j = 0; same && !survreg && j < f->k; j++)
        same = strcmp(f->design->terms[j], f->terms[j]) == 0;
    if (!same) {
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "saved fit '%s' has %zu coefficients that do not match the %zu columns "
                      "its formula gives on '%s' (terms dropped after the design, e.g. by "
                      "--drop-separated?)", f->json_path, f->k, f->design->k, f->data_used);
        goto cleanup;
    }
cleanup:
    free(filter);
    return rc;
}
