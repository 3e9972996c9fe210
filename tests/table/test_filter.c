/*
 * test_filter.c -- row filter expressions (src/table/filter.c).
 *
 * The rows kept are compared exactly with R's subset() on the same data:
 * ref_filter.h is written by tests/reference/filter_reference.R, which holds
 * the 12-row test data (numbers and strings with NA, a numeric 'region' that
 * this file labels by hand) and, for data/leeds_dyads.csv, nrow(subset())
 * and the sum of the kept row numbers. Also tested here: R's three-valued
 * logic as a truth table, chunk boundaries (4096 rows), and every error
 * message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "table/filter.h"
#include "ref_filter.h"

/* The reference data set, with value labels on 'region'. */
static dyadfit_table *small_table(void)
{
    static const struct { double v; const char *l; } lab[] = {
        {1, "Europe"}, {2, "Asia"}, {3, "Africa"}, {4, "Oceania"},
        {5, "Other"}, {9, "Other"}};
    dyadfit_table *t = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(dyadfit_table_new(REF_NROW, &t, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "x", ref_x, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "y", ref_y, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_string(t, "s", ref_s, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_string(t, "u", ref_u, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "region", ref_region, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "my.var", ref_my_var, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "a b", ref_a_b, &e) == 0);
    df_column *c = &t->cols[df_table_index(t, "region")];
    size_t n = sizeof lab / sizeof lab[0];
    c->vlabels = calloc(n, sizeof *c->vlabels);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->vlabels);
    for (size_t i = 0; i < n; i++) {
        c->vlabels[i].value = lab[i].v;
        c->vlabels[i].label = strdup(lab[i].l);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c->vlabels[i].label);
    }
    c->nvlabels = n;
    return t;
}

/* Rows kept as "1 3 5" (1-based), like the reference. */
static void kept_string(const unsigned char *keep, size_t n, char *buf,
                        size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (keep[i] && len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%zu",
                                    len ? " " : "", i + 1);
}

/* Filter must succeed and keep exactly the rows listed in `want`. */
static void expect_rows(const dyadfit_table *t, const char *expr,
                        const char *want)
{
    unsigned char keep[REF_NROW];
    char got[256];
    size_t nkept = 99, nwant = 0;
    dyadfit_error e;
    memset(&e, 0, sizeof e);
    int rc = df_filter_rows(t, expr, keep, &nkept, &e);
    if (rc != 0) fprintf(stderr, "\n  %s: %s\n", expr, e.message);
    CU_ASSERT_EQUAL(rc, DYADFIT_OK);
    if (rc != 0) return;
    kept_string(keep, REF_NROW, got, sizeof got);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  %s: kept \"%s\", R keeps \"%s\"\n", expr, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    for (const char *s = want; *s; s++)
        nwant += (s == want || s[-1] == ' ') && *s != ' ';
    CU_ASSERT_EQUAL(nkept, nwant);
}

/* Filter must fail with `code` and a message containing `part`. */
static void expect_error(const dyadfit_table *t, const char *expr, int code,
                         const char *part)
{
    unsigned char keep[REF_NROW];
    size_t nkept = 99;
    dyadfit_error e;
    memset(&e, 0, sizeof e);
    int rc = df_filter_rows(t, expr, keep, &nkept, &e);
    int ok = rc == code && e.code == code && strstr(e.message, part) != NULL;
    if (!ok)
        fprintf(stderr, "\n  [%s]: rc %d, message \"%s\"\n  want %d, \"%s\"\n",
                expr ? expr : "(null)", rc, e.message, code, part);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(nkept, 0);
}

/* ------------------------------------------------------------- tests */

static void test_reference_small(void)
{
    dyadfit_table *t = small_table();
    size_t n = 0;
    for (size_t i = 0; ref_small[i].expr; i++, n++)
        expect_rows(t, ref_small[i].expr, ref_small[i].kept);
    CU_ASSERT(n >= 100);
    dyadfit_table_free(t);
}

