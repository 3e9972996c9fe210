/* plot_data.c -- the figures of plot.h: what goes on them (saved
 * coefficients, predictions on a grid) and where (layout in px, 96 per
 * inch). Drawing primitives are in report/svg.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include "plot.h"
#include "../report/svg.h"
#include "../util/util.h"

#define FONT 11.0            /* px: 8.25 pt, a journal figure's small type */
#define GRID "#dcdcdc"
#define MAXTICKS 64

/* ------------------------------------------------------------ loading */

static char *slurp(const char *path, const char *what, dyadfit_error *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!fp) {
        df_error(err, DYADFIT_ERR_DATA, "cannot open %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len + 4097 > cap) {
            char *nb = realloc(buf, cap ? 2 * cap : 65536);
            if (!nb) {
                free(buf);
                fclose(fp);
                df_error(err, DYADFIT_ERR_SYSTEM, "out of memory reading '%s'", path);
                return NULL;
            }
            buf = nb;
            cap = cap ? 2 * cap : 65536;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        df_error(err, DYADFIT_ERR_DATA, "cannot read %s '%s'", what, path);
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

void df_plot_model_free(df_plot_model *m)
{
    if (!m) return;
    for (size_t j = 0; m->term && j < m->k; j++) free(m->term[j]);
    free(m->term);
    free(m->est);
    free(m->lo);
    free(m->hi);
    free(m->name);
    memset(m, 0, sizeof *m);
}

static double num_or_nan(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static char *stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t len = strlen(b);
    if (len > 5 && strcmp(b + len - 5, ".json") == 0) len -= 5;
    char *s = df_malloc(len + 1, 1);
    if (s) {
        memcpy(s, b, len);
        s[len] = 0;
    }
    return s;
}

int df_plot_model_load(const char *path, const char *name, df_plot_model *m,
                       dyadfit_error *err)
{
    char *text = NULL;
    cJSON *root = NULL;
    int rc = DYADFIT_OK;
    memset(m, 0, sizeof *m);
    if (!(text = slurp(path, "saved fit", err))) return err ? err->code : DYADFIT_ERR_DATA;
    root = cJSON_Parse(text);
    const cJSON *co = root ? cJSON_GetObjectItemCaseSensitive(root, "coefficients") : NULL;
    if (!root || !cJSON_IsObject(root)) {
        rc = df_error(err, DYADFIT_ERR_DATA, "'%s' is not a saved fit: malformed JSON (save "
                      "one with dyadfit fit ... --save FILE)", path);
        goto cleanup;
    }
    if (!cJSON_IsArray(co) || cJSON_GetArraySize(co) == 0) {
        rc = df_error(err, DYADFIT_ERR_DATA, "saved fit '%s' has no \"coefficients\" array", path);
        goto cleanup;
    }
    size_t k = (size_t)cJSON_GetArraySize(co);
    m->term = df_calloc(k, sizeof *m->term);
    m->est = df_malloc(k, sizeof *m->est);
    m->lo = df_malloc(k, sizeof *m->lo);
    m->hi = df_malloc(k, sizeof *m->hi);
    m->name = name ? df_strdup(name) : stem(path);
    if (!m->term || !m->est || !m->lo || !m->hi || !m->name) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    m->level = num_or_nan(root, "level");
    double level = m->level > 0 && m->level < 1 ? m->level : 0.95;
    double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    const cJSON *row;
    cJSON_ArrayForEach(row, co) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(row, "term");
        double est = num_or_nan(row, "estimate");
        if (!cJSON_IsString(t) || !isfinite(est)) {
            rc = df_error(err, DYADFIT_ERR_DATA, "saved fit '%s': coefficient %zu has no "
                          "\"term\" or numeric \"estimate\"", path, m->k + 1);
            goto cleanup;
        }
        if (!(m->term[m->k] = df_strdup(t->valuestring))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        double se = num_or_nan(row, "std.error");
        double lo = num_or_nan(row, "conf.low"), hi = num_or_nan(row, "conf.high");
        m->est[m->k] = est;
        m->lo[m->k] = isnan(lo) ? est - z * se : lo;
        m->hi[m->k] = isnan(hi) ? est + z * se : hi;
        m->k++;
    }
cleanup:
    cJSON_Delete(root);
    free(text);
    if (rc) df_plot_model_free(m);
    return rc;
}

void df_plot_labels_free(df_plot_labels *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->term[i]);
        free(l->label[i]);
    }
    free(l->term);
    free(l->label);
    memset(l, 0, sizeof *l);
}

