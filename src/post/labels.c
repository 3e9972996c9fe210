/* labels.c -- display names for the rows of a model table from the data a
 * fit was made from (dyadfit table --labels), as Stata's esttab, label and
 * modelsummary's coef_rename do by hand:
 *
 *   defense            -> its variable label
 *   factor(region)2    -> "<label of region>: <value label of 2>" (or the
 *                         level itself when it has no value label)
 *   defense:contig     -> the labels of the parts joined by " x "
 *   log(cap_ratio), I(peaceyrs^2), (Intercept) -> unchanged
 *
 * A term gets a label only when each of its parts does; a variable without
 * a label keeps its name. Only the variables the terms name are read (not
 * the peace-year columns a fit --spells made: they keep their names). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "post.h"
#include "../util/util.h"

static int is_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '.')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')) return 0;
    return 1;
}

/* One part of a term (between ':'): a plain variable, or factor(v)LEVEL.
 * Sets the variable's span and, for a factor, the level's. Returns 0 for
 * anything else. */
static int parse_part(const char *s, size_t n, const char **v, size_t *vn, const char **lev,
                      size_t *ln)
{
    *lev = NULL;
    *ln = 0;
    if (is_name(s, n)) {
        *v = s;
        *vn = n;
        return 1;
    }
    if (n > 7 && strncmp(s, "factor(", 7) == 0) {
        const char *close = memchr(s, ')', n);
        if (!close || !is_name(s + 7, (size_t)(close - s - 7))) return 0;
        *v = s + 7;
        *vn = (size_t)(close - s - 7);
        *lev = close + 1;
        *ln = n - (size_t)(close + 1 - s);
        return *ln > 0;
    }
    return 0;
}

/* Calls fn(name, len, ctx) for each variable the term's parts name; returns
 * 0 when some part is not a variable or factor level. */
static int term_vars(const char *term, void (*fn)(const char *, size_t, void *), void *ctx)
{
    const char *p = term;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        const char *v, *lev;
        size_t vn, ln;
        if (!parse_part(p, n, &v, &vn, &lev, &ln)) return 0;
        if (fn) fn(v, vn, ctx);
        if (!colon) return 1;
        p = colon + 1;
    }
}

typedef struct {
    char **v;
    size_t n, cap;
    int oom;
} names;

static void add_name(const char *s, size_t n, void *ctx)
{
    names *l = ctx;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == n && strncmp(l->v[i], s, n) == 0) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) { l->oom = 1; return; }
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = df_malloc(n + 1, 1))) { l->oom = 1; return; }
    memcpy(l->v[l->n], s, n);
    l->v[l->n++][n] = 0;
}

static const df_column *find_n(const dyadfit_table *t, const char *s, size_t n)
{
    char b[256];
    if (n >= sizeof b) return NULL;
    memcpy(b, s, n);
    b[n] = 0;
    return df_table_find(t, b);
}

/* The label of one term, malloc'd, or NULL (no label: keep the term). */
static char *term_label(const dyadfit_table *t, const char *term, int *oom)
{
    size_t cap = 64, len = 0;
    char *out = df_malloc(cap, 1);
    if (!out) { *oom = 1; return NULL; }
    out[0] = 0;
    int labelled = 0;
    for (const char *p = term;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        const char *v = p, *lev = NULL;
        size_t vn = n, ln = 0;
        char piece[600];
        parse_part(p, n, &v, &vn, &lev, &ln);  /* checked by term_vars */
        const df_column *c = find_n(t, v, vn);
        const char *vl = c && c->label && *c->label ? c->label : NULL;
        labelled |= vl != NULL;
        if (lev) {
            const char *lv = NULL;
            char lb[64];
            if (c && c->type == DF_COL_NUMERIC && ln < sizeof lb) {
                memcpy(lb, lev, ln);
                lb[ln] = 0;
                char *end;
                double x = strtod(lb, &end);
                if (*end == 0 && end != lb) lv = df_column_value_label(c, x);
                labelled |= lv != NULL;
            }
            if (vl) snprintf(piece, sizeof piece, "%.300s: %.*s", vl, lv ? (int)strlen(lv) : (int)ln,
                             lv ? lv : lev);
            else snprintf(piece, sizeof piece, "%.*s: %.*s", (int)vn, v,
                          lv ? (int)strlen(lv) : (int)ln, lv ? lv : lev);
        } else {
            snprintf(piece, sizeof piece, "%.*s", vl ? (int)strlen(vl) : (int)vn, vl ? vl : v);
        }
        size_t need = len + strlen(piece) + 4;
        if (need > cap) {
            char *o = realloc(out, need * 2);
            if (!o) { free(out); *oom = 1; return NULL; }
            out = o;
            cap = need * 2;
        }
        len += (size_t)sprintf(out + len, "%s%s", len ? " x " : "", piece);
        if (!colon) break;
        p = colon + 1;
    }
    if (!labelled) { free(out); return NULL; }
    return out;
}

