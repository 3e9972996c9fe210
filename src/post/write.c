/* write.c -- predictions and effects in broom's columns: csv (term,
 * estimate, std.error, statistic, p.value, conf.low, conf.high, contrast;
 * %.17g), json ({"what", "note", "rows": [...]}) or a text table. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "post.h"
#include "../util/util.h"

static void csv_field(const char *s, FILE *out)
{
    if (!s) return;
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"') fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
}

static void json_str(const char *s, FILE *out)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void num(double x, FILE *out, const char *missing)
{
    if (isfinite(x)) fprintf(out, "%.17g", x);
    else fputs(missing, out);
}

int df_post_write(const df_post_table *t, const char *format, FILE *out, dyadfit_error *err)
{
    static const char *cols[] = {"estimate", "std.error", "statistic", "p.value", "conf.low",
                                 "conf.high"};
    if (strcmp(format, "csv") == 0) {
        fputs("term,estimate,std.error,statistic,p.value,conf.low,conf.high,contrast\n", out);
        for (size_t i = 0; i < t->n; i++) {
            const df_post_row *r = &t->rows[i];
            double v[] = {r->estimate, r->std_error, r->statistic, r->p_value, r->conf_low,
                          r->conf_high};
            csv_field(r->term, out);
            for (int c = 0; c < 6; c++) {
                fputc(',', out);
                num(v[c], out, "NA");
            }
            fputc(',', out);
            csv_field(r->contrast, out);
            fputc('\n', out);
        }
    } else if (strcmp(format, "json") == 0) {
        fputs("{\n  \"what\": ", out);
        json_str(t->what, out);
        fputs(",\n  \"note\": ", out);
        json_str(t->note, out);
        fputs(",\n  \"rows\": [\n", out);
        for (size_t i = 0; i < t->n; i++) {
            const df_post_row *r = &t->rows[i];
            double v[] = {r->estimate, r->std_error, r->statistic, r->p_value, r->conf_low,
                          r->conf_high};
            fputs("    {\"term\": ", out);
            json_str(r->term, out);
            fputs(", \"contrast\": ", out);
            json_str(r->contrast, out);
            for (int c = 0; c < 6; c++) {
                fprintf(out, ", \"%s\": ", cols[c]);
                num(v[c], out, "null");
            }
            fputs(i + 1 < t->n ? "},\n" : "}\n", out);
        }
        fputs("  ]\n}\n", out);
    } else if (strcmp(format, "text") == 0) {
        size_t w = 4;
        for (size_t i = 0; i < t->n; i++)
            if (strlen(t->rows[i].term) > w) w = strlen(t->rows[i].term);
        if (w > 60) w = 60;
        fprintf(out, "%s\n\n", t->what ? t->what : "");
        fprintf(out, "%-*s  %-10s %11s %11s %8s %7s %11s %11s\n", (int)w, "term", "contrast",
                "estimate", "std.error", "z", "P>|z|", "conf.low", "conf.high");
        for (size_t i = 0; i < t->n; i++) {
            const df_post_row *r = &t->rows[i];
            /* NaN (survival rows: statistic, p.value; no interval at S = 1)
             * is left blank */
            char zs[16] = "", ps[16] = "", lo[32] = "", hi[32] = "";
            if (isfinite(r->statistic)) snprintf(zs, sizeof zs, "%8.2f", r->statistic);
            if (isfinite(r->p_value)) snprintf(ps, sizeof ps, "%7.3f", r->p_value);
            if (isfinite(r->conf_low)) snprintf(lo, sizeof lo, "%11.6g", r->conf_low);
            if (isfinite(r->conf_high)) snprintf(hi, sizeof hi, "%11.6g", r->conf_high);
            fprintf(out, "%-*.*s  %-10s %11.6g %11.6g %8s %7s %11s %11s\n", (int)w,
                    (int)w, r->term, r->contrast ? r->contrast : "", r->estimate, r->std_error,
                    zs, ps, lo, hi);
        }
        if (t->note) fprintf(out, "\n%s\n", t->note);
    } else {
        return df_error(err, DYADFIT_ERR_USAGE, "unknown format '%s' (text, csv, json)", format);
    }
    if (ferror(out)) return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the output");
    return DYADFIT_OK;
}