/* One line "term<TAB>label", "term,label" or "\"te,rm\",label" split in
 * place; returns 0 and the two fields, -1 when malformed. */
static int split_label(char *line, char **term, char **label)
{
    char *p = line;
    if (*p == '"') {
        char *w = p, *r = p + 1;
        for (;;) {
            if (!*r) return -1;
            if (*r == '"') {
                if (r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                    continue;
                }
                r++;
                break;
            }
            *w++ = *r++;
        }
        *w = 0;
        if (*r != '\t' && *r != ',') return -1;
        *term = line;
        *label = r + 1;
    } else {
        char *sep = strchr(p, '\t');
        if (!sep) sep = strchr(p, ',');
        if (!sep) return -1;
        *sep = 0;
        *term = p;
        *label = sep + 1;
    }
    /* a label in double quotes loses them */
    size_t ll = strlen(*label);
    if (ll >= 2 && (*label)[0] == '"' && (*label)[ll - 1] == '"') {
        (*label)[ll - 1] = 0;
        (*label)++;
    }
    return **term ? 0 : -1;
}

int df_plot_labels_read(const char *path, df_plot_labels *l, dyadfit_error *err)
{
    char *text;
    int rc = DYADFIT_OK;
    memset(l, 0, sizeof *l);
    if (!(text = slurp(path, "labels file", err))) return err ? err->code : DYADFIT_ERR_DATA;
    size_t lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        line[strcspn(line, "\r")] = 0;
        if (!*line || *line == '#') continue;
        char *term, *label;
        if (split_label(line, &term, &label)) {
            rc = df_error(err, DYADFIT_ERR_DATA, "labels file '%s', line %zu: not "
                          "\"term<TAB>label\" or \"term,label\"", path, lineno);
            goto cleanup;
        }
        char **nt = df_realloc(l->term, l->n + 1, sizeof *nt);
        if (nt) l->term = nt;
        char **nl = nt ? df_realloc(l->label, l->n + 1, sizeof *nl) : NULL;
        if (nl) l->label = nl;
        if (!nt || !nl) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        l->term[l->n] = df_strdup(term);
        l->label[l->n] = df_strdup(label);
        l->n++;
        if (!l->term[l->n - 1] || !l->label[l->n - 1]) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
    }
cleanup:
    free(text);
    if (rc) df_plot_labels_free(l);
    return rc;
}

static const char *label_of(const df_plot_labels *l, const char *term)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (strcmp(l->term[i], term) == 0) return l->label[i];
    return term;
}

/* ---------------------------------------------------------- axes */

/* A linear map from data to px. */
typedef struct {
    double d0, d1, p0, p1;
} scale;

static double sc(const scale *s, double v)
{
    return s->p0 + (v - s->d0) / (s->d1 - s->d0) * (s->p1 - s->p0);
}

/* Ticks for a data range, the range widened to the outer ticks. */
static size_t nice_range(double lo, double hi, size_t target, double *t, double *step)
{
    size_t n = df_svg_ticks(lo, hi, target, t, MAXTICKS, step);
    return n;
}

/* --------------------------------------------------------- coef plot */

static long find_term(const df_plot_model *m, const char *term)
{
    for (size_t j = 0; j < m->k; j++)
        if (strcmp(m->term[j], term) == 0) return (long)j;
    return -1;
}

