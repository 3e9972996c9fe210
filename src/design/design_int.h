/*
 * design_int.h -- private to src/design: the formula's expression tree, its
 * parser (formula.c) and the variables and terms it expands into (terms.c).
 */
#ifndef DF_DESIGN_INT_H
#define DF_DESIGN_INT_H

#include <stddef.h>
#include <stdint.h>
#include "design.h"

typedef enum {
    DF_X_NUM,    /* number literal: num, text as written */
    DF_X_VAR,    /* variable: text = name */
    DF_X_CALL,   /* f(args): text = function name */
    DF_X_BIN,    /* l op r, op one of ~ + - * / ^ : */
    DF_X_UNARY,  /* op l, op '-' or '+' */
    DF_X_PAREN   /* ( l ) */
} df_xkind;

typedef struct df_expr {
    df_xkind kind;
    int op;
    double num;
    char *text;
    struct df_expr *l, *r;
    struct df_expr **args;    /* CALL */
    char **argnames;          /* CALL: name or NULL per argument */
    size_t nargs;
    size_t pos;               /* 1-based position of the node's first char */
} df_expr;

/* Parses `formula`; on error returns DYADFIT_ERR_SPEC with a message that
 * quotes the formula and names the position. */
int df_formula_parse(const char *formula, df_expr **out, dyadfit_error *err);
void df_expr_free(df_expr *e);

/* Appends the deparsed text of e, as R's deparse() writes it, to a growing
 * buffer; returns 0 or -1 on allocation failure. */
typedef struct { char *s; size_t len, cap; } df_buf;
int df_buf_puts(df_buf *b, const char *s);
int df_deparse(const df_expr *e, df_buf *b);
char *df_deparse_str(const df_expr *e);   /* malloc'ed, NULL on failure */

/* R's as.character() for a double (15 significant digits, fixed unless the
 * scientific form is narrower). buf needs 32 bytes. */
void df_format_num(double x, char *buf);

/* Marks in drop[] (k) the columns of X (n x k, column-major) that are
 * linear combinations of earlier ones, as R's lm does (tolerance 1e-7). */
int df_design_find_collinear(const double *X, size_t n, size_t k,
                             unsigned char *drop, dyadfit_error *err);

/* The formula's right-hand side expanded as R's terms.formula does. */
typedef struct {
    size_t nvar;              /* variables (distinct expressions) */
    df_expr **var;            /* borrowed pointers into the tree */
    char **varname;           /* deparsed text of each */
    size_t nterm;
    size_t nw;                /* 64-bit words per term bitset */
    uint64_t *bits;           /* nterm * nw, term t at bits + t*nw */
    int *code;                /* nterm * nvar: 0 absent, 1 contrasts, 2 indicators */
    int intercept;
} df_terms;

int df_terms_expand(const char *formula, const df_expr *rhs, df_terms *t,
                    dyadfit_error *err);
void df_terms_free(df_terms *t);
static inline int df_term_has(const df_terms *t, size_t term, size_t v)
{
    return (int)((t->bits[term * t->nw + v / 64] >> (v % 64)) & 1u);
}

/* Checks that every call is a supported function with valid arguments and
 * every variable name appears where a variable may; collects the raw
 * variable names (distinct, in order of appearance) into *names. */
int df_expr_check(const char *formula, const df_expr *e, int top,
                  char ***names, size_t *nnames, size_t *cap,
                  dyadfit_error *err);

#endif

/* The values of one variable over the rows used (terms.c). */
typedef struct {
    int factor;               /* 1: factor, 0: numeric (ncol columns) */
    size_t ncol;              /* numeric: 1, or the degree of poly() */
    double *val;              /* numeric: n * ncol, column-major */
    int32_t *codes;           /* factor: n level indices */
    char **levels;            /* factor: nlev level names, sorted */
    size_t nlev;
    int borrowed;             /* val points into X: not freed here */
} df_varval;

/* Evaluates variable expression e (named `label`) over rows[0..n-1] of t. */
int df_var_eval(const dyadfit_table *t, const df_expr *e, const char *label,
                const size_t *rows, size_t n, df_varval *v, dyadfit_error *err);
void df_varval_free(df_varval *v);

/* The same matrix and names as df_var_eval over every variable followed by
 * df_model_matrix, but a numeric variable with a main-effect term of its own
 * (before any interaction using it) is evaluated straight into its columns
 * of X, in row chunks, without an n-vector per variable. Returns nonzero on
 * any problem (bad data, a single-level factor, out of memory) without a
 * message worth keeping: the caller then runs the two-step path, which
 * reports the problem exactly as before. */
int df_model_matrix_direct(const df_terms *t, const dyadfit_table *tab,
                           const size_t *rows, size_t n, double **X,
                           char ***names, size_t *k);

/* DYADFIT_ERR_SYSTEM naming the estimate and what is available when an
 * n x k design matrix and the fit's per-row arrays would not fit in memory
 * (MemAvailable, or DYADFIT_MEM_LIMIT bytes); see memcheck.c. */
int df_design_mem_check(size_t n, size_t k, dyadfit_error *err);

/* Builds the n x k model matrix and its column names from the terms and the
 * evaluated variables (R's modelmatrix column order and names). */
int df_model_matrix(const df_terms *t, const df_varval *vals, size_t n,
                    double **X, char ***names, size_t *k, dyadfit_error *err);
