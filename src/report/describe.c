/* describe.c -- a data set's variables at a glance, like Stata's describe +
 * summarize: name, type, N, missing, mean, sd, min, max, label. */
#include <math.h>
#include <string.h>
#include "../table/table.h"
#include "../util/util.h"

typedef struct {
    size_t n, nmiss;
    double mean, sd, min, max;
} col_summary;

static col_summary summarize(const df_column *c, size_t nrow)
{
    col_summary s = {0, 0, NAN, NAN, NAN, NAN};
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < nrow; i++) {
        if (df_column_is_missing(c, i)) { s.nmiss++; continue; }
        if (c->type == DF_COL_STRING) { s.n++; continue; }
        double x = c->num[i];
        s.n++;
        /* Welford: stable for large means */
        double delta = x - mean;
        mean += delta / (double)s.n;
        m2 += delta * (x - mean);
        if (s.n == 1 || x < s.min) s.min = x;
        if (s.n == 1 || x > s.max) s.max = x;
    }
    if (c->type == DF_COL_NUMERIC && s.n > 0) {
        s.mean = mean;
        s.sd = s.n > 1 ? sqrt(m2 / (double)(s.n - 1)) : NAN;
    }
    return s;
}

static const char *type_name(const df_column *c)
{
    static const char *names[] = {"double", "float", "long", "int", "byte", "str"};
    return c->storage <= DF_STORE_STRING ? names[c->storage] : "?";
}

int dyadfit_describe(const dyadfit_table *t, dyadfit_format f, FILE *out,
                     dyadfit_error *err)
{
    if (f != DYADFIT_FORMAT_TEXT && f != DYADFIT_FORMAT_CSV)
        return df_error(err, DYADFIT_ERR_USAGE, "describe writes text or csv");
    if (f == DYADFIT_FORMAT_TEXT)
        fprintf(out, "%s: %zu rows, %zu variables, sha256 %s\n\n%-20s %-6s %10s %8s %12s %12s %12s %12s  %s\n",
                t->path ? t->path : "(memory)", t->nrow, t->ncol, t->sha256,
                "variable", "type", "N", "missing", "mean", "sd", "min", "max", "label");
    else
        fputs("variable,type,n,missing,mean,sd,min,max,levels,label\n", out);
    for (size_t j = 0; j < t->ncol; j++) {
        const df_column *c = &t->cols[j];
        col_summary s = summarize(c, t->nrow);
        const char *label = c->label ? c->label : "";
        if (f == DYADFIT_FORMAT_TEXT) {
            fprintf(out, "%-20s %-6s %10zu %8zu", c->name, type_name(c), s.n, s.nmiss);
            if (c->type == DF_COL_STRING)
                fprintf(out, " %12s %12s %12s %12s", "", "", "", "");
            else
                fprintf(out, " %12.6g %12.6g %12.6g %12.6g", s.mean, s.sd, s.min, s.max);
            fprintf(out, "  %s", label);
            if (c->type == DF_COL_STRING) fprintf(out, " [%zu distinct]", c->nlevels);
            if (c->nvlabels) fprintf(out, " [%zu value labels]", c->nvlabels);
            fputc('\n', out);
        } else {
            fprintf(out, "%s,%s,%zu,%zu,%.17g,%.17g,%.17g,%.17g,%zu,\"", c->name,
                    type_name(c), s.n, s.nmiss, s.mean, s.sd, s.min, s.max,
                    c->type == DF_COL_STRING ? c->nlevels : c->nvlabels);
            for (const char *p = label; *p; p++) {
                if (*p == '"') fputc('"', out);
                fputc(*p, out);
            }
            fputs("\"\n", out);
        }
    }
    if (fflush(out) != 0 || ferror(out))
        return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the description");
    return DYADFIT_OK;
}