int df_plot_coef_svg(const df_plot_model *m, size_t nm, const df_plot_coef_opts *o,
                     FILE *out, dyadfit_error *err)
{
    const char **rows = NULL;
    size_t nr = 0, total = 0;
    int rc = DYADFIT_OK;
    if (nm == 0) return df_error(err, DYADFIT_ERR_USAGE, "no saved fit to plot");
    for (size_t i = 0; i < nm; i++) total += m[i].k;
    if (!(rows = df_malloc(total, sizeof *rows)))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t d = 0; d < o->ndrop; d++) {
        int found = 0;
        for (size_t i = 0; i < nm && !found; i++) found = find_term(&m[i], o->drop[d]) >= 0;
        if (!found) {
            rc = df_error(err, DYADFIT_ERR_USAGE, "--drop: no term '%s' in the saved fits",
                          o->drop[d]);
            goto cleanup;
        }
    }
    /* rows: the union of terms in order of first appearance */
    for (size_t i = 0; i < nm; i++)
        for (size_t j = 0; j < m[i].k; j++) {
            int skip = 0;
            for (size_t d = 0; d < o->ndrop && !skip; d++) skip = strcmp(o->drop[d], m[i].term[j]) == 0;
            for (size_t r = 0; r < nr && !skip; r++) skip = strcmp(rows[r], m[i].term[j]) == 0;
            if (!skip) rows[nr++] = m[i].term[j];
        }
    if (nr == 0) {
        rc = df_error(err, DYADFIT_ERR_USAGE, "no term left to plot after --drop");
        goto cleanup;
    }

    /* the data range, always with 0 in it (the reference line) */
    double lo = 0, hi = 0;
    for (size_t i = 0; i < nm; i++)
        for (size_t r = 0; r < nr; r++) {
            long j = find_term(&m[i], rows[r]);
            if (j < 0) continue;
            double v[3] = {m[i].est[j], m[i].lo[j], m[i].hi[j]};
            for (int q = 0; q < 3; q++)
                if (isfinite(v[q])) {
                    if (v[q] < lo) lo = v[q];
                    if (v[q] > hi) hi = v[q];
                }
        }
    double ticks[MAXTICKS], step;
    size_t nt = nice_range(lo, hi, 6, ticks, &step);

    /* layout */
    double W = 96 * (o->width > 0 ? o->width : 6.5);
    double labw = 0;
    for (size_t r = 0; r < nr; r++) {
        double w = df_svg_text_width(label_of(o->labels, rows[r]), FONT);
        if (w > labw) labw = w;
    }
    double left = 12 + labw + 10, right = 18;
    if (left > 0.5 * W) left = 0.5 * W;
    double top = nm > 1 ? 34 : 12;
    double rowh = nm > 1 ? 12 + 7.0 * (double)nm : 20;
    double off = 7;                       /* vertical dodge between models */
    double ph = rowh * (double)nr, bottom = 46;
    double H = top + ph + bottom;
    scale xs = {ticks[0], ticks[nt - 1], left, W - right};

    int same_level = 1;
    for (size_t i = 1; i < nm; i++) same_level &= m[i].level == m[0].level;
    char title[128], xtitle[128];
    if (same_level && m[0].level > 0 && m[0].level < 1)
        snprintf(xtitle, sizeof xtitle, "Estimate with %g%% confidence interval", 100 * m[0].level);
    else
        snprintf(xtitle, sizeof xtitle, "Estimate with confidence interval");
    snprintf(title, sizeof title, "Coefficient plot (%zu model%s)", nm, nm > 1 ? "s" : "");

    df_svg s;
    df_svg_begin(&s, out, W, H, title, "Estimates from saved dyadfit fits with the saved "
                 "confidence intervals; dashed line at zero.");
    char buf[64];
    /* grid and axis */
    for (size_t t = 0; t < nt; t++)
        df_svg_line(&s, "grid", sc(&xs, ticks[t]), top, sc(&xs, ticks[t]), top + ph, GRID, 0.6, NULL);
    df_svg_line(&s, "zero", sc(&xs, 0), top, sc(&xs, 0), top + ph, "#555555", 0.9, "4 3");
    df_svg_line(&s, "axis", left, top + ph, W - right, top + ph, "#000000", 0.8, NULL);
    for (size_t t = 0; t < nt; t++) {
        double x = sc(&xs, ticks[t]);
        df_svg_line(&s, "tick", x, top + ph, x, top + ph + 4, "#000000", 0.8, NULL);
        df_svg_number(buf, sizeof buf, ticks[t], step);
        df_svg_text(&s, "xtick", x, top + ph + 16, "middle", FONT, 0, buf);
    }
    df_svg_text(&s, "xtitle", 0.5 * (left + W - right), H - 8, "middle", FONT, 0, xtitle);

    /* rows: label, then each model's interval and estimate */
    for (size_t r = 0; r < nr; r++) {
        double yc = top + ((double)r + 0.5) * rowh;
        df_svg_text(&s, "term", left - 10, yc + 0.35 * FONT, "end", FONT, 0,
                    label_of(o->labels, rows[r]));
        for (size_t i = 0; i < nm; i++) {
            long j = find_term(&m[i], rows[r]);
            if (j < 0) continue;
            /* the first model on top, as the legend reads */
            double y = yc + ((double)i - 0.5 * (double)(nm - 1)) * off;
            const char *col = df_svg_colour(i);
            double a = m[i].lo[j], b = m[i].hi[j];
            if (!isnan(a) && !isnan(b)) {
                /* an infinite bound (separation) runs to the panel's edge */
                double xa = isfinite(a) ? sc(&xs, a) : left, xb = isfinite(b) ? sc(&xs, b) : W - right;
                df_svg_line(&s, "ci", xa, y, xb, y, col, 1.4, NULL);
            }
            df_svg_circle(&s, "pt", sc(&xs, m[i].est[j]), y, 2.8, col, NULL);
        }
    }
    /* legend: one entry per model, left to right above the panel */
    if (nm > 1) {
        double x = left;
        for (size_t i = 0; i < nm; i++) {
            df_svg_circle(&s, "key", x + 4, 16, 3, df_svg_colour(i), NULL);
            df_svg_text(&s, "keytext", x + 12, 16 + 0.35 * FONT, "start", FONT, 0, m[i].name);
            x += 12 + df_svg_text_width(m[i].name, FONT) + 18;
        }
    }
    rc = df_svg_end(&s, err);
