/* describe.c -- a data set's variables at a glance, like Stata's describe +
 * codebook/summarize and R's summary(): name, label, storage type, N,
 * missing by code, mean, sd, min, max, distinct values, value labels.
 *
 * Cost: one pass over each described column (counts, Welford mean and
 * variance, extremes) plus, for numeric columns, a sort of a copy of the
 * non-missing values to count distinct values (O(n log n), one buffer of
 * nrow doubles reused for every column). String columns count the levels
 * in use with a bitmap over the dictionary, no sort. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../table/table.h"
#include "../table/filter.h"
#include "../util/util.h"

enum { NCODES = DF_MISS_USER + 1 };

typedef struct {
    size_t n, nmiss;
    size_t bycode[NCODES];    /* missing rows per df_column.miss code */
    double mean, sd, min, max;
    size_t distinct;
} col_summary;

void dyadfit_describe_opts_init(dyadfit_describe_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_value_labels = 10;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Summary of column c over the rows with keep[i] (keep NULL: all). buf holds
 * nrow doubles (numeric) or nlevels bytes (string), scratch. */
static col_summary summarize(const df_column *c, size_t nrow,
                             const unsigned char *keep, void *buf)
{
    col_summary s;
    memset(&s, 0, sizeof s);
    s.mean = s.sd = s.min = s.max = NAN;
    if (c->type == DF_COL_STRING) {
        unsigned char *used = buf;
        memset(used, 0, c->nlevels);
        for (size_t i = 0; i < nrow; i++) {
            if (keep && !keep[i]) continue;
            int32_t k = c->code[i];
            if (k < 0 || (size_t)k >= c->nlevels) {
                s.nmiss++;
                s.bycode[DF_MISS_SYSTEM]++;
                continue;
            }
            s.n++;
            if (!used[k]) { used[k] = 1; s.distinct++; }
        }
        return s;
    }
    double *vals = buf, mean = 0, m2 = 0;
    for (size_t i = 0; i < nrow; i++) {
        if (keep && !keep[i]) continue;
        double x = c->num[i];
        unsigned code = c->miss ? c->miss[i] : 0;
        if (code != DF_PRESENT || isnan(x)) {
            if (code == DF_PRESENT || code >= NCODES) code = DF_MISS_SYSTEM;
            s.nmiss++;
            s.bycode[code]++;
            continue;
        }
        vals[s.n++] = x;
        /* Welford's update: no catastrophic cancellation when the mean is
         * large against the spread (years, country codes). */
        double delta = x - mean;
        mean += delta / (double)s.n;
        m2 += delta * (x - mean);
        if (s.n == 1 || x < s.min) s.min = x;
        if (s.n == 1 || x > s.max) s.max = x;
    }
    if (s.n > 0) {
        s.mean = mean;
        s.sd = s.n > 1 ? sqrt(m2 / (double)(s.n - 1)) : NAN;
        qsort(vals, s.n, sizeof *vals, cmp_double);
        s.distinct = 1;
        for (size_t i = 1; i < s.n; i++) s.distinct += vals[i] != vals[i - 1];
    }
    return s;
}

static const char *type_name(const df_column *c)
{
    static const char *names[] = {"double", "float", "long", "int", "byte", "str"};
    return (unsigned)c->storage <= DF_STORE_STRING ? names[c->storage] : "?";
}

/* ".", ".a".. ".z", "user" */
static const char *code_name(unsigned code, char buf[4])
{
    if (code == DF_MISS_USER) return "user";
    if (code >= DF_MISS_TAGGED_A && code < DF_MISS_USER) {
        buf[0] = '.';
        buf[1] = (char)('a' + (code - DF_MISS_TAGGED_A));
        buf[2] = 0;
        return buf;
    }
    return ".";
}

/* "., 3; .a 2" style breakdown into buf: sep between codes, eq between name
 * and count. */
static void missing_codes(const col_summary *s, const char *eq, const char *sep,
                          char *buf, size_t n)
{
    size_t o = 0;
    char nb[4];
    buf[0] = 0;
    for (unsigned k = 1; k < NCODES && o < n; k++)
        if (s->bycode[k])
            o += (size_t)snprintf(buf + o, n - o, "%s%s%s%zu", o ? sep : "",
                                  code_name(k, nb), eq, s->bycode[k]);
}

static int has_special_missing(const col_summary *s)
{
    return s->nmiss > s->bycode[DF_MISS_SYSTEM];
}

static void put_num(FILE *out, double x, const char *nan_text)
{
    if (isnan(x)) fputs(nan_text, out);
    else fprintf(out, "%.17g", x);
}

static void put_csv_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void put_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p == '\r') fputs("\\r", out);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

