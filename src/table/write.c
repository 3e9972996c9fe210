/*
 * write.c -- writing a table back to a file: Stata .dta (format 118) and
 * SPSS .sav through ReadStat's writer, and CSV (RFC 4180).
 *
 * Numeric columns are written as doubles (every value survives exactly);
 * variable labels and value labels of numeric columns are kept (Stata value
 * labels only hold integers: a column whose labelled values are not all
 * integers loses its value labels in a .dta). Stata's tagged missing values
 * .a-.z are kept in a .dta; other missing values become system missing.
 * Strings are str columns as wide as their longest value (at least 1).
 * CSV: a header row, numbers with %.17g, missing cells empty, fields quoted
 * when they hold a comma, a quote, CR or LF (quotes doubled), LF line ends.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readstat.h>
#include "../util/util.h"
#include "table.h"

static ssize_t write_file(const void *data, size_t len, void *ctx)
{
    return fwrite(data, 1, len, (FILE *)ctx) == len ? (ssize_t)len : -1;
}

static int rs_fail(dyadfit_error *err, const char *what, readstat_error_t e)
{
    const char *m = readstat_error_message(e);
    return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the %s file: %s", what,
                    m ? m : "unknown ReadStat error");
}

static int labels_integral(const df_column *c)
{
    for (size_t l = 0; l < c->nvlabels; l++) {
        double v = c->vlabels[l].value;
        if (!(v == floor(v) && fabs(v) < 2147483000.0)) return 0;
    }
    return 1;
}

static int write_readstat(const dyadfit_table *t, int dta, FILE *out, dyadfit_error *err)
{
    const char *what = dta ? "Stata" : "SPSS";
    readstat_writer_t *w = readstat_writer_init();
    readstat_variable_t **vars = NULL;
    readstat_error_t e = READSTAT_OK;
    int rc = DYADFIT_OK;
    if (!w || !(vars = df_calloc(t->ncol ? t->ncol : 1, sizeof *vars))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (t->nrow > 2147483647u) {
        rc = df_error(err, DYADFIT_ERR_DATA, "%zu rows are too many for a %s file", t->nrow, what);
        goto cleanup;
    }
    if ((e = readstat_set_data_writer(w, write_file))) goto rsfail;
    if (dta && (e = readstat_writer_set_file_format_version(w, 118))) goto rsfail;
    for (size_t j = 0; j < t->ncol; j++) {
        const df_column *c = &t->cols[j];
        unsigned char c0 = (unsigned char)c->name[0];
        if (!dta && !((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '@' || c0 >= 0x80)) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "variable '%s': an SPSS name must begin with a letter", c->name);
            goto cleanup;
        }
        if (c->type == DF_COL_STRING) {
            size_t width = 1;
            for (size_t l = 0; l < c->nlevels; l++) {
                size_t len = strlen(c->levels[l]);
                if (len > width) width = len;
            }
            if (dta && width > 2045) {
                rc = df_error(err, DYADFIT_ERR_DATA,
                              "string variable '%s' has values of %zu bytes; a .dta str "
                              "column holds at most 2045", c->name, width);
                goto cleanup;
            }
            vars[j] = readstat_add_variable(w, c->name, READSTAT_TYPE_STRING, width);
        } else {
            vars[j] = readstat_add_variable(w, c->name, READSTAT_TYPE_DOUBLE, 0);
        }
        if (!vars[j]) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        if (c->label) readstat_variable_set_label(vars[j], c->label);
        if (c->type == DF_COL_NUMERIC && c->nvlabels && (!dta || labels_integral(c))) {
            readstat_label_set_t *ls = readstat_add_label_set(
                w, dta ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE, c->name);
            if (!ls) {
                rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                goto cleanup;
            }
            for (size_t l = 0; l < c->nvlabels; l++) {
                if (dta) readstat_label_int32_value(ls, (int32_t)c->vlabels[l].value, c->vlabels[l].label);
                else readstat_label_double_value(ls, c->vlabels[l].value, c->vlabels[l].label);
            }
            readstat_variable_set_label_set(vars[j], ls);
        }
    }
    e = dta ? readstat_begin_writing_dta(w, out, (long)t->nrow)
            : readstat_begin_writing_sav(w, out, (long)t->nrow);
    if (e) goto rsfail;
    for (size_t i = 0; i < t->nrow; i++) {
        if ((e = readstat_begin_row(w))) goto rsfail;
        for (size_t j = 0; j < t->ncol; j++) {
            const df_column *c = &t->cols[j];
            if (c->type == DF_COL_STRING) {
                int32_t code = c->code[i];
                e = code < 0 ? readstat_insert_missing_value(w, vars[j])
                             : readstat_insert_string_value(w, vars[j], c->levels[code]);
            } else if (isnan(c->num[i])) {
                uint8_t kind = c->miss ? c->miss[i] : DF_MISS_SYSTEM;
                if (dta && kind >= DF_MISS_TAGGED_A && kind < DF_MISS_TAGGED_A + 26)
                    e = readstat_insert_tagged_missing_value(w, vars[j],
                                                             (char)('a' + kind - DF_MISS_TAGGED_A));
                else
                    e = readstat_insert_missing_value(w, vars[j]);
            } else {
                e = readstat_insert_double_value(w, vars[j], c->num[i]);
            }
            if (e) goto rsfail;
        }
        if ((e = readstat_end_row(w))) goto rsfail;
    }
    if ((e = readstat_end_writing(w))) goto rsfail;
    goto cleanup;
rsfail:
    rc = rs_fail(err, what, e);
cleanup:
    if (w) readstat_writer_free(w);
    free(vars);
    return rc;
}

static void csv_field(const char *s, FILE *out)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static int write_csv(const dyadfit_table *t, FILE *out, dyadfit_error *err)
{
    for (size_t j = 0; j < t->ncol; j++) {
        if (j) fputc(',', out);
        csv_field(t->cols[j].name, out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < t->nrow; i++) {
        for (size_t j = 0; j < t->ncol; j++) {
            const df_column *c = &t->cols[j];
            if (j) fputc(',', out);
            if (c->type == DF_COL_STRING) {
                /* an empty string is missing: write nothing */
                if (c->code[i] >= 0) csv_field(c->levels[c->code[i]], out);
            } else if (!isnan(c->num[i])) {
                fprintf(out, "%.17g", c->num[i]);
            }
        }
        fputc('\n', out);
    }
    if (ferror(out)) return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the CSV file");
    return DYADFIT_OK;
}

const char *df_write_format(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/')) return NULL;
    static const char *known[] = {"dta", "sav", "csv"};
    for (int k = 0; k < 3; k++) {
        const char *a = dot + 1, *b = known[k];
        while (*a && *b && (*a | 0x20) == *b) { a++; b++; }
        if (!*a && !*b) return known[k];
    }
    return NULL;
}

int df_table_write(const dyadfit_table *t, const char *format, FILE *out,
                   dyadfit_error *err)
{
    if (!t || !format || !out) return df_error(err, DYADFIT_ERR_USAGE, "nothing to write");
    if (!strcmp(format, "dta")) return write_readstat(t, 1, out, err);
    if (!strcmp(format, "sav")) return write_readstat(t, 0, out, err);
    if (!strcmp(format, "csv")) return write_csv(t, out, err);
    return df_error(err, DYADFIT_ERR_USAGE,
                    "cannot write format '%s' (dta, sav and csv can be written)", format);
}
