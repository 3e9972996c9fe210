/* ref_filter.h -- written by tests/reference/filter_reference.R
 * (R version 4.2.2 Patched (2022-11-10 r83330)); do not edit. */
#ifndef REF_FILTER_H
#define REF_FILTER_H
#include <math.h>
#include <stddef.h>

#define REF_NROW 12
static const double ref_x[12] = { 1.0,  2.0, NAN,  4.0,  5.0, NAN,  0.0, -1.0,  3.0,  2.5, 10.0,  7.0};
static const double ref_y[12] = { 0,  1,  1,  0, NAN,  1,  0,  1, NAN,  0,  1,  1};
static const double ref_region[12] = { 1,  2,  3,  1, NAN,  2,  4,  1,  9,  5, NAN,  1};
static const double ref_my_var[12] = { 2,  4, NAN,  8, 10, NAN,  0, -2,  6,  5, 20, 14};
static const double ref_a_b[12] = { 1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12};
static const char *const ref_s[12] = {"a", "b", NULL, "c", "a", NULL, "b", "B", "ab", "a", "c", "Z"};
static const char *const ref_u[12] = {"a", "a", "b", NULL, "a", "x", "b", "b", "ab", "z", "c", "Z"};

/* dyadfit expression, rows kept (1-based) */
static const struct { const char *expr; const char *kept; } ref_small[] = {
    {"x > 2", "4 5 9 10 11 12"},
    {"x >= 2", "2 4 5 9 10 11 12"},
    {"x < 2", "1 7 8"},
    {"x <= 2", "1 2 7 8"},
    {"x == 2", "2"},
    {"x != 2", "1 4 5 7 8 9 10 11 12"},
    {"x == 2.5", "10"},
    {"-x > 0", "8"},
    {"- x ^ 2 < -10", "4 5 11 12"},
    {"2^3^2 == x*0 + 512", "1 2 4 5 7 8 9 10 11 12"},
    {"x + 1 * 2 == 4", "2"},
    {"(x + 1) * 2 == 4", "1"},
    {"x / 2 > 1", "4 5 9 10 11 12"},
    {"x - 1 - 1 == 0", "2"},
    {"x / 2 / 2 == 0.25", "1"},
    {"x ** 2 > 20", "5 11 12"},
    {"x^-1 > 0.3", "1 2 7 9 10"},
    {"x > 2L", "4 5 9 10 11 12"},
    {"x > 1e0", "2 4 5 9 10 11 12"},
    {"x == .5 * 5", "10"},
    {"x > 0x2", "4 5 9 10 11 12"},
    {"+x > 4", "5 11 12"},
    {"y == 1 & x > 1", "2 11 12"},
    {"y == 1 | x > 4", "2 3 5 6 8 11 12"},
    {"x > 1 & y == 1 | x < 0", "2 8 11 12"},
    {"x < 0 | x > 1 & y == 1", "2 8 11 12"},
    {"!(x > 2)", "1 2 7 8"},
    {"!x > 2", "1 2 7 8"},
    {"(1 + !x == 0) == 2", "1 2 4 5 8 9 10 11 12"},
    {"!!(x > 2)", "4 5 9 10 11 12"},
    {"x > 1 & !y == 1", "4 10"},
    {"!y", "1 4 7 10"},
    {"is.na(x)", "3 6"},
    {"!is.na(x)", "1 2 4 5 7 8 9 10 11 12"},
    {"is.na(x) | x > 3", "3 4 5 6 11 12"},
    {"is.na(y) & x > 2", "5 9"},
    {"x > 3 & NA", ""},
    {"x > 3 | NA", "4 5 11 12"},
    {"NA | y == 1", "2 3 6 8 11 12"},
    {"y == 0 & NA", ""},
    {"is.na(x + y)", "3 5 6 9"},
    {"is.na(s) | s == \"a\"", "1 3 5 6 10"},
    {"y == 1 && x > 0", "2 11 12"},
    {"y == 1 || x > 4", "2 3 5 6 8 11 12"},
    {"x %in% c(1, 2, 3)", "1 2 9"},
    {"x %in% c(NA, 1)", "1 3 6"},
    {"x %in% 4", "4"},
    {"x %in% c(-1, 10)", "8 11"},
    {"!x %in% c(1, 2)", "3 4 5 6 7 8 9 10 11 12"},
    {"2 * x %in% c(2) == 2", "2"},
    {"-x %in% c(-1)", "1"},
    {"x %in% c(1, 2) & y == 0", "1"},
    {"y %in% TRUE", "2 3 6 8 11 12"},
    {"x %in% c()", ""},
    {"x %in% NA", "3 6"},
    {"x %in% c(Inf, -Inf, 5)", "5"},
    {"s == \"a\"", "1 5 10"},
    {"s != \"a\"", "2 4 7 8 9 11 12"},
    {"s < \"b\"", "1 5 8 9 10 12"},
    {"s >= 'B'", "1 2 4 5 7 8 9 10 11 12"},
    {"\"a\" == s", "1 5 10"},
    {"'b' > s", "1 5 8 9 10 12"},
    {"\"b\" < s", "4 11"},
    {"'B' <= s", "1 2 4 5 7 8 9 10 11 12"},
    {"'b' >= s", "1 2 5 7 8 9 10 12"},
    {"s %in% c(\"a\", \"c\")", "1 4 5 10 11"},
    {"s %in% c(\"a\", NA)", "1 3 5 6 10"},
    {"s %in% \"b\"", "2 7"},
    {"is.na(s)", "3 6"},
    {"!is.na(s)", "1 2 4 5 7 8 9 10 11 12"},
    {"s == s", "1 2 4 5 7 8 9 10 11 12"},
    {"s == u", "1 5 7 9 11 12"},
    {"s < u", "8 10"},
    {"s != u", "2 8 10"},
    {"s == \"a\" & x > 1", "5 10"},
    {"s == \"x\\\"y\"", ""},
    {"x > 1 & (y == 1 | s == \"a\")", "2 5 10 11 12"},
    {"\"a\" < \"b\"", "1 2 3 4 5 6 7 8 9 10 11 12"},
    {"\"b\" %in% c(\"a\")", ""},
    {"my.var > 4", "4 5 9 10 11 12"},
    {"`my.var` > 4", "4 5 9 10 11 12"},
    {"`a b` > 6", "7 8 9 10 11 12"},
    {"TRUE", "1 2 3 4 5 6 7 8 9 10 11 12"},
    {"FALSE", ""},
    {"NA", ""},
    {"1 == 1", "1 2 3 4 5 6 7 8 9 10 11 12"},
    {"x > 2 & x < 5", "4 9 10"},
    {"x * y > 1", "2 11 12"},
    {"x ^ 2 >= 16", "4 5 11 12"},
    {"x / 0 > 0", "1 2 4 5 9 10 11 12"},
    {"0 / x > -1", "1 2 4 5 8 9 10 11 12"},
    {"x == Inf", ""},
    {"NaN == x", ""},
    {"region == \"Europe\"", "1 4 8 12"},
    {"\"Europe\" == region", "1 4 8 12"},
    {"region != \"Asia\"", "1 3 4 7 8 9 10 12"},
    {"region == \"Other\"", "9 10"},
    {"region != \"Other\"", "1 2 3 4 6 7 8 12"},
    {"region %in% c(\"Asia\", \"Africa\")", "2 3 6"},
    {"region %in% c(\"Europe\", 4)", "1 4 7 8 12"},
    {"region %in% c(\"Other\", NA)", "5 9 10 11"},
    {"region > \"Asia\"", "3 7 9 10"},
    {"\"Asia\" < region", "3 7 9 10"},
    {"'Africa' >= region", "1 2 3 4 6 8 12"},
    {"region <= 'Africa' & x > 0", "1 2 4 12"},
    {"region == 9", "9"},
    {NULL, NULL}
};