/* Markdown cell text: '|' escaped, newlines as spaces. */
static void put_md(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else if (*s == '\n' || *s == '\r') fputc(' ', out);
        else fputc(*s, out);
    }
}


static int not_found(const dyadfit_table *t, const char *name, dyadfit_error *err)
{
    size_t best = (size_t)-1, bj = 0, len = strlen(name);
    size_t lim = len <= 3 ? 1 : (len / 3 < 2 ? 2 : (len / 3 > 3 ? 3 : len / 3));
    /* (a swap of two letters, "yaer" for "year", is 2 edits) */
    for (size_t j = 0; j < t->ncol; j++) {
        size_t d = df_edit_distance(name, t->cols[j].name);
        if (d < best) { best = d; bj = j; }
    }
    if (best <= lim)
        return df_error(err, DYADFIT_ERR_SPEC,
                        "variable '%s' not found in the data; did you mean '%s'?",
                        name, t->cols[bj].name);
    return df_error(err, DYADFIT_ERR_SPEC, "variable '%s' not found in the data", name);
}

static void text_header(FILE *out, const dyadfit_table *t, size_t nvar,
                        const char *filter, size_t nused)
{
    fprintf(out, "%s: %zu rows, %zu variables, sha256 %s\n",
            t->path ? t->path : "(memory)", t->nrow, t->ncol,
            t->sha256[0] ? t->sha256 : "-");
    if (filter)
        fprintf(out, "rows used: %zu of %zu (--if \"%s\")\n", nused, t->nrow, filter);
    if (nvar != t->ncol) fprintf(out, "variables described: %zu\n", nvar);
    fprintf(out, "\n%-20s %-6s %10s %8s %12s %12s %12s %12s %9s  %s\n", "variable",
            "type", "N", "missing", "mean", "sd", "min", "max", "distinct", "label");
}

static void text_row(FILE *out, const df_column *c, const col_summary *s,
                     size_t maxlab)
{
    fprintf(out, "%-20s %-6s %10zu %8zu", c->name, type_name(c), s->n, s->nmiss);
    if (c->type == DF_COL_STRING)
        fprintf(out, " %12s %12s %12s %12s", "", "", "", "");
    else
        fprintf(out, " %12.6g %12.6g %12.6g %12.6g", s->mean, s->sd, s->min, s->max);
    fprintf(out, " %9zu  %s\n", s->distinct, c->label ? c->label : "");
    if (has_special_missing(s)) {
        char buf[512];
        missing_codes(s, " ", ", ", buf, sizeof buf);
        fprintf(out, "%22smissing by code: %s\n", "", buf);
    }
    if (c->nvlabels) {
        /* inline, wrapped at about 110 columns: 0 "No", 1 "Yes" */
        size_t col = 22 + 14;
        fprintf(out, "%22svalue labels: ", "");
        for (size_t k = 0; k < c->nvlabels && k < maxlab; k++) {
            const char *l = c->vlabels[k].label ? c->vlabels[k].label : "";
            char num[32];
            int w = snprintf(num, sizeof num, "%.10g", c->vlabels[k].value);
            size_t len = (size_t)w + strlen(l) + 5;
            if (k && col + len > 110) {
                fprintf(out, ",\n%36s", "");
                col = 36;
            } else if (k) {
                fputs(", ", out);
                col += 2;
            }
            fprintf(out, "%s \"%s\"", num, l);
            col += len - 2;
        }
        if (c->nvlabels > maxlab)
            fprintf(out, ", ... (%zu more)", c->nvlabels - maxlab);
        fputc('\n', out);
    }
}