/* A column fit --spells made (not in the file, so not read for labels). */
static int made_by_spells(const df_post_fit *f, const char *name)
{
    if (!f->spells.event) return 0;
    const char *made[] = {f->spells.name, f->spells.spell_name, f->spells.drop_name,
                          f->spells.number_name};
    for (size_t i = 0; i < 4; i++)
        if (made[i] && strcmp(made[i], name) == 0) return 1;
    const char *pre = f->spells.spline_prefix;
    size_t pl = pre ? strlen(pre) : 0;
    if (pl && strncmp(name, pre, pl) == 0 && name[pl]) {
        char *end;
        long k = strtol(name + pl, &end, 10);
        return *end == 0 && k >= 1 && k <= f->spells.splines;
    }
    return 0;
}

int df_post_term_labels(const df_post_fit *f, char ***labels, char *warn, size_t wlen,
                        dyadfit_error *err)
{
    names l = {0};
    dyadfit_table *t = NULL;
    char *path = NULL;
    int rc = DYADFIT_OK;
    *labels = NULL;
    if (wlen) warn[0] = 0;
    for (size_t j = 0; j < f->k; j++) term_vars(f->terms[j], add_name, &l);
    if (l.oom) { rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory"); goto cleanup; }
    size_t kept = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (made_by_spells(f, l.v[i])) free(l.v[i]);
        else l.v[kept++] = l.v[i];
    }
    l.n = kept;
    if (!(*labels = df_calloc(f->k ? f->k : 1, sizeof **labels))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (l.n == 0) goto cleanup;
    if (!f->data_path || !*f->data_path) {
        snprintf(warn, wlen, "%s: no labels (the saved fit names no data file)", f->json_path);
        goto cleanup;
    }
    if (!(path = df_post_data_location(f))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    dyadfit_read_opts o = {(const char *const *)l.v, l.n};
    dyadfit_error rerr;
    if (dyadfit_read(path, &o, &t, &rerr)) {
        /* labels are a courtesy: the table is still written, with names */
        snprintf(warn, wlen, "%s: no labels from %s: %s", f->json_path, path, rerr.message);
        goto cleanup;
    }
    if (f->sha256[0] && strcmp(f->sha256, t->sha256) != 0)
        snprintf(warn, wlen, "%s: labels read from %s, which has changed since the fit",
                 f->json_path, path);
    int oom = 0;
    for (size_t j = 0; j < f->k && !oom; j++)
        if (term_vars(f->terms[j], NULL, NULL)) (*labels)[j] = term_label(t, f->terms[j], &oom);
    if (oom) rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
cleanup:
    if (rc && *labels) {
        for (size_t j = 0; j < f->k; j++) free((*labels)[j]);
        free(*labels);
        *labels = NULL;
    }
    for (size_t i = 0; i < l.n; i++) free(l.v[i]);
    free(l.v);
    free(path);
    dyadfit_table_free(t);
    return rc;
}