cleanup:
    free(rows);
    return rc;
}

/* --------------------------------------------- predicted probabilities */

void df_plot_curves_free(df_plot_curve *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++) {
        free(c[i].label);
        free(c[i].x);
        free(c[i].p);
        free(c[i].lo);
        free(c[i].hi);
    }
    free(c);
}

/* The --x variable: a numeric column the model uses (checked by parsing
 * "x=value" as a profile); its observed range over the fitted rows. */
static int check_x(const df_post_fit *f, const char *x, double *mn, double *mx,
                   dyadfit_error *err)
{
    size_t c = df_table_index(f->table, x);
    if (c == (size_t)-1)
        return df_error(err, DYADFIT_ERR_USAGE, "--x: '%s' is not a variable of the model (%s)",
                        x, f->formula);
    const df_column *col = &f->table->cols[c];
    if (col->type == DF_COL_STRING)
        return df_error(err, DYADFIT_ERR_USAGE,
                        "--x: '%s' is a string variable; a curve needs a numeric one", x);
    char probe[300];
    snprintf(probe, sizeof probe, "%s=0", x);
    df_post_profile p;
    dyadfit_error e2 = {0, ""};
    if (strlen(x) > 250 || df_post_profile_parse(f, probe, &p, &e2))
        return df_error(err, DYADFIT_ERR_USAGE, "--x: '%s' is not a variable of the model (%s)",
                        x, f->formula);
    df_post_profile_free(&p);
    /* factor(x): values between the levels are not in the model's columns */
    size_t xl = strlen(x);
    for (const char *q = strstr(f->formula, "factor("); q; q = strstr(q + 1, "factor(")) {
        const char *b = q + 7;
        while (*b == ' ') b++;
        if (*b == '`') b++;
        if (strncmp(b, x, xl) == 0) {
            const char *e = b + xl;
            if (*e == '`') e++;
            while (*e == ' ') e++;
            if (*e == ')')
                return df_error(err, DYADFIT_ERR_USAGE, "--x: '%s' enters the model as "
                                "factor(%s); a curve needs a continuous variable (compare "
                                "its levels with dyadfit predict --at)", x, x);
        }
    }
    *mn = INFINITY;
    *mx = -INFINITY;
    for (size_t i = 0; i < f->design->n; i++) {
        double v = col->num[f->design->rows[i]];
        if (v < *mn) *mn = v;
        if (v > *mx) *mx = v;
    }
    return DYADFIT_OK;
}

