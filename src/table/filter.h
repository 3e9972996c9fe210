/*
 * filter.h -- row filter expressions (`--if`), evaluated as R's subset().
 *
 * Grammar, loosest binding first (R's precedence, ?Syntax):
 *   |  ||        or           (both elementwise here)
 *   &  &&        and          (both elementwise here)
 *   !            not
 *   == != < <= > >=           (not associative: a < b < c is an error)
 *   + -          binary
 *   * /
 *   %in%         right side c(const, ...) or one constant
 *   + -          unary
 *   ^  **        right associative; -2^2 is -4
 *   primary      number (1, 2.5, 1e3, 3L), "string" or 'string', TRUE,
 *                FALSE, NA, Inf, variable (letters, digits, _ and .; or
 *                `backquoted`), (expr), is.na(expr)
 *
 * Semantics: numbers and logicals are doubles, NaN is NA. Any comparison or
 * arithmetic with NA gives NA; & and | use R's three-valued logic (NA & FALSE
 * is FALSE, NA | TRUE is TRUE); `x %in% set` is never NA (NA %in% c(1, NA) is
 * TRUE, as in R). A row is kept only when the whole expression is TRUE: NA and
 * FALSE are dropped, as subset() does. The expression must be logical: a bare
 * number (`--if "year"`) is an error, as in subset().
 * Strings: a string variable compares with a string literal or another string
 * variable, in byte order (strcmp, R's C locale; R's default locale collation
 * may order letters of different case otherwise). A numeric variable with
 * value labels compares with a string literal through its labels:
 * `region == "Europe"` keeps rows whose value is labelled "Europe"; an unknown
 * label is an error that lists the labels. A string literal against an
 * unlabelled number, or a number against a string variable, is an error.
 *
 * Errors are DYADFIT_ERR_SPEC with messages of the form
 *   --if "year >= 1946 &": expected an operand after '&' at position 14
 * (positions count bytes from 1).
 */
#ifndef DF_FILTER_H
#define DF_FILTER_H

#include <stddef.h>
#include "table.h"

/* Evaluates expr on every row of t: keep[i] = 1 when the expression is TRUE
 * for row i, else 0. keep has t->nrow bytes (caller-owned); *nkept (may be
 * NULL) receives the number of rows kept. The expression is parsed once and
 * evaluated column-wise in chunks of 4096 rows. On error keep's contents are
 * unspecified and *nkept is 0. */
int df_filter_rows(const dyadfit_table *t, const char *expr,
                   unsigned char *keep, size_t *nkept, dyadfit_error *err);

#endif
