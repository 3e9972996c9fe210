/* testutil.c -- see testutil.h */
#include <math.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "testutil.h"

double tu_lre(double x, double ref)
{
    if (isnan(x) || isnan(ref)) return (isnan(x) && isnan(ref)) ? 17 : 0;
    if (x == ref) return 17;
    double d = fabs(x - ref);
    double l = ref != 0 ? -log10(d / fabs(ref)) : -log10(d);
    return l > 17 ? 17 : l;
}

static char *next_field(char **p)
{
    char *s = *p, *e;
    if (*s == '"') {
        s++;
        e = strchr(s, '"');
        if (!e) return NULL;
        *e = 0;
        *p = e + 1;
        if (**p == ',') (*p)++;
        return s;
    }
    e = strpbrk(s, ",\n\r");
    if (e) {
        int comma = *e == ',';
        *e = 0;
        *p = comma ? e + 1 : e;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

int tu_ref_read(const char *path, tu_ref *r)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    memset(r, 0, sizeof *r);
    if (!f) return -1;
    if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }
    size_t cap = 16;
    r->term = malloc(cap * sizeof *r->term);
    r->estimate = malloc(cap * sizeof(double));
    r->std_error = malloc(cap * sizeof(double));
    while (fgets(line, sizeof line, f)) {
        char *p = line, *t = next_field(&p), *e = next_field(&p),
             *s = next_field(&p);
        if (!t || !e || !s || !*t) continue;
        if (r->n == cap) {
            cap *= 2;
            r->term = realloc(r->term, cap * sizeof *r->term);
            r->estimate = realloc(r->estimate, cap * sizeof(double));
            r->std_error = realloc(r->std_error, cap * sizeof(double));
        }
        r->term[r->n] = strdup(t);
        r->estimate[r->n] = strtod(e, NULL);
        r->std_error[r->n] = strtod(s, NULL);
        r->n++;
    }
    fclose(f);
    return 0;
}

void tu_ref_free(tu_ref *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->term[i]);
    free(r->term);
    free(r->estimate);
    free(r->std_error);
    memset(r, 0, sizeof *r);
}

const char *tu_path(const char *rel) { return rel; }

int tu_run(const char *suite, const tu_test *tests)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    for (const tu_test *t = tests; t->name; t++)
        CU_add_test(s, t->name, t->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() +
                      CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#define TU_NCAT 32
/* names copied: callers may build a category in a stack buffer */
static struct { char name[48]; double min; } lre_cats[TU_NCAT];
static double lre_overall = 17;

double tu_note_lre(const char *category, double x, double ref)
{
    double l = tu_lre(x, ref);
    if (l < lre_overall) lre_overall = l;
    for (int c = 0; c < TU_NCAT; c++) {
        if (!lre_cats[c].name[0]) {
            snprintf(lre_cats[c].name, sizeof lre_cats[c].name, "%s", category);
            lre_cats[c].min = l;
            break;
        }
        if (!strcmp(lre_cats[c].name, category)) {
            if (l < lre_cats[c].min) lre_cats[c].min = l;
            break;
        }
    }
    return l;
}

void tu_print_lre(void)
{
    for (int c = 0; c < TU_NCAT && lre_cats[c].name[0]; c++)
        fprintf(stderr, "\n  min LRE %-28s %.2f", lre_cats[c].name, lre_cats[c].min);
    fprintf(stderr, "\n  overall minimum LRE %.2f\n", lre_overall);
}

double tu_min_lre(void) { return lre_overall; }

const char *tu_bin(void)
{
    const char *b = getenv("DYADFIT_BIN");
    return b && *b ? b : "build/dyadfit";
}

int tu_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *s = malloc(cap + 1);
    while (s && (r = fread(s + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *t = realloc(s, 2 * cap + 1);
            if (!t) {
                free(s);
                s = NULL;
                break;
            }
            s = t;
            cap *= 2;
        }
    }
    fclose(f);
    if (s) s[n] = 0;
    if (s && len) *len = n;
    return s;
}