static void csv_row(FILE *out, const df_column *c, const col_summary *s)
{
    char buf[512];
    fprintf(out, "%s,%s,%zu,%zu,", c->name, type_name(c), s->n, s->nmiss);
    put_num(out, s->mean, ""); fputc(',', out);
    put_num(out, s->sd, ""); fputc(',', out);
    put_num(out, s->min, ""); fputc(',', out);
    put_num(out, s->max, ""); fputc(',', out);
    fprintf(out, "%zu,", c->type == DF_COL_STRING ? c->nlevels : c->nvlabels);
    put_csv_string(out, c->label ? c->label : "");
    missing_codes(s, "=", ";", buf, sizeof buf);
    fprintf(out, ",%zu,%zu,%zu,%s,", s->distinct, s->bycode[DF_MISS_SYSTEM],
            s->bycode[DF_MISS_USER], buf);
    /* value labels as value=label;value=label, the whole field quoted */
    fputc('"', out);
    for (size_t k = 0; k < c->nvlabels; k++) {
        fprintf(out, "%s%.17g=", k ? ";" : "", c->vlabels[k].value);
        for (const char *p = c->vlabels[k].label ? c->vlabels[k].label : ""; *p; p++) {
            if (*p == '"') fputc('"', out);
            fputc(*p, out);
        }
    }
    fputs("\"\n", out);
}

static void json_row(FILE *out, const df_column *c, const col_summary *s, int first)
{
    char nb[4];
    fputs(first ? "\n    {" : ",\n    {", out);
    fputs("\"name\": ", out); put_json_string(out, c->name);
    fputs(", \"label\": ", out);
    if (c->label) put_json_string(out, c->label); else fputs("null", out);
    fprintf(out, ", \"type\": \"%s\", \"n\": %zu, \"missing\": %zu, \"missing_by_code\": {",
            type_name(c), s->n, s->nmiss);
    int any = 0;
    for (unsigned k = 1; k < NCODES; k++)
        if (s->bycode[k]) {
            fprintf(out, "%s\"%s\": %zu", any ? ", " : "", code_name(k, nb), s->bycode[k]);
            any = 1;
        }
    fputs("}, \"mean\": ", out); put_num(out, s->mean, "null");
    fputs(", \"sd\": ", out); put_num(out, s->sd, "null");
    fputs(", \"min\": ", out); put_num(out, s->min, "null");
    fputs(", \"max\": ", out); put_num(out, s->max, "null");
    fprintf(out, ", \"distinct\": %zu, \"value_labels\": [", s->distinct);
    for (size_t k = 0; k < c->nvlabels; k++) {
        fprintf(out, "%s{\"value\": %.17g, \"label\": ", k ? ", " : "", c->vlabels[k].value);
        put_json_string(out, c->vlabels[k].label ? c->vlabels[k].label : "");
        fputc('}', out);
    }
    fputs("]}", out);
}

static void md_row(FILE *out, const df_column *c, const col_summary *s, size_t maxlab)
{
    char buf[512];
    fputs("| ", out); put_md(out, c->name);
    fprintf(out, " | %s | %zu | %zu", type_name(c), s->n, s->nmiss);
    if (has_special_missing(s)) {
        missing_codes(s, " ", ", ", buf, sizeof buf);
        fprintf(out, " (%s)", buf);
    }
    if (c->type == DF_COL_STRING)
        fputs(" |  |  |  | ", out);
    else
        fprintf(out, " | %.6g | %.6g | %.6g | %.6g", s->mean, s->sd, s->min, s->max);
    fprintf(out, " | %zu | ", s->distinct);
    put_md(out, c->label ? c->label : "");
    fputs(" | ", out);
    for (size_t k = 0; k < c->nvlabels && k < maxlab; k++) {
        fprintf(out, "%s%.10g = ", k ? "; " : "", c->vlabels[k].value);
        put_md(out, c->vlabels[k].label ? c->vlabels[k].label : "");
    }
    if (c->nvlabels > maxlab) fputs("; ...", out);
    fputs(" |\n", out);
}