int df_plot_predict_data(const df_post_fit *f, const df_plot_predict_opts *o,
                         const char *const *at, size_t nat, df_plot_curve **curves,
                         char **note, dyadfit_error *err)
{
    size_t nc = nat ? nat : 1, np = o->points ? o->points : 41;
    df_plot_curve *c = NULL;
    df_post_profile *prof = NULL;
    df_post_table tab;
    char *text = NULL;
    int rc;
    *curves = NULL;
    *note = NULL;
    memset(&tab, 0, sizeof tab);
    if (f->est == DYADFIT_COX)   /* the figure is on the probability scale */
        return df_error(err, DYADFIT_ERR_SPEC, "plot predict: a Cox fit has no predicted "
                        "probability; use plot survival (or dyadfit predict for exp(x'b))");
    if (np < 2 || np > 10000)
        return df_error(err, DYADFIT_ERR_USAGE, "--points: %zu is not from 2 to 10000", np);
    double mn, mx;
    if ((rc = check_x(f, o->x, &mn, &mx, err))) return rc;
    double from = isnan(o->from) ? mn : o->from, to = isnan(o->to) ? mx : o->to;
    if (!isfinite(from) || !isfinite(to) || !(to > from))
        return df_error(err, DYADFIT_ERR_USAGE, "--from %g --to %g: an empty range of %s", from,
                        to, o->x);
    c = df_calloc(nc, sizeof *c);
    prof = df_calloc(np, sizeof *prof);
    size_t tl = 64 + strlen(o->x);
    for (size_t a = 0; a < nat; a++)
        if (strlen(at[a]) + 64 + strlen(o->x) > tl) tl = strlen(at[a]) + 64 + strlen(o->x);
    text = df_malloc(tl, 1);
    if (!c || !prof || !text) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    for (size_t a = 0; a < nc; a++) {
        df_plot_curve *cu = &c[a];
        /* the profile alone first: its own errors, and it must not set x */
        if (nat) {
            df_post_profile p;
            if ((rc = df_post_profile_parse(f, at[a], &p, err))) goto cleanup;
            int sets_x = 0;
            for (size_t q = 0; q < p.n; q++) sets_x |= strcmp(p.a[q].var, o->x) == 0;
            df_post_profile_free(&p);
            if (sets_x) {
                rc = df_error(err, DYADFIT_ERR_USAGE, "--at \"%s\" sets the --x variable '%s'",
                              at[a], o->x);
                goto cleanup;
            }
            if (!(cu->label = df_strdup(at[a]))) {
                rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                goto cleanup;
            }
        }
        cu->x = df_malloc(np, sizeof(double));
        cu->p = df_malloc(np, sizeof(double));
        cu->lo = df_malloc(np, sizeof(double));
        cu->hi = df_malloc(np, sizeof(double));
        if (!cu->x || !cu->p || !cu->lo || !cu->hi) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < np; i++) {
            /* the grid as from + i h, the last point exactly `to` */
            double x = i + 1 == np ? to : from + (to - from) * (double)i / (double)(np - 1);
            cu->x[i] = x;
            snprintf(text, tl, "%s %s=%.17g", nat ? at[a] : "", o->x, x);
            if ((rc = df_post_profile_parse(f, text, &prof[i], err))) goto cleanup;
        }
        rc = df_post_predict(f, prof, np, &o->post, &tab, err);
        for (size_t i = 0; i < np; i++) df_post_profile_free(&prof[i]);
        if (rc) goto cleanup;
        for (size_t i = 0; i < np; i++) {
            cu->p[i] = tab.rows[i].estimate;
            cu->lo[i] = tab.rows[i].conf_low;
            cu->hi[i] = tab.rows[i].conf_high;
        }
        cu->n = np;
        if (!*note && tab.note && !(*note = df_strdup(tab.note))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
            goto cleanup;
        }
        df_post_table_free(&tab);
        memset(&tab, 0, sizeof tab);
    }
    *curves = c;
    c = NULL;
