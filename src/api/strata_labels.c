/* strata_labels.c -- survival's names and order of strata (strata_labels.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strata_labels.h"
#include "../table/table.h"
#include "../util/util.h"

#define MAX_VARS 16

/* The variables of the formula's strata() terms, in order, with the index
 * of the term each belongs to. The design layer has checked that they are
 * plain names. */
static size_t strata_vars(const char *f, char names[][256], size_t *term, size_t cap)
{
    size_t n = 0, nt = 0;
    for (const char *p = f ? strstr(f, "strata(") : NULL; p; p = strstr(p + 1, "strata(")) {
        if (p > f && (p[-1] == '_' || p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9') ||
                      ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z')))
            continue;   /* a longer name ending in "strata" */
        const char *a = p + 7;
        while (*a && *a != ')' && n < cap) {
            while (*a == ' ' || *a == '`') a++;
            size_t len = strcspn(a, ",)");
            size_t l = len;
            while (l > 0 && (a[l - 1] == ' ' || a[l - 1] == '`')) l--;
            snprintf(names[n], 256, "%.*s", (int)l, a);
            term[n++] = nt;
            a += len;
            if (*a == ',') a++;
        }
        nt++;
    }
    return n;
}

/* x as R's as.character(x) writes a double: at most 15 significant
 * digits, fixed notation unless scientific is shorter (scipen = 0). */
static void r_number(double x, char *buf, size_t cap)
{
    char e[64];
    if (x == 0) { snprintf(buf, cap, "0"); return; }
    snprintf(e, sizeof e, "%.14e", x);             /* [-]d.dddddddddddddde[+-]XX */
    const char *m = e + (x < 0), *ep = strchr(e, 'e');
    int ex = atoi(ep + 1), nsig = 15;
    while (nsig > 1 && m[nsig] == '0') nsig--;      /* m[1] is the point */
    int neg = x < 0, rgt = nsig - 1 - ex > 0 ? nsig - 1 - ex : 0;
    int wfix = neg + (ex >= 0 ? ex + 1 : 1) + (rgt ? rgt + 1 : 0);
    int wsci = neg + (nsig > 1 ? nsig + 1 : 1) + (abs(ex) >= 100 ? 5 : 4);
    if (wfix <= wsci) snprintf(buf, cap, "%.*f", rgt, x);
    else snprintf(buf, cap, "%.*e", nsig - 1, x);
}

typedef struct {
    size_t id;                /* the design's stratum id */
    size_t row;               /* a source row of the stratum */
    const df_column *const *cols;
    size_t ncol;
} skey;

static int cmp_key(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    for (size_t v = 0; v < a->ncol; v++) {
        const df_column *c = a->cols[v];
        int r;
        if (c->type == DF_COL_STRING)
            r = strcmp(c->levels[c->code[a->row]], c->levels[c->code[b->row]]);
        else
            r = (c->num[a->row] > c->num[b->row]) - (c->num[a->row] < c->num[b->row]);
        if (r) return r;
    }
    return (a->id > b->id) - (a->id < b->id);
}

void df_strata_labels_free(df_strata_labels *s)
{
    for (size_t j = 0; s->label && j < s->ns; j++) free(s->label[j]);
    free(s->label);
    free(s->rank);
    memset(s, 0, sizeof *s);
}

/* The label of the stratum whose first row is `row` (see the header). */
static void label_of(const df_column *const *cols, const size_t *term, size_t nv,
                     size_t row, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t v = 0; v < nv && o < cap; v++) {
        int all_string = 1;   /* of v's strata() term */
        for (size_t u = 0; u < nv; u++)
            if (term[u] == term[v] && cols[u]->type != DF_COL_STRING) all_string = 0;
        const df_column *c = cols[v];
        const char *sep = v ? ", " : "";
        char num[64];
        if (c->type == DF_COL_STRING && all_string)
            o += (size_t)snprintf(buf + o, cap - o, "%s%s", sep, c->levels[c->code[row]]);
        else if (c->type == DF_COL_STRING)
            o += (size_t)snprintf(buf + o, cap - o, "%s%s=%s", sep, c->name,
                                  c->levels[c->code[row]]);
        else {
            r_number(c->num[row], num, sizeof num);
            o += (size_t)snprintf(buf + o, cap - o, "%s%s=%s", sep, c->name, num);
        }
    }
}

int df_strata_labels_make(const dyadfit_table *t, const char *f, const df_design *d,
                           df_strata_labels *out, dyadfit_error *err)
{
    char names[MAX_VARS][256];
    size_t term[MAX_VARS];
    const df_column *cols[MAX_VARS];
    size_t nv = strata_vars(f, names, term, MAX_VARS), ns = d->nstrata;
    skey *keys = NULL;
    int rc = DYADFIT_ERR_SYSTEM;

    memset(out, 0, sizeof *out);
    out->ns = ns;
    for (size_t v = 0; v < nv; v++)
        if (!(cols[v] = df_table_find(t, names[v]))) nv = 0;   /* not ours: ids only */
    out->rank = df_malloc(ns ? ns : 1, sizeof *out->rank);
    out->label = df_calloc(ns ? ns : 1, sizeof *out->label);
    keys = df_malloc(ns ? ns : 1, sizeof *keys);
    if (!out->rank || !out->label || !keys) goto cleanup;
    for (size_t s = 0; s < ns; s++) keys[s] = (skey){s, (size_t)-1, cols, nv};
    for (size_t i = d->n; i-- > 0;) keys[d->strata[i]].row = d->rows[i];   /* first row */
    for (size_t s = 0; s < ns; s++)
        if (keys[s].row == (size_t)-1) nv = 0;   /* not expected: the ids are dense */
    for (size_t s = 0; s < ns; s++) {
        char buf[1024];
        keys[s].ncol = nv;
        label_of(cols, term, nv, keys[s].row, buf, sizeof buf);
        if (!buf[0]) snprintf(buf, sizeof buf, "stratum %zu", s + 1);
        if (!(out->label[s] = df_strdup(buf))) goto cleanup;
    }
    if (nv > 0) qsort(keys, ns, sizeof *keys, cmp_key);
    for (size_t p = 0; p < ns; p++) out->rank[keys[p].id] = p;
    rc = DYADFIT_OK;
cleanup:
    free(keys);
    if (rc) {
        df_strata_labels_free(out);
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory (strata labels)");
    }
    return rc;
}
