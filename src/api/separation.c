/* separation.c -- dyadfit_separation: the design of a binary-outcome model
 * built exactly as dyadfit_fit builds it, the linear-programming separation
 * check (src/fit/separation_lp.c) and Stata's per-column check, reported as
 * text, CSV or JSON. A diagnostic: separation found is not an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api_int.h"
#include "../fit/separation_lp.h"


static const char *const method_text =
    "linear program of Konis (2007), as R's detectseparation";

static const char *estimator_name(dyadfit_estimator e)
{
    switch (e) {
    case DYADFIT_LOGIT: return "logit";
    case DYADFIT_PROBIT: return "probit";
    case DYADFIT_CLOGLOG: return "cloglog";
    case DYADFIT_RELOGIT: return "relogit";
    case DYADFIT_FIRTH: return "firth";
    default: return "?";
    }
}

static const char *type_name(const df_separation_lp_info *in)
{
    if (!in->separated) return "none";
    return in->complete == 1 ? "complete" : "quasi-complete";
}

static const char *inf_text(int dir)
{
    return dir > 0 ? "Inf" : dir < 0 ? "-Inf" : "0";
}

static void json_str(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void report_text(const df_design *d, const dyadfit_model *m,
                        const df_separation_lp_info *in, const int *dir,
                        const char *percol, size_t npercol, FILE *out)
{
    fprintf(out, "Separation check: %s  %s\n", estimator_name(m->estimator), m->formula);
    fprintf(out, "Rows used: %zu", d->n);
    if (d->ndropped) fprintf(out, " (%zu dropped for missing values)", d->ndropped);
    if (d->nfiltered) fprintf(out, " (%zu excluded by --if %s)", d->nfiltered, m->filter);
    if (in->nrows != d->n) fprintf(out, "; %zu with weight > 0", in->nrows);
    fprintf(out, "\nMethod: %s\n\n", method_text);
    if (!in->separated) {
        fprintf(out, "Result: not separated. Every maximum-likelihood estimate is "
                     "finite (%zu coefficients).\n", d->k);
        return;
    }
    fprintf(out, "Result: %s separation. %zu of %zu coefficients %s an infinite "
                 "maximum-likelihood estimate:\n\n",
            type_name(in), in->ninfinite, d->k, in->ninfinite == 1 ? "has" : "have");
    size_t w = 4;
    for (size_t j = 0; j < d->k; j++)
        if (dir[j] && strlen(d->terms[j]) > w) w = strlen(d->terms[j]);
    fprintf(out, "  %-*s  estimate\n", (int)w, "term");
    for (size_t j = 0; j < d->k; j++)
        if (dir[j]) fprintf(out, "  %-*s  %s\n", (int)w, d->terms[j], inf_text(dir[j]));
    if (in->ninfinite < d->k) {
        fputs("\nFinite:", out);
        for (size_t j = 0, c = 0; j < d->k; j++)
            if (!dir[j]) fprintf(out, "%s %s", c++ ? "," : "", d->terms[j]);
        fputc('\n', out);
    }
    fprintf(out, "\nSuggestion: fit Firth's penalised-likelihood logit, which has "
                 "finite estimates under separation:\n"
                 "  dyadfit fit firth \"%s\" FILE\n", m->formula);
    if (npercol)
        fprintf(out, "or drop the terms that predict the outcome perfectly on their "
                     "own, with the rows they predict (as Stata does), with "
                     "--drop-separated:\n  %s\n", percol);
    else
        fputs("(--drop-separated cannot help here: no single term predicts the "
              "outcome perfectly on its own; the separation is by a combination "
              "of terms.)\n", out);
}

static void report_csv(const df_design *d, const int *dir, FILE *out)
{
    fputs("term,estimate,direction\n", out);
    for (size_t j = 0; j < d->k; j++)
        fprintf(out, "%s,%s,%d\n", d->terms[j], inf_text(dir[j]), dir[j]);
}

static void report_json(const dyadfit_table *t, const df_design *d,
                        const dyadfit_model *m, const df_separation_lp_info *in,
                        const int *dir, const char *percol, FILE *out)
{
    fputs("{\n  \"separated\": ", out);
    fputs(in->separated ? "true" : "false", out);
    fputs(",\n  \"type\": ", out);
    json_str(type_name(in), out);
    fputs(",\n  \"estimator\": ", out);
    json_str(estimator_name(m->estimator), out);
    fputs(",\n  \"formula\": ", out);
    json_str(m->formula, out);
    fputs(",\n  \"filter\": ", out);
    if (m->filter && *m->filter) json_str(m->filter, out);
    else fputs("null", out);
    fputs(",\n  \"data\": {\"path\": ", out);
    if (t->path) json_str(t->path, out);
    else fputs("null", out);
    fputs(", \"sha256\": ", out);
    json_str(t->sha256, out);
    fprintf(out, "},\n  \"nobs\": %zu,\n  \"nrows_dropped\": %zu,\n"
                 "  \"nrows_filtered\": %zu,\n  \"method\": ",
            in->nrows, d->ndropped, d->nfiltered);
    json_str(method_text, out);
    fputs(",\n  \"coefficients\": [", out);
    for (size_t j = 0; j < d->k; j++) {
        fputs(j ? ",\n    {\"term\": " : "\n    {\"term\": ", out);
        json_str(d->terms[j], out);
        fputs(", \"estimate\": ", out);
        json_str(inf_text(dir[j]), out);
        fprintf(out, ", \"direction\": %d}", dir[j]);
    }
    fputs("\n  ],\n  \"single_term\": ", out);
    json_str(percol, out);
    fputs(",\n  \"version\": ", out);
    json_str(DYADFIT_VERSION, out);
    fputs("\n}\n", out);
}

int dyadfit_separation(const dyadfit_table *t, const dyadfit_model *m,
                       dyadfit_format f, FILE *out, dyadfit_error *err)
{
    df_design_spec spec;
    df_design *d = NULL;
    unsigned char *filter = NULL;
    int *dir = NULL;
    char percol[1024];
    int rc;

    percol[0] = 0;
    if (!t || !m || !out)
        return df_error(err, DYADFIT_ERR_USAGE, "dyadfit_separation: a NULL argument");
    if (f != DYADFIT_FORMAT_TEXT && f != DYADFIT_FORMAT_CSV && f != DYADFIT_FORMAT_JSON)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "separation: the report is text, csv or json, not format %d", (int)f);
    if ((rc = df_api_check_model(m, err))) return rc;
    if (m->estimator == DYADFIT_COX || m->estimator == DYADFIT_CLOGIT ||
        m->estimator == DYADFIT_FELOGIT)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "separation: the check is for binary-outcome models "
                        "(logit, probit, cloglog, relogit, firth), not this estimator");

    if ((rc = df_api_design_spec(t, m, 1, &spec, &filter, err))) goto cleanup;
    if ((rc = df_design_build(t, &spec, &d, err))) goto cleanup;
    if (!(dir = df_calloc(d->k ? d->k : 1, sizeof *dir))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    df_separation_lp_info info;
    if ((rc = df_separation_lp_ex(d, 0, 1, dir, NULL, &info, err))) goto cleanup;
    size_t npercol = df_separation_check(d, NULL, NULL, percol, sizeof percol);

    if (f == DYADFIT_FORMAT_TEXT) report_text(d, m, &info, dir, percol, npercol, out);
    else if (f == DYADFIT_FORMAT_CSV) report_csv(d, dir, out);
    else report_json(t, d, m, &info, dir, percol, out);
    if (ferror(out))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "separation: writing the report failed");
cleanup:
    free(dir);
    free(filter);
    df_design_free(d);
    return rc;
}
