/*
 * variables.c -- dyadfit_model_variables: every variable a model uses, so a
 * caller can read only those columns of a wide file.
 *
 * Input:  a model (formula, filter, weights, offset, cluster, group, absorb).
 * Output: the distinct names, in order of first appearance: the formula's
 *         (response first, then the right-hand side, including the
 *         arguments of calls such as Surv(), strata(), log(), factor()),
 *         then weights, offset, cluster, group, absorb, id, then the filter's;
 *         with m->spells its event, time, unit and ongoing variables, less
 *         the columns it computes (peaceyrs, spell, ...).
 *
 * The list is a superset: every identifier in a variable position of the
 * formula tree (a name that is really a constant or an unsupported construct
 * is listed too, and the design layer reports it when the model is fitted).
 * The filter is scanned by a tokenizer that follows src/table/filter.c's
 * lexical rules: names are letters, digits, '.', '_' (and bytes >= 0x80) or
 * `backquoted`; a name followed by '(' is a function (is.na, c), unquoted
 * TRUE, FALSE, NA and Inf are constants; strings and %op% are skipped.
 * A name listed that is not in the file only costs a fallback read of all
 * columns in the caller; a name missed would be an error, so when in doubt
 * the scan lists it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "dyadfit.h"
#include "../util/util.h"
#include "../design/design_int.h"
#include "api_int.h"

typedef struct {
    char **v;
    size_t n, cap;
} name_list;

/* Adds a copy of s[0..len) unless already present. 0 or -1 (memory). */
static int add_name(name_list *l, const char *s, size_t len)
{
    if (len == 0) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == len && memcmp(l->v[i], s, len) == 0) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c) return -1;
    memcpy(c, s, len);
    c[len] = 0;
    l->v[l->n++] = c;
    return 0;
}

static int add_str(name_list *l, const char *s)
{
    return s && *s ? add_name(l, s, strlen(s)) : 0;
}

/* Every variable node of the tree (argument names such as ref = are not
 * variables; '.' is rejected by the design layer anyway). */
static int walk(const df_expr *e, name_list *l)
{
    if (!e) return 0;
    switch (e->kind) {
    case DF_X_NUM:
        return 0;
    case DF_X_VAR:
        return strcmp(e->text, ".") ? add_str(l, e->text) : 0;
    case DF_X_CALL:
        for (size_t i = 0; i < e->nargs; i++)
            if (walk(e->args[i], l)) return -1;
        return 0;
    default:
        if (walk(e->l, l)) return -1;
        return walk(e->r, l);
    }
}

static int name_start(unsigned char c)
{
    return isalpha(c) || c == '.' || c == '_' || c >= 0x80;
}

static int name_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c >= 0x80;
}

/* The names in a filter expression (see the file comment). */
static int scan_filter(const char *s, name_list *l)
{
    size_t i = 0, n = strlen(s);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\'') {            /* string literal */
            size_t j = i + 1;
            while (j < n && s[j] != (char)c) j += s[j] == '\\' && j + 1 < n ? 2 : 1;
            i = j + 1;
        } else if (c == '`') {                  /* backquoted name */
            size_t j = i + 1;
            while (j < n && s[j] != '`') j++;
            if (add_name(l, s + i + 1, j - i - 1)) return -1;
            i = j + 1;
        } else if (c == '%') {                  /* %in% and the like */
            size_t j = i + 1;
            while (j < n && s[j] != '%') j++;
            i = j + 1;
        } else if (isdigit(c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
            size_t j = i;                       /* number: 1, 2.5, 1e-3, 3L */
            while (j < n && (name_char((unsigned char)s[j]) ||
                             ((s[j] == '+' || s[j] == '-') && j > i &&
                              (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                j++;
            i = j;
        } else if (name_start(c)) {
            size_t j = i;
            while (j < n && name_char((unsigned char)s[j])) j++;
            size_t len = j - i, q = j;
            while (q < n && isspace((unsigned char)s[q])) q++;
            int call = q < n && s[q] == '(';
            int constant = (len == 4 && !memcmp(s + i, "TRUE", 4)) ||
                           (len == 5 && !memcmp(s + i, "FALSE", 5)) ||
                           (len == 2 && !memcmp(s + i, "NA", 2)) ||
                           (len == 3 && !memcmp(s + i, "Inf", 3));
            if (!call && !constant && add_name(l, s + i, len)) return -1;
            i = j;
        } else {
            i++;
        }
    }
    return 0;
}

/* One-step BTSCS (m->spells): its input variables are read; the columns it
 * computes are not (the file need not have them). */
static int spell_variables(const dyadfit_btscs_opts *o, name_list *l)
{
    char made[64][256];
    dyadfit_btscs_opts d = df_api_spell_defaults(o);
    size_t nmade = df_btscs_column_names(&d, made, 64), k = 0;
    for (size_t i = 0; i < l->n; i++) {
        int computed = 0;
        for (size_t a = 0; a < nmade && !computed; a++) computed = !strcmp(l->v[i], made[a]);
        if (computed) free(l->v[i]);
        else l->v[k++] = l->v[i];
    }
    l->n = k;
    return add_str(l, o->event) || add_str(l, o->time) || add_str(l, o->unit) ||
           add_str(l, o->ongoing);
}

int dyadfit_model_variables(const dyadfit_model *m, char ***names, size_t *n,
                            dyadfit_error *err)
{
    name_list l = {NULL, 0, 0};
    df_expr *e = NULL;
    int rc = DYADFIT_OK;
    if (names) *names = NULL;
    if (n) *n = 0;
    if (!m || !names || !n) {
        rc = df_error(err, DYADFIT_ERR_USAGE,
                      "dyadfit_model_variables: NULL argument");
        goto cleanup;
    }
    if (!m->formula) {
        rc = df_error(err, DYADFIT_ERR_SPEC, "the model has no formula");
        goto cleanup;
    }
    if ((rc = df_formula_parse(m->formula, &e, err))) goto cleanup;
    if (walk(e, &l) || add_str(&l, m->weights) || add_str(&l, m->offset) ||
        add_str(&l, m->cluster[0]) || add_str(&l, m->cluster[1]) ||
        add_str(&l, m->group) || add_str(&l, m->absorb[0]) ||
        add_str(&l, m->absorb[1]) || add_str(&l, m->id) || (m->filter && scan_filter(m->filter, &l))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (m->spells && (rc = spell_variables(m->spells, &l))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    *names = l.v;
    *n = l.n;
    l.v = NULL;
    l.n = 0;
cleanup:
    df_expr_free(e);
    for (size_t i = 0; i < l.n; i++) free(l.v[i]);
    free(l.v);
    return rc;
}

int dyadfit_read_for_model(const char *path, const dyadfit_model *m,
                           dyadfit_table **out, int *subset, dyadfit_error *err)
{
    char **vars = NULL;
    size_t nvars = 0;
    dyadfit_error verr;
    int ok = 0;
    *out = NULL;
    if (dyadfit_model_variables(m, &vars, &nvars, &verr) == 0 && nvars > 0) {
        dyadfit_read_opts ro = {(const char *const *)vars, nvars};
        ok = dyadfit_read(path, &ro, out, &verr) == 0;
    }
    for (size_t v = 0; v < nvars; v++) free(vars[v]);
    free(vars);
    if (subset) *subset = ok;
    return ok ? DYADFIT_OK : dyadfit_read(path, NULL, out, err);
}