cleanup:
    if (prof)
        for (size_t i = 0; i < np; i++) df_post_profile_free(&prof[i]);
    free(prof);
    free(text);
    df_post_table_free(&tab);
    df_plot_curves_free(c, nc);
    if (rc) {
        free(*note);
        *note = NULL;
    }
    return rc;
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

int df_plot_predict_svg(const df_plot_curve *c, size_t nc, const char *xlabel,
                        const char *ylabel, const char *desc, double width, FILE *out,
                        dyadfit_error *err)
{
    double *px = NULL, *py = NULL;
    size_t maxn = 0;
    int rc = DYADFIT_OK;
    if (nc == 0) return df_error(err, DYADFIT_ERR_USAGE, "no curve to plot");
    double x0 = INFINITY, x1 = -INFINITY, ylo = 0, yhi = 0;
    for (size_t a = 0; a < nc; a++) {
        if (c[a].n > maxn) maxn = c[a].n;
        for (size_t i = 0; i < c[a].n; i++) {
            if (c[a].x[i] < x0) x0 = c[a].x[i];
            if (c[a].x[i] > x1) x1 = c[a].x[i];
            /* a symmetric delta-method interval may leave [0, 1]; the
             * figure shows the probability scale only */
            double h = clamp01(isfinite(c[a].hi[i]) ? c[a].hi[i] : c[a].p[i]);
            if (h > yhi) yhi = h;
        }
    }
    if (maxn < 2 || !(x1 > x0)) return df_error(err, DYADFIT_ERR_USAGE, "no range to plot");
    if (!(px = df_malloc(2 * maxn, sizeof *px)) || !(py = df_malloc(2 * maxn, sizeof *py))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    double xt[MAXTICKS], yt[MAXTICKS], xstep, ystep;
    size_t nx = nice_range(x0, x1, 8, xt, &xstep);
    size_t ny = nice_range(ylo, yhi, 5, yt, &ystep);
    char buf[64];
    double ylabw = 0;
    for (size_t t = 0; t < ny; t++) {
        df_svg_number(buf, sizeof buf, yt[t], ystep);
        double w = df_svg_text_width(buf, FONT);
        if (w > ylabw) ylabw = w;
    }
    double W = 96 * (width > 0 ? width : 6.5), H = W * 0.62;
    double left = 8 + FONT + 10 + ylabw + 8, right = 18, top = nc > 1 ? 34 : 14, bottom = 46;
    /* x: the panel spans exactly the plotted range; y: out to the ticks */
    scale xs = {x0, x1, left, W - right};
    scale ys = {yt[0], yt[ny - 1], H - bottom, top};

    df_svg s;
    df_svg_begin(&s, out, W, H, ylabel ? ylabel : "Predicted probability", desc);
    for (size_t t = 0; t < ny; t++)
        df_svg_line(&s, "grid", left, sc(&ys, yt[t]), W - right, sc(&ys, yt[t]), GRID, 0.6, NULL);
    for (size_t t = 0; t < nx; t++)
        if (xt[t] >= x0 - 1e-9 * xstep && xt[t] <= x1 + 1e-9 * xstep)
            df_svg_line(&s, "grid", sc(&xs, xt[t]), top, sc(&xs, xt[t]), H - bottom, GRID, 0.6, NULL);
    /* bands under all lines, so no band hides another curve */
    for (size_t a = 0; a < nc; a++) {
        size_t n = c[a].n;
        for (size_t i = 0; i < n; i++) {
            px[i] = px[2 * n - 1 - i] = sc(&xs, c[a].x[i]);
            py[i] = sc(&ys, clamp01(c[a].hi[i]));
            py[2 * n - 1 - i] = sc(&ys, clamp01(c[a].lo[i]));
        }
        df_svg_polygon(&s, "band", px, py, 2 * n, df_svg_colour(a), a == 0 ? 0.15 : 0.22);
    }
    for (size_t a = 0; a < nc; a++) {
        for (size_t i = 0; i < c[a].n; i++) {
            px[i] = sc(&xs, c[a].x[i]);
            py[i] = sc(&ys, clamp01(c[a].p[i]));
        }
        df_svg_polyline(&s, "fit", px, py, c[a].n, df_svg_colour(a), 1.6);
    }
    /* axes */
    df_svg_line(&s, "axis", left, H - bottom, W - right, H - bottom, "#000000", 0.8, NULL);
    df_svg_line(&s, "axis", left, top, left, H - bottom, "#000000", 0.8, NULL);
    for (size_t t = 0; t < nx; t++) {
        if (xt[t] < x0 - 1e-9 * xstep || xt[t] > x1 + 1e-9 * xstep) continue;
        double x = sc(&xs, xt[t]);
        df_svg_line(&s, "tick", x, H - bottom, x, H - bottom + 4, "#000000", 0.8, NULL);
        df_svg_number(buf, sizeof buf, xt[t], xstep);
        df_svg_text(&s, "xtick", x, H - bottom + 16, "middle", FONT, 0, buf);
    }
    for (size_t t = 0; t < ny; t++) {
        double y = sc(&ys, yt[t]);
        df_svg_line(&s, "tick", left - 4, y, left, y, "#000000", 0.8, NULL);
        df_svg_number(buf, sizeof buf, yt[t], ystep);
        df_svg_text(&s, "ytick", left - 7, y + 0.35 * FONT, "end", FONT, 0, buf);
    }
    df_svg_text(&s, "xtitle", 0.5 * (left + W - right), H - 8, "middle", FONT, 0,
                xlabel ? xlabel : "x");
    double yc = 0.5 * (top + H - bottom);
    df_svg_text(&s, "ytitle", 8 + FONT, yc, "middle", FONT, -90,
                ylabel ? ylabel : "Predicted probability");
    if (nc > 1) {
        double x = left;
        for (size_t a = 0; a < nc; a++) {
            const char *lab = c[a].label ? c[a].label : "";
            df_svg_line(&s, "key", x, 16, x + 18, 16, df_svg_colour(a), 1.6, NULL);
            df_svg_text(&s, "keytext", x + 23, 16 + 0.35 * FONT, "start", FONT, 0, lab);
            x += 23 + df_svg_text_width(lab, FONT) + 18;
        }
    }
    rc = df_svg_end(&s, err);
cleanup:
    free(px);
    free(py);
    return rc;
}
