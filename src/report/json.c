/* json.c -- the result as one JSON object: coefficient rows (broom names),
 * the variance matrix, fit statistics, model and data provenance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "result.h"
#include "../design/utf8.h"

/* A JSON string: always valid UTF-8 (text that is not is converted as
 * Windows-1252, see utf8.h), control characters escaped. */
static void json_string(const char *s, FILE *out)
{
    const char *p = s ? s : "";
    int valid = df_utf8_valid(p);
    char ch[5];
    size_t n;
    fputc('"', out);
    while ((n = df_utf8_next(p, valid, ch)) > 0) {
        unsigned char c = (unsigned char)ch[0];
        p += n;
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (c < 0x20) fprintf(out, "\\u%04x", c);
            else fputs(ch, out);
        }
    }
    fputc('"', out);
}

/* JSON has no NaN or Infinity: they become null. */
static void json_number(double x, FILE *out)
{
    if (isfinite(x)) fprintf(out, "%.17g", x);
    else fputs("null", out);
}

static void json_field_number(const char *name, double x, FILE *out)
{
    fprintf(out, "  \"%s\": ", name);
    json_number(x, out);
    fputs(",\n", out);
}

/* 1 when some string of r is not valid UTF-8 (and will be converted). */
static int needs_conversion(const dyadfit_result *r)
{
    const char *s[] = {r->formula, r->filter, r->response, r->data_path,
                       r->cluster[0], r->cluster[1], r->weights, r->offset,
                       r->inference, r->subtitle, r->notes};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        if (!df_utf8_valid(s[i])) return 1;
    for (size_t j = 0; j < r->k; j++)
        if (!df_utf8_valid(r->terms[j])) return 1;
    return 0;
}

/* One string per line of r->notes, and the conversion note if any. */
static void json_notes(const dyadfit_result *r, FILE *out)
{
    fputs("  \"notes\": [", out);
    const char *p = r->notes ? r->notes : "";
    int first = 1;
    while (*p) {
        const char *e = p;
        while (*e && *e != '\n') e++;
        if (e > p) {
            char *line = strndup(p, (size_t)(e - p));
            fputs(first ? "" : ", ", out);
            json_string(line ? line : "", out);
            free(line);
            first = 0;
        }
        p = *e ? e + 1 : e;
    }
    /* once: the design's note on converted term names may have said so */
    if (needs_conversion(r) && !(r->notes && strstr(r->notes, "converted to UTF-8"))) {
        fputs(first ? "" : ", ", out);
        json_string(DF_UTF8_NOTE, out);
    }
    fputs("],\n", out);
}

static const char *link_name(dyadfit_estimator e)
{
    switch (e) {
    case DYADFIT_PROBIT: return "probit";
    case DYADFIT_CLOGLOG: return "cloglog";
    case DYADFIT_COX: return NULL;
    default: return "logit";
    }
}

static const char *weight_type_name(dyadfit_weight_type w)
{
    switch (w) {
    case DYADFIT_WEIGHT_FREQUENCY: return "frequency";
    case DYADFIT_WEIGHT_PROBABILITY: return "probability";
    default: return "none";
    }
}

/* null for a missing string, else the quoted string */
static void json_string_or_null(const char *s, FILE *out)
{
    if (s) json_string(s, out);
    else fputs("null", out);
}

/* Everything post-estimation needs to rebuild the design of the fitted rows
 * (dyadfit predict / margins): the model's options as the fit was given. */
static void json_model(const dyadfit_result *r, FILE *out)
{
    fputs("  \"response\": ", out);
    json_string(r->response, out);
    fputs(",\n  \"k\": ", out);
    fprintf(out, "%zu", r->k);
    fputs(",\n  \"model\": {\"estimator\": ", out);
    json_string(df_estimator_name(r->estimator), out);
    fputs(", \"link\": ", out);
    json_string_or_null(link_name(r->estimator), out);
    fputs(", \"weights\": ", out);
    json_string_or_null(r->weights, out);
    fputs(", \"weight_type\": ", out);
    json_string(weight_type_name(r->weight_type), out);
    fputs(", \"offset\": ", out);
    json_string_or_null(r->offset, out);
    fputs(", \"filter\": ", out);
    json_string_or_null(r->filter, out);
    fputs(", \"vce\": ", out);
    json_string(df_vce_name(r->vce), out);
    fputs(", \"cluster\": [", out);
    for (size_t d = 0; d < 2; d++)
        if (r->cluster[d]) {
            fputs(d ? ", " : "", out);
            json_string(r->cluster[d], out);
        }
    fputs("], \"ssc\": ", out);
    json_string(df_ssc_name(r->ssc), out);
    fputs(", \"information\": ", out);
    json_string(r->information == DYADFIT_INFO_OBSERVED ? "observed" : "expected", out);
    fputs(", \"level\": ", out);
    json_number(r->level, out);
    if (r->estimator == DYADFIT_COX) {
        /* the ties method, for post-estimation's baseline hazard */
        fputs(", \"ties\": ", out);
        json_string(r->ties == DYADFIT_TIES_BRESLOW ? "breslow" : "efron", out);
    }
    if (r->spells.event) {
        /* fit --spells: what post-estimation needs to make the columns again */
        const char *key[] = {"event", "time", "unit", "ongoing", "name", "spell_name",
                             "drop_name", "number_name", "spline_prefix"};
        const char *val[] = {r->spells.event, r->spells.time, r->spells.unit,
                             r->spells.ongoing, r->spells.name, r->spells.spell_name,
                             r->spells.drop_name, r->spells.number_name,
                             r->spells.spline_prefix};
        fputs(", \"spells\": {", out);
        for (size_t i = 0; i < sizeof key / sizeof *key; i++) {
            fprintf(out, "%s\"%s\": ", i ? ", " : "", key[i]);
            json_string_or_null(val[i], out);
        }
        fprintf(out, ", \"splines\": %d, \"gap\": \"%s\", \"drop_ongoing\": %s}", r->spells.splines,
                r->spells.gap == DYADFIT_GAP_CONTINUE  ? "continue"
                : r->spells.gap == DYADFIT_GAP_RESTART ? "restart"
                                                       : "btscs",
                r->spells.drop_ongoing ? "true" : "false");
    }
    fputs("},\n", out);
}