int dyadfit_describe_with(const dyadfit_table *t, const dyadfit_describe_opts *opts,
                          dyadfit_format f, FILE *out, dyadfit_error *err)
{
    dyadfit_describe_opts defaults;
    int rc = DYADFIT_OK;
    size_t *idx = NULL, nvar, nused = t->nrow, maxbuf = 1;
    unsigned char *keep = NULL;
    void *buf = NULL;

    if (!opts) {
        dyadfit_describe_opts_init(&defaults);
        opts = &defaults;
    }
    if (f != DYADFIT_FORMAT_TEXT && f != DYADFIT_FORMAT_CSV &&
        f != DYADFIT_FORMAT_JSON && f != DYADFIT_FORMAT_MARKDOWN)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "describe writes text, csv, json or markdown");
    nvar = opts->variables ? opts->nvariables : t->ncol;
    if (!(idx = df_malloc(nvar ? nvar : 1, sizeof *idx))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t v = 0; v < nvar; v++) {
        idx[v] = opts->variables ? df_table_index(t, opts->variables[v]) : v;
        if (idx[v] == (size_t)-1) {
            rc = not_found(t, opts->variables[v], err);
            goto cleanup;
        }
        const df_column *c = &t->cols[idx[v]];
        size_t need = c->type == DF_COL_STRING ? c->nlevels : t->nrow * sizeof(double);
        if (need > maxbuf) maxbuf = need;
    }
    if (opts->filter) {
        if (!(keep = df_malloc(t->nrow ? t->nrow : 1, 1))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        if ((rc = df_filter_rows(t, opts->filter, keep, &nused, err))) goto cleanup;
    }
    if (!(buf = df_malloc(maxbuf, 1))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory: %zu rows", t->nrow);
        goto cleanup;
    }

    size_t maxlab = opts->max_value_labels;
    switch (f) {
    case DYADFIT_FORMAT_TEXT:
        text_header(out, t, nvar, opts->filter, nused);
        break;
    case DYADFIT_FORMAT_CSV:
        fputs("variable,type,n,missing,mean,sd,min,max,levels,label,distinct,"
              "missing_system,missing_user,missing_codes,value_labels\n", out);
        break;
    case DYADFIT_FORMAT_JSON:
        fputs("{\n  \"data\": {\"path\": ", out);
        put_json_string(out, t->path ? t->path : "");
        fprintf(out, ", \"sha256\": \"%s\", \"rows\": %zu, \"columns\": %zu, "
                "\"rows_used\": %zu, \"filter\": ", t->sha256, t->nrow, t->ncol, nused);
        if (opts->filter) put_json_string(out, opts->filter); else fputs("null", out);
        fputs("},\n  \"version\": ", out);
        put_json_string(out, dyadfit_versions());
        fputs(",\n  \"variables\": [", out);
        break;
    default:
        if (opts->filter) {
            fputs("Rows used: ", out);
            fprintf(out, "%zu of %zu (`", nused, t->nrow);
            put_md(out, opts->filter);
            fputs("`)\n\n", out);
        }
        fputs("| variable | type | N | missing | mean | sd | min | max | distinct "
              "| label | value labels |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n", out);
    }
    for (size_t v = 0; v < nvar; v++) {
        const df_column *c = &t->cols[idx[v]];
        col_summary s = summarize(c, t->nrow, keep, buf);
        switch (f) {
        case DYADFIT_FORMAT_TEXT: text_row(out, c, &s, maxlab); break;
        case DYADFIT_FORMAT_CSV: csv_row(out, c, &s); break;
        case DYADFIT_FORMAT_JSON: json_row(out, c, &s, v == 0); break;
        default: md_row(out, c, &s, maxlab);
        }
    }
    if (f == DYADFIT_FORMAT_JSON) fputs("\n  ]\n}\n", out);
    if (fflush(out) != 0 || ferror(out))
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the description");

cleanup:
    free(idx);
    free(keep);
    free(buf);
    return rc;
}

int dyadfit_describe(const dyadfit_table *t, dyadfit_format f, FILE *out,
                     dyadfit_error *err)
{
    return dyadfit_describe_with(t, NULL, f, out, err);
}