/* R's & and | on TRUE, FALSE, NA: the nine combinations. */
static void test_three_valued_logic(void)
{
    const double a[9] = {1, 1, 1, 0, 0, 0, NAN, NAN, NAN};
    const double b[9] = {1, 0, NAN, 1, 0, NAN, 1, 0, NAN};
    dyadfit_table *t = NULL;
    dyadfit_error e;
    CU_ASSERT_FATAL(dyadfit_table_new(9, &t, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "a", a, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "b", b, &e) == 0);
    /* a & b is TRUE only for TRUE & TRUE; NA & FALSE is FALSE (dropped) and
     * so is NA & TRUE (NA): check through the negation, which keeps FALSE */
    struct { const char *expr; const char *want; } c[] = {
        {"a == 1 & b == 1", "1"},
        {"!(a == 1 & b == 1)", "2 4 5 6 8"},           /* FALSE, incl. NA&F */
        {"is.na(a == 1 & b == 1)", "3 7 9"},           /* T&NA, NA&T, NA&NA */
        {"a == 1 | b == 1", "1 2 3 4 7"},              /* incl. NA|T, T|NA */
        {"!(a == 1 | b == 1)", "5"},
        {"is.na(a == 1 | b == 1)", "6 8 9"},           /* F|NA, NA|F, NA|NA */
        {"!is.na(a) & !is.na(b)", "1 2 4 5"},
        {"a & b", "1"},                                /* numbers as logicals */
        {"a | b", "1 2 3 4 7"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        unsigned char keep[9];
        char got[64];
        size_t nk;
        CU_ASSERT_EQUAL_FATAL(df_filter_rows(t, c[i].expr, keep, &nk, &e), 0);
        kept_string(keep, 9, got, sizeof got);
        if (strcmp(got, c[i].want))
            fprintf(stderr, "\n  %s: kept \"%s\", want \"%s\"\n", c[i].expr, got,
                    c[i].want);
        CU_ASSERT_STRING_EQUAL(got, c[i].want);
    }
    dyadfit_table_free(t);
}

/* Rows either side of the 4096-row chunks, string and number columns. */
static void test_chunks(void)
{
    size_t n = 3 * 4096 + 17;
    double *x = malloc(n * sizeof *x);
    const char **s = malloc(n * sizeof *s);
    unsigned char *keep = malloc(n);
    dyadfit_table *t = NULL;
    dyadfit_error e;
    size_t nk = 0;
    CU_ASSERT_FATAL(x && s && keep);
    for (size_t i = 0; i < n; i++) {
        x[i] = i % 1000 == 7 ? NAN : (double)i;
        s[i] = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : NULL;
    }
    CU_ASSERT_FATAL(dyadfit_table_new(n, &t, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "x", x, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_string(t, "s", s, &e) == 0);
    CU_ASSERT_EQUAL(df_filter_rows(t, "x %in% c(0, 4095, 4096, 8191, 8192, "
                                   "12304) | x == 12303", keep, &nk, &e), 0);
    CU_ASSERT_EQUAL(nk, 7);
    CU_ASSERT(keep[0] && keep[4095] && keep[4096] && keep[8191] && keep[8192]);
    CU_ASSERT(keep[12303] && keep[12304] && !keep[1] && !keep[4097]);
    /* every row checked against the direct computation */
    CU_ASSERT_EQUAL(df_filter_rows(t, "s == \"a\" & x / 2 >= 3000 | is.na(x)",
                                   keep, &nk, &e), 0);
    size_t want = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        int w = (i % 3 == 0 && !isnan(x[i]) && x[i] / 2 >= 3000) || isnan(x[i]);
        want += w;
        bad += keep[i] != w;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(nk, want);
    dyadfit_table_free(t);
    free(x);
    free(s);
    free(keep);
}

/* Each expression of ref[] on t keeps ref.n rows whose numbers sum to
 * ref.rowsum. */
static void check_counts(const dyadfit_table *t, const char *const *expr,
                         const size_t *n, const double *rowsum, size_t nexpr)
{
    unsigned char *keep = malloc(REF_LEEDS_NROW);
    dyadfit_error e;
    CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
    for (size_t k = 0; k < nexpr; k++) {
        size_t nk = 0;
        double sum = 0;
        int rc = df_filter_rows(t, expr[k], keep, &nk, &e);
        if (rc) fprintf(stderr, "\n  %s: %s\n", expr[k], e.message);
        CU_ASSERT_EQUAL(rc, 0);
        for (size_t i = 0; i < REF_LEEDS_NROW; i++)
            if (keep[i]) sum += (double)(i + 1);   /* exact below 2^53 */
        if (nk != n[k] || sum != rowsum[k])
            fprintf(stderr, "\n  %s: %zu rows (sum %.0f), R %zu (sum %.0f)\n",
                    expr[k], nk, sum, n[k], rowsum[k]);
        CU_ASSERT_EQUAL(nk, n[k]);
        CU_ASSERT_EQUAL(sum, rowsum[k]);
    }
    free(keep);
}

/* The value labels of the bundled .dta, by name. */
static void test_leeds_labels(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error e;
    const char *expr[8];
    size_t n[8], k;
    double sum[8];
    memset(&e, 0, sizeof e);
    int rc = dyadfit_read(tu_path("data/leeds_dyads.dta"), NULL, &t, &e);
    if (rc) fprintf(stderr, "\n  %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_nrow(t), REF_LEEDS_NROW);
    for (k = 0; ref_leeds_dta[k].expr && k < 8; k++) {
        expr[k] = ref_leeds_dta[k].expr;
        n[k] = ref_leeds_dta[k].n;
        sum[k] = ref_leeds_dta[k].rowsum;
    }
    CU_ASSERT_EQUAL(k, 3);
    check_counts(t, expr, n, sum, k);
    unsigned char *keep = malloc(REF_LEEDS_NROW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
    CU_ASSERT_EQUAL(df_filter_rows(t, "region == \"Euorpe\"", keep, NULL, &e),
                    DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "no value of 'region' is labelled "
                                  "\"Euorpe\" (position 11); labels: 1 "
                                  "\"Americas\", 2 \"Europe\", 3 \"Africa\", 4 "
                                  "\"Middle East\", 5 \"Asia\", 6 \"Oceania\""));
    free(keep);
    dyadfit_table_free(t);
}

/* The bundled data: counts and kept rows equal R's subset(). */
static void test_leeds(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error e;
    memset(&e, 0, sizeof e);
    int rc = dyadfit_read(tu_path("data/leeds_dyads.csv"), NULL, &t, &e);
    if (rc) fprintf(stderr, "\n  %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(dyadfit_table_nrow(t), REF_LEEDS_NROW);
    unsigned char *keep = malloc(REF_LEEDS_NROW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
    const char *expr[16];
    size_t n[16], k;
    double sum[16];
    for (k = 0; ref_leeds[k].expr && k < 16; k++) {
        expr[k] = ref_leeds[k].expr;
        n[k] = ref_leeds[k].n;
        sum[k] = ref_leeds[k].rowsum;
    }
    CU_ASSERT(k >= 5);
    check_counts(t, expr, n, sum, k);
    /* the example of the documentation, and its error */
    size_t nk = 0;
    CU_ASSERT_EQUAL(df_filter_rows(t, "year >= 1946 & (contig == 1 | majpow == 1)",
                                   keep, NULL, &e), 0);
    rc = df_filter_rows(t, "year >= 1946 &", keep, &nk, &e);
    CU_ASSERT_EQUAL(rc, DYADFIT_ERR_SPEC);
    CU_ASSERT_STRING_EQUAL(e.message, "--if \"year >= 1946 &\": expected an "
                           "operand after '&' at position 14");
    rc = df_filter_rows(t, "yaer >= 1946", keep, &nk, &e);
    CU_ASSERT_STRING_EQUAL(e.message, "--if \"yaer >= 1946\": unknown variable "
                           "'yaer' at position 1 (did you mean 'year'?)");
    rc = df_filter_rows(t, "contig == 1 & majpwo == 1", keep, &nk, &e);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "unknown variable 'majpwo' at "
                                  "position 15 (did you mean 'majpow'?)"));
    free(keep);
    dyadfit_table_free(t);
}

static void test_empty_table_and_null(void)
{
    dyadfit_table *t = NULL;
    dyadfit_error e;
    size_t nk = 5;
    unsigned char keep[1];
    double none[1] = {0};
    CU_ASSERT_FATAL(dyadfit_table_new(0, &t, &e) == 0);
    CU_ASSERT_FATAL(dyadfit_table_add_numeric(t, "x", none, &e) == 0);
    CU_ASSERT_EQUAL(df_filter_rows(t, "x > 1", NULL, &nk, &e), 0);
    CU_ASSERT_EQUAL(nk, 0);
    CU_ASSERT_EQUAL(df_filter_rows(t, "z > 1", keep, &nk, &e), DYADFIT_ERR_SPEC);
    dyadfit_table_free(t);
    t = small_table();
    expect_error(t, NULL, DYADFIT_ERR_USAGE, "NULL argument");
    CU_ASSERT_EQUAL(df_filter_rows(t, "x > 1", NULL, &nk, &e), DYADFIT_ERR_USAGE);
    CU_ASSERT_EQUAL(df_filter_rows(NULL, "x > 1", keep, &nk, &e),
                    DYADFIT_ERR_USAGE);
    /* err may be NULL: the code still comes back */
    CU_ASSERT_EQUAL(df_filter_rows(t, "x >", keep, &nk, NULL), DYADFIT_ERR_SPEC);
    dyadfit_table_free(t);
}

static void test_errors(void)
{
    dyadfit_table *t = small_table();
    const int S = DYADFIT_ERR_SPEC;
    /* whole messages for the common mistakes */
    struct { const char *expr, *msg; } full[] = {
        {"x >= 1946 &", "--if \"x >= 1946 &\": expected an operand after '&' "
                        "at position 11"},
        {"x = 1", "--if \"x = 1\": '=' at position 3: use == to compare"},
        {"(x > 1", "--if \"(x > 1\": missing ')' to close '(' at position 1"},
        {"x > 1)", "--if \"x > 1)\": unexpected ')' at position 6 (no "
                   "matching '(')"},
        {"regoin == 1", "--if \"regoin == 1\": unknown variable 'regoin' at "
                        "position 1 (did you mean 'region'?)"},
        {"log(x) > 1", "--if \"log(x) > 1\": unknown function 'log' at position "
                       "1 (only is.na() and c() after %in% are supported)"},
        {"region == \"Eurpoe\"", "--if \"region == \"Eurpoe\"\": no value of "
         "'region' is labelled \"Eurpoe\" (position 11); labels: 1 \"Europe\", "
         "2 \"Asia\", 3 \"Africa\", 4 \"Oceania\", 5 \"Other\", 9 \"Other\""},
        {"", "--if \"\": empty expression"},
    };
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        unsigned char keep[REF_NROW];
        dyadfit_error e;
        memset(&e, 0, sizeof e);
        CU_ASSERT_EQUAL(df_filter_rows(t, full[i].expr, keep, NULL, &e), S);
        CU_ASSERT_EQUAL(e.code, S);
        if (strcmp(e.message, full[i].msg))
            fprintf(stderr, "\n  got  %s\n  want %s\n", e.message, full[i].msg);
        CU_ASSERT_STRING_EQUAL(e.message, full[i].msg);
    }
    /* the rest by their key words */
    struct { const char *expr, *part; } c[] = {
        {"   ", "empty expression"},
        {"& x", "expected an operand at position 1"},
        {"x == ", "expected an operand after '==' at position 3"},
        {"x > 1 & | y", "expected an operand after '&' at position 7"},
        {"x > 1 || ", "expected an operand after '||' at position 7"},
        {"is.na(", "expected an operand after '(' at position 6"},
        {"(x > 1 & (y == 1)", "missing ')' to close '(' at position 1"},
        {"is.na(x", "missing ')' to close '(' at position 6"},
        {"x > (1))", "unexpected ')' at position 8"},
        {"xx > 1", "unknown variable 'xx' at position 1 (did you mean 'x'?)"},
        {"X > 1", "(did you mean 'x'?)"},
        {"my_var > 1", "(did you mean 'my.var'?)"},
        {"`a  b` > 1", "(did you mean 'a b'?)"},
        {"qqqqq > 1", "unknown variable 'qqqqq' at position 1"},
        {"x > 1 & isna(y)", "unknown function 'isna' at position 9"},
        {"x =< 1", "'=' at position 3: use == to compare"},
        {"x > 1 | y = 0", "'=' at position 11: use == to compare"},
        {"region %in% c(\"Asia\", \"Mars\")", "labelled \"Mars\" (position 23)"},
        {"region < \"Other\"", "the label \"Other\" belongs to 2 values of "
                               "'region'"},
        {"x == \"a\"", "'x' is numeric without value labels: it cannot be "
                       "compared with the string \"a\" ('==' at position 3)"},
        {"\"a\" < x", "'x' is numeric without value labels"},
        {"x + 1 == \"a\"", "is a number: it cannot be compared with the string"},
        {"s == 1", "the string variable 's' can be compared only with a quoted "
                   "string or another string variable, not a number"},
        {"1 > s", "the string variable 's' can be compared only"},
        {"s == x", "the string variable 's' can be compared only"},
        {"s + 1 > 2", "'+' at position 3 needs numbers, not the string "
                      "variable 's'"},
        {"x ^ \"a\" > 2", "'^' at position 3 needs numbers, not the string"},
        {"s & y == 1", "'&' at position 3 needs conditions, not the string "
                       "variable 's'"},
        {"y == 1 | 'a'", "'|' at position 8 needs conditions, not the string"},
        {"!s", "'!' at position 1 needs a condition, not the string variable"},
        {"-s > 1", "'-' at position 1 needs a number, not the string variable"},
        {"+s > 1", "'+' at position 1 needs a number"},
        {"x", "'x' is a number, not a condition: write for example x == 1 or "
              "x != 0"},
        {"x + 1", "the expression must be a condition (a comparison, is.na() "
                  "or %in%), not the expression at position 3"},
        {"s", "must be a condition (a comparison, is.na() or %in%), not the "
              "string variable 's'"},
        {"\"a\"", "not the string \"a\""},
        {"c(1, 2) == x", "c() is allowed only on the right of %in% "
                         "(position 1)"},
        {"is.na(c(1))", "c() is allowed only on the right of %in%"},
        {"x %in% y", "the right side of %in% must be c(...) or a constant, not "
                     "'y' (position 8)"},
        {"x %in% (1)", "the values of %in% must be constants: '(' at "
                       "position 8 is not"},
        {"x %in% c(1, y)", "the values of %in% must be constants: 'y' at "
                           "position 13 is not"},
        {"x %in% c(1, -y)", "expected a number after the sign at position 14"},
        {"x %in% c(1, 2", "missing ')' to close 'c(' at position 9"},
        {"x %in% c(1 2)", "expected ',' or ')' in c() at position 12"},
        {"x %in% c(1, )", "expected an operand after ',' at position 11"},
        {"x %in%", "expected c(...) after '%in%' at position 3"},
        {"x %in% == 1", "expected c(...) after '%in%' at position 3"},
        {"x %in% c(\"a\")", "the numeric variable 'x' has no value labels: "
                            "\"a\" at position 10 cannot match it"},
        {"s %in% c(\"a\", 1)", "the string variable 's' %in% needs quoted "
                               "strings in c(), not numbers"},
        {"c(1) %in% c(1)", "c() is allowed only on the right of %in%"},
        {"x %% 2 == 0", "unknown operator '%%' at position 3 (only %in% is "
                        "supported)"},
        {"x %in c(1)", "unterminated %...% operator at position 3"},
        {"x < 1 < 2", "comparisons cannot be chained: '<' at position 7 follows "
                      "'<' at position 3"},
        {"x == y == 1", "comparisons cannot be chained"},
        {"s == 'abc", "unterminated string starting at position 6"},
        {"s == \"a", "unterminated string starting at position 6"},
        {"`x > 1", "unterminated `name` starting at position 1"},
        {"`` > 1", "empty `` at position 1"},
        {"x > 1 # note", "unexpected character '#' at position 7"},
        {"x $ 1", "unexpected character '$' at position 3"},
        {"x > 1\x01", "unexpected byte 0x01 at position 6"},
        {"x > 1a", "malformed number '1a' at position 5 (a variable name "
                   "cannot start with a digit)"},
        {"x > 1e", "malformed number '1e' at position 5"},
        {"x > 0x", "malformed number at position 5"},
        {"x > 1234567890123456789012345678901234567890123456789012345678901234567",
         "number too long at position 5"},
        {"x 1", "unexpected '1' at position 3 (missing operator?)"},
        {"x > 1 y", "unexpected 'y' at position 7 (missing operator?)"},
        {"x > 1, y", "unexpected ',' at position 6"},
        {"is.na()", "is.na() needs one argument (position 1)"},
        {"is.na(x, y)", "is.na() takes one argument (',' at position 8)"},
        {"c(1) > 1", "c() is allowed only on the right of %in%"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        expect_error(t, c[i].expr, S, c[i].part);
    dyadfit_table_free(t);
}

/* Long and deeply nested expressions: bounded messages, no stack overflow. */
static void test_limits(void)
{
    dyadfit_table *t = small_table();
    size_t n = 5000;
    char *s = malloc(2 * n + 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (size_t i = 0; i < n; i++) s[i] = '(';
    strcpy(s + n, "x > 1");
    expect_error(t, s, DYADFIT_ERR_SPEC, "expression nested too deeply");
    for (size_t i = 0; i < n; i++) s[i] = '!';
    expect_error(t, s, DYADFIT_ERR_SPEC, "expression nested too deeply");
    for (size_t i = 0; i < n; i++) s[i] = '-';
    expect_error(t, s, DYADFIT_ERR_SPEC, "expression nested too deeply");
    /* nesting within the limit works */
    for (size_t i = 0; i < 50; i++) s[i] = '(';
    strcpy(s + 50, "x > 2");
    for (size_t i = 0; i < 50; i++) s[55 + i] = ')';
    s[105] = '\0';
    expect_rows(t, s, "4 5 9 10 11 12");
    /* a long expression is shown cut, the message stays within its buffer */
    s[0] = '\0';
    for (size_t i = 0; i < 400; i++) strcat(s, "x>1&");
    dyadfit_error e;
    unsigned char keep[REF_NROW];
    CU_ASSERT_EQUAL(df_filter_rows(t, s, keep, NULL, &e), DYADFIT_ERR_SPEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "...\": expected an operand after "
                                  "'&' at position 1600"));
    /* many terms: fine */
    s[strlen(s) - 1] = '\0';
    expect_rows(t, s, "2 4 5 9 10 11 12");
    free(s);
    /* a chain too long to evaluate by recursion */
    s = malloc(4 * 3000 + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    s[0] = '\0';
    for (size_t i = 0; i < 3000; i++) strcat(s, i ? "&x>1" : "x>1");
    expect_error(t, s, DYADFIT_ERR_SPEC, "expression too long (more than 2000 "
                 "operations deep)");
    s[4 * 1500 - 1] = '\0';
    expect_rows(t, s, "2 4 5 9 10 11 12");
    free(s);
    dyadfit_table_free(t);
}

int main(void)
{
    static const tu_test tests[] = {
        {"rows kept equal R subset() on the test data", test_reference_small},
        {"three-valued logic of & and |", test_three_valued_logic},
        {"chunk boundaries", test_chunks},
        {"bundled data: counts and rows equal R", test_leeds},
        {"bundled .dta: value labels by name", test_leeds_labels},
        {"empty table and NULL arguments", test_empty_table_and_null},
        {"error messages", test_errors},
        {"nesting and length limits", test_limits},
        {NULL, NULL}};
    return tu_run("filter", tests);
}