int df_report_json(const dyadfit_result *r, FILE *out)
{
    fputs("{\n  \"version\": ", out);
    json_string(DYADFIT_VERSION, out);
    fputs(",\n  \"estimator\": ", out);
    json_string(df_estimator_name(r->estimator), out);
    fputs(",\n  \"formula\": ", out);
    json_string(r->formula, out);
    fputs(",\n  \"data\": {\"path\": ", out);
    json_string(r->data_path, out);
    fputs(", \"sha256\": ", out);
    json_string(r->sha256, out);
    fprintf(out, ", \"rows\": %zu},\n", r->nrows_source);
    json_field_number("nobs", r->nobs, out);
    fprintf(out, "  \"rows_used\": %zu,\n  \"rows_filtered\": %zu,\n  \"rows_dropped\": %zu,\n",
            r->nrows_used, r->nrows_filtered, r->nrows_dropped);
    json_field_number("loglik", r->loglik, out);
    json_field_number("loglik0", r->loglik0, out);
    json_field_number("pseudo_r2", 1 - r->loglik / r->loglik0, out);
    fprintf(out, "  \"converged\": %s,\n  \"iterations\": %d,\n",
            r->converged ? "true" : "false", r->iterations);
    json_field_number("max_gradient", r->max_gradient, out);
    fputs("  \"vce\": {\"type\": ", out);
    json_string(df_vce_name(r->vce), out);
    fputs(", \"ssc\": ", out);
    /* no small-sample factor with oim or the bootstrap ("") */
    json_string(r->vce == DYADFIT_VCE_OIM || r->vce == DYADFIT_VCE_BOOTSTRAP
                    ? NULL : df_ssc_name(r->ssc), out);
    fputs(", \"information\": ", out);
    json_string(r->information == DYADFIT_INFO_OBSERVED ? "observed" : "expected", out);
    fputs(", \"factor\": ", out);
    json_number(r->ssc_factor, out);
    fputs(", \"cluster\": [", out);
    for (size_t d = 0; d < r->ncluster; d++) {
        fputs(d ? ", " : "", out);
        json_string(r->cluster[d], out);
    }
    fputs("], \"nclusters\": [", out);
    for (size_t d = 0; d < r->ncluster; d++)
        fprintf(out, "%s%zu", d ? ", " : "", r->ng[d]);
    fputs("]},\n", out);
    fprintf(out, "  \"level\": %.17g,\n", r->level);
    fputs("  \"inference\": ", out);
    json_string(r->inference ? r->inference : "wald", out);
    fputs(",\n  \"subtitle\": ", out);
    json_string(r->subtitle, out);
    fputs(",\n", out);
    json_model(r, out);
    json_notes(r, out);
    fputs("  \"coefficients\": [\n", out);
    for (size_t j = 0; j < r->k; j++) {
        df_coef_row c = df_result_row(r, j);
        fputs("    {\"term\": ", out);
        json_string(r->terms[j], out);
        const char *names[] = {"estimate", "std.error", "statistic", "p.value",
                               "conf.low", "conf.high"};
        double vals[] = {c.estimate, c.std_error, c.statistic, c.p_value,
                         c.conf_low, c.conf_high};
        for (int v = 0; v < 6; v++) {
            fprintf(out, ", \"%s\": ", names[v]);
            json_number(vals[v], out);
        }
        fputs(j + 1 < r->k ? "},\n" : "}\n", out);
    }
    fputs("  ],\n  \"vcov\": [\n", out);
    for (size_t i = 0; i < r->k; i++) {
        fputs("    [", out);
        for (size_t j = 0; j < r->k; j++) {
            fputs(j ? ", " : "", out);
            json_number(r->vcov[i * r->k + j], out);
        }
        fputs(i + 1 < r->k ? "],\n" : "]\n", out);
    }
    fputs("  ]\n}\n", out);
    return 0;
}