#define REF_LEEDS_NROW 147072
/* expression, nrow(subset(d, expr)), sum of the kept row numbers */
static const struct { const char *expr; size_t n; double rowsum; } ref_leeds[] = {
    {"year >= 1946 & (contig == 1 | majpow == 1)", 129126, 9466431567},
    {"year >= 1990 & jointdem == 1", 22032, 1341938601},
    {"!is.na(jointdem) & cap_ratio > 10", 84434, 6211613081},
    {"region %in% c(1, 2) | peaceyrs^2 > 400", 112595, 6895065699},
    {"defense == 1 | entente == 1 & mid_onset == 1", 31563, 1657853108},
    {"is.na(jointdem) | jointdem == 0", 114966, 8960834220},
    {"year %in% c(1950, 1960, 1970) & !mid_ongoing == 1", 4116, 285595616},
    {NULL, 0, 0}
};

static const struct { const char *expr; size_t n; double rowsum; } ref_leeds_dta[] = {
    {"region == \"Europe\" & defense == \"Yes\"", 9333, 508697085},
    {"region %in% c(\"Middle East\", \"Asia\") & conttype == \"Land\"", 7286, 901937212},
    {"conttype > \"Land\" | jointdem == \"No\"", 106418, 8374767303},
    {NULL, 0, 0}
};

#endif
