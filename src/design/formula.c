/*
 * formula.c -- R-style model formulas: tokenizer, recursive-descent parser,
 * R-compatible deparser (the text model.matrix uses for column names), and
 * the expansion of the right-hand side into terms as R's terms.formula does
 * (src/library/stats/src/model.c: EncodeVars, TermCode).
 *
 * Operator precedence, loosest first, as in R's grammar:
 *   ~   + - (binary)   * /   :   + - (unary)   ^ (right-associative)
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/util.h"
#include "design_int.h"

/* ------------------------------------------------------------ tokenizer */

enum { T_END, T_NUM, T_IDENT, T_OP, T_LP, T_RP, T_COMMA, T_EQ };

typedef struct {
    int kind;
    int op;            /* T_OP: the operator character */
    size_t pos;        /* 0-based offset in the formula */
    size_t len;
    double num;
    char *text;        /* T_IDENT: name; T_NUM: literal */
} token;

typedef struct {
    const char *f;     /* formula text */
    size_t i;          /* scan position */
    token tok;         /* current token */
    token prev;        /* previous token (for "expected ... after") */
    dyadfit_error *err;
    int failed;
} parser;

static int perr(parser *p, const char *fmt, ...) DF_PRINTF(2, 3);

static int perr(parser *p, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!p->failed)
        df_error(p->err, DYADFIT_ERR_SPEC, "formula \"%.60s\": %s", p->f, msg);
    p->failed = 1;
    return DYADFIT_ERR_SPEC;
}

/* Printable form of a token for messages. */
static const char *tokstr(const token *t, char *buf, size_t n)
{
    switch (t->kind) {
    case T_END: return "end of formula";
    case T_NUM: case T_IDENT: snprintf(buf, n, "%.40s", t->text); return buf;
    case T_OP: snprintf(buf, n, "%c", t->op); return buf;
    case T_LP: return "(";
    case T_RP: return ")";
    case T_COMMA: return ",";
    default: return "=";
    }
}

static int is_ident_start(int c) { return isalpha(c) || c == '.'; }
static int is_ident_char(int c) { return isalnum(c) || c == '.' || c == '_'; }

static int next_token(parser *p)
{
    const char *f = p->f;
    free(p->prev.text);
    p->prev = p->tok;
    memset(&p->tok, 0, sizeof p->tok);
    while (f[p->i] == ' ' || f[p->i] == '\t' || f[p->i] == '\n' ||
           f[p->i] == '\r')
        p->i++;
    size_t s = p->i;
    token *t = &p->tok;
    t->pos = s;
    int c = (unsigned char)f[s];
    if (c == 0) { t->kind = T_END; return 0; }
    if (isdigit(c) || (c == '.' && isdigit((unsigned char)f[s + 1]))) {
        /* Take the longest run that could belong to a number, then insist
         * that strtod consumes all of it, so "1.2.3" and "2x" are errors
         * rather than two tokens. */
        size_t e = s;
        while (is_ident_char((unsigned char)f[e]) ||
               ((f[e] == '+' || f[e] == '-') && e > s &&
                (f[e - 1] == 'e' || f[e - 1] == 'E') &&
                strspn(f + s, "0123456789.") == (size_t)(e - 1 - s)))
            e++;
        t->len = e - s;
        t->text = df_malloc(t->len + 1, 1);
        if (!t->text) return perr(p, "out of memory");
        memcpy(t->text, f + s, t->len);
        t->text[t->len] = 0;
        size_t nl = t->len;
        if (nl > 1 && t->text[nl - 1] == 'L') nl--;   /* R integer literal */
        char *end = NULL, save = t->text[nl];
        t->text[nl] = 0;
        errno = 0;
        t->num = strtod(t->text, &end);
        int bad = end != t->text + nl || strpbrk(t->text, "xXpP") ||
                  errno == ERANGE || !isfinite(t->num);
        t->text[nl] = save;
        t->kind = T_NUM;
        p->i = e;
        if (bad)
            return perr(p, "malformed number '%s' at position %zu", t->text, s + 1);
        return 0;
    }
    if (is_ident_start(c)) {
        size_t e = s;
        while (is_ident_char((unsigned char)f[e])) e++;
        t->kind = T_IDENT;
        t->len = e - s;
        t->text = df_malloc(t->len + 1, 1);
        if (!t->text) return perr(p, "out of memory");
        memcpy(t->text, f + s, t->len);
        t->text[t->len] = 0;
        p->i = e;
        return 0;
    }
    if (c == '`') {   /* non-syntactic name: `my var` */
        const char *q = strchr(f + s + 1, '`');
        if (!q) return perr(p, "missing closing '`' for the name at position %zu", s + 1);
        t->kind = T_IDENT;
        t->len = (size_t)(q - f) + 1 - s;
        size_t nl = t->len - 2;
        if (nl == 0) return perr(p, "empty name `` at position %zu", s + 1);
        t->text = df_malloc(nl + 1, 1);
        if (!t->text) return perr(p, "out of memory");
        memcpy(t->text, f + s + 1, nl);
        t->text[nl] = 0;
        p->i = s + t->len;
        return 0;
    }
    p->i = s + 1;
    t->len = 1;
    switch (c) {
    case '~': case '+': case '-': case '*': case '/': case '^': case ':':
        t->kind = T_OP; t->op = c; return 0;
    case '(': t->kind = T_LP; return 0;
    case ')': t->kind = T_RP; return 0;
    case ',': t->kind = T_COMMA; return 0;
    case '=': t->kind = T_EQ; return 0;
    default:
        if (c == '%')
            return perr(p, "operator '%%' at position %zu is not supported", s + 1);
        if (isprint(c))
            return perr(p, "unexpected character '%c' at position %zu", c, s + 1);
        return perr(p, "unexpected byte 0x%02x at position %zu", c, s + 1);
    }
}

/* --------------------------------------------------------------- parser */

static df_expr *node(parser *p, df_xkind k, size_t pos)
{
    df_expr *e = df_calloc(1, sizeof *e);
    if (!e) { perr(p, "out of memory"); return NULL; }
    e->kind = k;
    e->pos = pos + 1;
    return e;
}

void df_expr_free(df_expr *e)
{
    if (!e) return;
    df_expr_free(e->l);
    df_expr_free(e->r);
    for (size_t i = 0; i < e->nargs; i++) {
        df_expr_free(e->args[i]);
        if (e->argnames) free(e->argnames[i]);
    }
    free(e->args);
    free(e->argnames);
    free(e->text);
    free(e);
}

static df_expr *parse_sum(parser *p);
static df_expr *parse_unary(parser *p);

static int is_op(const parser *p, int op)
{
    return p->tok.kind == T_OP && p->tok.op == op;
}

/* The current token cannot start a term: say why. */
static df_expr *expected_term(parser *p)
{
    char b1[64], b2[64];
    if (p->tok.kind == T_END || p->tok.kind == T_RP || p->tok.kind == T_COMMA) {
        if (p->prev.len == 0 && p->prev.kind == T_END)
            perr(p, "expected a term at position %zu", p->tok.pos + 1);
        else if (p->tok.kind == T_END)
            perr(p, "expected a term after '%s' at position %zu",
                 tokstr(&p->prev, b1, sizeof b1), p->prev.pos + 1);
        else
            perr(p, "expected a term before '%s' at position %zu",
                 tokstr(&p->tok, b2, sizeof b2), p->tok.pos + 1);
    } else {
        perr(p, "unexpected '%s' at position %zu",
             tokstr(&p->tok, b2, sizeof b2), p->tok.pos + 1);
    }
    return NULL;
}

static int add_arg(parser *p, df_expr *call, df_expr *a, char *name)
{
    df_expr **na = df_realloc(call->args, call->nargs + 1, sizeof *na);
    if (!na) goto fail;
    call->args = na;
    char **nn = df_realloc(call->argnames, call->nargs + 1, sizeof *nn);
    if (!nn) goto fail;
    call->argnames = nn;
    call->args[call->nargs] = a;
    call->argnames[call->nargs] = name;
    call->nargs++;
    return 0;
fail:
    df_expr_free(a);
    free(name);
    return perr(p, "out of memory");
}

static df_expr *parse_call(parser *p)
{
    /* current token is the function name, the next one '(' */
    df_expr *e = node(p, DF_X_CALL, p->tok.pos);
    if (!e) return NULL;
    e->text = p->tok.text;
    p->tok.text = NULL;
    size_t open = p->tok.pos;
    if (next_token(p) || next_token(p)) goto fail;   /* name, '(' */
    if (p->tok.kind == T_RP) { if (next_token(p)) goto fail; return e; }
    for (;;) {
        char *name = NULL;
        if (p->tok.kind == T_IDENT) {
            /* look ahead for `name =` without consuming */
            size_t j = p->i;
            while (p->f[j] == ' ' || p->f[j] == '\t') j++;
            if (p->f[j] == '=' && p->f[j + 1] != '=') {
                name = p->tok.text;
                p->tok.text = NULL;
                if (next_token(p) || next_token(p)) { free(name); goto fail; }
            }
        }
        df_expr *a = parse_sum(p);
        if (!a) { free(name); goto fail; }
        if (add_arg(p, e, a, name)) goto fail;
        if (p->tok.kind == T_COMMA) { if (next_token(p)) goto fail; continue; }
        if (p->tok.kind == T_RP) { if (next_token(p)) goto fail; return e; }
        if (p->tok.kind == T_END)
            perr(p, "missing ')' to close '%s(' at position %zu", e->text, open + 1);
        else {
            char b[64];
            perr(p, "unexpected '%s' at position %zu in the arguments of '%s('",
                 tokstr(&p->tok, b, sizeof b), p->tok.pos + 1, e->text);
        }
        goto fail;
    }
fail:
    df_expr_free(e);
    return NULL;
}

static df_expr *parse_primary(parser *p)
{
    df_expr *e = NULL;
    if (p->failed) return NULL;
    switch (p->tok.kind) {
    case T_NUM:
        e = node(p, DF_X_NUM, p->tok.pos);
        if (!e) return NULL;
        e->num = p->tok.num;
        e->text = p->tok.text;
        p->tok.text = NULL;
        if (next_token(p)) { df_expr_free(e); return NULL; }
        return e;
    case T_IDENT: {
        size_t j = p->i;
        while (p->f[j] == ' ' || p->f[j] == '\t') j++;
        if (p->f[j] == '(') return parse_call(p);
        e = node(p, DF_X_VAR, p->tok.pos);
        if (!e) return NULL;
        e->text = p->tok.text;
        p->tok.text = NULL;
        if (next_token(p)) { df_expr_free(e); return NULL; }
        return e;
    }
    case T_LP: {
        size_t open = p->tok.pos;
        e = node(p, DF_X_PAREN, open);
        if (!e) return NULL;
        if (next_token(p)) goto fail;
        e->l = parse_sum(p);
        if (!e->l) goto fail;
        if (p->tok.kind != T_RP) {
            char b[64];
            if (p->tok.kind == T_END)
                perr(p, "missing ')' to close '(' at position %zu", open + 1);
            else
                perr(p, "unexpected '%s' at position %zu (expected ')' to close '(' at position %zu)",
                     tokstr(&p->tok, b, sizeof b), p->tok.pos + 1, open + 1);
            goto fail;
        }
        if (next_token(p)) goto fail;
        return e;
    }
    default:
        return expected_term(p);
    }
fail:
    df_expr_free(e);
    return NULL;
}

static df_expr *binary(parser *p, int op, size_t pos, df_expr *l, df_expr *r)
{
    if (!r) { df_expr_free(l); return NULL; }
    df_expr *e = node(p, DF_X_BIN, pos);
    if (!e) { df_expr_free(l); df_expr_free(r); return NULL; }
    e->op = op;
    e->l = l;
    e->r = r;          /* e->pos: the operator's position, for messages */
    return e;
}

static df_expr *parse_pow(parser *p)
{
    df_expr *b = parse_primary(p);
    if (!b) return NULL;
    if (is_op(p, '^')) {
        size_t pos = p->tok.pos;
        if (next_token(p)) { df_expr_free(b); return NULL; }
        return binary(p, '^', pos, b, parse_unary(p));
    }
    return b;
}

static df_expr *parse_unary(parser *p)
{
    if (is_op(p, '-') || is_op(p, '+')) {
        int op = p->tok.op;
        df_expr *e = node(p, DF_X_UNARY, p->tok.pos);
        if (!e) return NULL;
        e->op = op;
        if (next_token(p) || !(e->l = parse_unary(p))) { df_expr_free(e); return NULL; }
        return e;
    }
    return parse_pow(p);
}

static df_expr *parse_colon(parser *p)
{
    df_expr *l = parse_unary(p);
    while (l && is_op(p, ':')) {
        size_t pos = p->tok.pos;
        if (next_token(p)) { df_expr_free(l); return NULL; }
        l = binary(p, ':', pos, l, parse_unary(p));
    }
    return l;
}

static df_expr *parse_prod(parser *p)
{
    df_expr *l = parse_colon(p);
    while (l && (is_op(p, '*') || is_op(p, '/'))) {
        int op = p->tok.op;
        size_t pos = p->tok.pos;
        if (next_token(p)) { df_expr_free(l); return NULL; }
        l = binary(p, op, pos, l, parse_colon(p));
    }
    return l;
}

static df_expr *parse_sum(parser *p)
{
    df_expr *l = parse_prod(p);
    while (l && (is_op(p, '+') || is_op(p, '-'))) {
        int op = p->tok.op;
        size_t pos = p->tok.pos;
        if (next_token(p)) { df_expr_free(l); return NULL; }
        l = binary(p, op, pos, l, parse_prod(p));
    }
    return l;
}

int df_formula_parse(const char *formula, df_expr **out, dyadfit_error *err)
{
    parser p;
    df_expr *lhs = NULL, *rhs = NULL, *e = NULL;
    char b[64];
    memset(&p, 0, sizeof p);
    p.f = formula ? formula : "";
    p.err = err;
    p.prev.kind = T_END;
    *out = NULL;
    if (!formula || !*formula)
        return df_error(err, DYADFIT_ERR_SPEC, "no formula given (expected 'y ~ terms')");
    if (next_token(&p)) goto done;
    if (p.tok.kind == T_END) {
        perr(&p, "the formula is empty (expected 'y ~ terms')");
        goto done;
    }
    if (is_op(&p, '~')) {
        perr(&p, "missing response before '~' at position %zu (expected 'y ~ terms')",
             p.tok.pos + 1);
        goto done;
    }
    lhs = parse_sum(&p);
    if (!lhs) goto done;
    if (!is_op(&p, '~')) {
        if (p.tok.kind == T_END)
            perr(&p, "missing '~' (expected 'y ~ terms')");
        else
            perr(&p, "unexpected '%s' at position %zu (expected an operator or '~')",
                 tokstr(&p.tok, b, sizeof b), p.tok.pos + 1);
        goto done;
    }
    size_t tpos = p.tok.pos;
    if (next_token(&p)) goto done;
    rhs = parse_sum(&p);
    if (!rhs) goto done;
    if (p.tok.kind != T_END) {
        if (p.tok.kind == T_RP)
            perr(&p, "unmatched ')' at position %zu", p.tok.pos + 1);
        else
            perr(&p, "unexpected '%s' at position %zu",
                 tokstr(&p.tok, b, sizeof b), p.tok.pos + 1);
        goto done;
    }
    e = binary(&p, '~', tpos, lhs, rhs);
    lhs = rhs = NULL;
done:
    free(p.tok.text);
    free(p.prev.text);
    df_expr_free(lhs);
    df_expr_free(rhs);
    if (p.failed) { df_expr_free(e); return err ? err->code : DYADFIT_ERR_SPEC; }
    *out = e;
    return 0;
}

/* ------------------------------------------------------------- deparse */

int df_buf_puts(df_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1) cap *= 2;
        char *ns = df_realloc(b->s, cap, 1);
        if (!ns) return -1;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
    return 0;
}

void df_format_num(double x, char *buf)
{
    /* R's formatReal with digits = 15: the fewest significant digits (at
     * most 15) that show the value to 15 digits, then fixed notation unless
     * scientific is strictly narrower. */
    if (x == 0) { strcpy(buf, "0"); return; }
    if (isnan(x)) { strcpy(buf, "NaN"); return; }
    if (isinf(x)) { strcpy(buf, x > 0 ? "Inf" : "-Inf"); return; }
    char s[40];
    snprintf(s, sizeof s, "%.14e", x);
    char *ep = strchr(s, 'e');
    int ex = atoi(ep + 1);
    /* significant digits: mantissa digits without trailing zeros */
    int nsig = 15;
    for (char *q = ep - 1; *q == '0' && nsig > 1; q--) nsig--;
    int neg = x < 0;
    int rgt = nsig - 1 - ex;
    if (rgt < 0) rgt = 0;
    int wf = neg + (ex >= 0 ? ex + 1 : 1) + (rgt > 0 ? rgt + 1 : 0);
    int ws = neg + (nsig > 1 ? nsig + 1 : 1) + (abs(ex) >= 100 ? 5 : 4);
    if (wf <= ws)
        snprintf(buf, 32, "%.*f", rgt, x);
    else
        snprintf(buf, 32, "%.*e", nsig - 1, x);
}

static int syntactic(const char *s)
{
    if (!is_ident_start((unsigned char)s[0])) return 0;
    if (s[0] == '.' && isdigit((unsigned char)s[1])) return 0;
    for (const char *q = s; *q; q++)
        if (!is_ident_char((unsigned char)*q)) return 0;
    static const char *reserved[] = {"if", "else", "repeat", "while", "function",
        "for", "next", "break", "TRUE", "FALSE", "NULL", "Inf", "NaN", "NA",
        "in", NULL};
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(s, reserved[i])) return 0;
    return 1;
}

static int put_name(df_buf *b, const char *s, int allow_reserved)
{
    if (syntactic(s) || (allow_reserved && (!strcmp(s, "TRUE") || !strcmp(s, "FALSE"))))
        return df_buf_puts(b, s);
    return df_buf_puts(b, "`") || df_buf_puts(b, s) || df_buf_puts(b, "`");
}

int df_deparse(const df_expr *e, df_buf *b)
{
    char num[40], op[4];
    switch (e->kind) {
    case DF_X_NUM:
        /* terms.formula deparses 2L as "2" in the column names */
        df_format_num(e->num, num);
        return df_buf_puts(b, num);
    case DF_X_VAR:
        return put_name(b, e->text, 1);
    case DF_X_CALL:
        if (put_name(b, e->text, 0) || df_buf_puts(b, "(")) return -1;
        for (size_t i = 0; i < e->nargs; i++) {
            if (i && df_buf_puts(b, ", ")) return -1;
            if (e->argnames[i] && (put_name(b, e->argnames[i], 0) || df_buf_puts(b, " = ")))
                return -1;
            if (df_deparse(e->args[i], b)) return -1;
        }
        return df_buf_puts(b, ")");
    case DF_X_BIN:
        /* R puts spaces around ~ + - * but not / ^ : */
        if (e->op == '/' || e->op == '^' || e->op == ':')
            snprintf(op, sizeof op, "%c", e->op);
        else
            snprintf(op, sizeof op, " %c ", e->op);
        return df_deparse(e->l, b) || df_buf_puts(b, op) || df_deparse(e->r, b);
    case DF_X_UNARY:
        snprintf(op, sizeof op, "%c", e->op);
        return df_buf_puts(b, op) || df_deparse(e->l, b);
    case DF_X_PAREN:
        return df_buf_puts(b, "(") || df_deparse(e->l, b) || df_buf_puts(b, ")");
    }
    return -1;
}

char *df_deparse_str(const df_expr *e)
{
    df_buf b = {0};
    if (df_deparse(e, &b)) { free(b.s); return NULL; }
    return b.s;
}

/* ----------------------------------------------------- term expansion */

/* A list of terms, each a bitset of nw words over the variables. */
typedef struct {
    uint64_t *b;
    size_t n, cap, nw;
} termlist;

typedef struct {
    const char *formula;
    df_terms *t;
    int parity;        /* 1 normally, 0 inside the right side of '-' */
    size_t nvcap;
    dyadfit_error *err;
} encoder;

static void tl_free(termlist *l) { free(l->b); l->b = NULL; l->n = l->cap = 0; }

static int tl_find(const termlist *l, const uint64_t *x)
{
    for (size_t i = 0; i < l->n; i++)
        if (!memcmp(l->b + i * l->nw, x, l->nw * sizeof *x)) return (int)i;
    return -1;
}

/* Appends x unless already present (R's TrimRepeats keeps the first). */
static int tl_add(termlist *l, const uint64_t *x)
{
    int empty = 1;
    for (size_t w = 0; w < l->nw; w++) if (x[w]) empty = 0;
    if (empty || tl_find(l, x) >= 0) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        uint64_t *nb = df_realloc(l->b, cap * l->nw, sizeof *nb);
        if (!nb) return -1;
        l->b = nb;
        l->cap = cap;
    }
    memcpy(l->b + l->n * l->nw, x, l->nw * sizeof *x);
    l->n++;
    return 0;
}

static int tl_append(termlist *dst, const termlist *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (tl_add(dst, src->b + i * src->nw)) return -1;
    return 0;
}

static int tl_interact(termlist *dst, const termlist *a, const termlist *c)
{
    uint64_t tmp[64];
    uint64_t *x = a->nw <= 64 ? tmp : NULL;
    if (!x) return -1;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < c->n; j++) {
            for (size_t w = 0; w < a->nw; w++)
                x[w] = a->b[i * a->nw + w] | c->b[j * c->nw + w];
            if (tl_add(dst, x)) return -1;
        }
    return 0;
}

static size_t var_index(const df_terms *t, const char *name)
{
    for (size_t i = 0; i < t->nvar; i++)
        if (!strcmp(t->varname[i], name)) return i;
    return (size_t)-1;
}

/* Pass 1: collect the variables (distinct deparsed expressions that are
 * not formula operators), in order of appearance. */
static int collect_vars(encoder *en, const df_expr *e)
{
    df_terms *t = en->t;
    switch (e->kind) {
    case DF_X_BIN:
        if (collect_vars(en, e->l)) return -1;
        return e->op == '^' ? 0 : collect_vars(en, e->r);
    case DF_X_UNARY: case DF_X_PAREN:
        return collect_vars(en, e->l);
    case DF_X_NUM:
        return 0;
    default: {
        char *s = df_deparse_str(e);
        if (!s) return -1;
        if (var_index(t, s) != (size_t)-1) { free(s); return 0; }
        if (t->nvar == en->nvcap) {
            size_t cap = en->nvcap ? 2 * en->nvcap : 8;
            df_expr **nv = df_realloc(t->var, cap, sizeof *nv);
            if (!nv) { free(s); return -1; }
            t->var = nv;
            char **nn = df_realloc(t->varname, cap, sizeof *nn);
            if (!nn) { free(s); return -1; }
            t->varname = nn;
            en->nvcap = cap;
        }
        t->var[t->nvar] = (df_expr *)e;
        t->varname[t->nvar] = s;
        t->nvar++;
        return 0;
    }
    }
}

static int encode(encoder *en, const df_expr *e, termlist *out);

static int enc_err(encoder *en, const char *fmt, const char *a, size_t pos)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, a, pos);
    return df_error(en->err, DYADFIT_ERR_SPEC, "formula \"%.60s\": %s", en->formula, msg);
}

static int encode(encoder *en, const df_expr *e, termlist *out)
{
    termlist a = {NULL, 0, 0, out->nw}, c = {NULL, 0, 0, out->nw};
    int rc = DYADFIT_ERR_SYSTEM;
    switch (e->kind) {
    case DF_X_NUM:
        if (e->num == 1) en->t->intercept = en->parity;
        else if (e->num == 0) en->t->intercept = !en->parity;
        else
            return enc_err(en, "invalid term '%s' at position %zu: a number alone may only be 0 or 1 (to drop or keep the intercept)",
                           e->text, e->pos);
        return 0;
    case DF_X_VAR: case DF_X_CALL: {
        char *s = df_deparse_str(e);
        if (!s) goto oom;
        size_t v = var_index(en->t, s);
        free(s);
        uint64_t x[64] = {0};
        x[v / 64] |= (uint64_t)1 << (v % 64);
        if (tl_add(out, x)) goto oom;
        return 0;
    }
    case DF_X_PAREN:
        return encode(en, e->l, out);
    case DF_X_UNARY:
        if (e->op == '+') return encode(en, e->l, out);
        /* "-x" alone removes x from nothing; "-1" drops the intercept */
        en->parity = !en->parity;
        rc = encode(en, e->l, &a);
        en->parity = !en->parity;
        tl_free(&a);
        return rc;
    case DF_X_BIN:
        break;
    }
    switch (e->op) {
    case '+':
        if ((rc = encode(en, e->l, &a)) || (rc = encode(en, e->r, &c))) goto done;
        if (tl_append(out, &a) || tl_append(out, &c)) goto oom;
        break;
    case ':':
        if ((rc = encode(en, e->l, &a)) || (rc = encode(en, e->r, &c))) goto done;
        if (tl_interact(out, &a, &c)) goto oom;
        break;
    case '*':
        if ((rc = encode(en, e->l, &a)) || (rc = encode(en, e->r, &c))) goto done;
        if (tl_append(out, &a) || tl_append(out, &c) || tl_interact(out, &a, &c))
            goto oom;
        break;
    case '-': {
        if ((rc = encode(en, e->l, &a))) goto done;
        en->parity = !en->parity;
        rc = encode(en, e->r, &c);
        en->parity = !en->parity;
        if (rc) goto done;
        for (size_t i = 0; i < a.n; i++)
            if (tl_find(&c, a.b + i * a.nw) < 0 && tl_add(out, a.b + i * a.nw)) goto oom;
        break;
    }
    case '^': {
        const df_expr *pw = e->r;
        while (pw->kind == DF_X_PAREN) pw = pw->l;
        if (pw->kind != DF_X_NUM || pw->num < 1 || pw->num != floor(pw->num) || pw->num > 64) {
            char *s = df_deparse_str(e->r);
            rc = enc_err(en, "the power '%s' at position %zu must be a positive whole number (as in (a + b)^2)",
                         s ? s : "?", e->r->pos);
            free(s);
            goto done;
        }
        if ((rc = encode(en, e->l, &a))) goto done;
        /* R's PowerTerms: right = left; repeat: right = all pairwise ORs */
        termlist right = {NULL, 0, 0, out->nw};
        if (tl_append(&right, &a)) goto oom;
        for (int i = 1; i < (int)pw->num; i++) {
            termlist nt = {NULL, 0, 0, out->nw};
            if (tl_interact(&nt, &a, &right)) { tl_free(&nt); tl_free(&right); goto oom; }
            tl_free(&right);
            right = nt;
        }
        /* R interacts left-major: for l in left, for r in right */
        rc = tl_append(out, &right) ? DYADFIT_ERR_SYSTEM : 0;
        tl_free(&right);
        if (rc) goto oom;
        break;
    }
    case '/':
        rc = enc_err(en, "operator '%s' at position %zu (nesting) is not supported in formulas; write I(a/b) for division",
                     "/", e->pos);
        goto done;
    default:
        rc = enc_err(en, "operator '%s' at position %zu is not allowed here", "~", e->pos);
        goto done;
    }
    rc = 0;
    goto done;
oom:
    rc = df_error(en->err, DYADFIT_ERR_SYSTEM, "out of memory expanding the formula");
done:
    tl_free(&a);
    tl_free(&c);
    return rc;
}

static int popcount(const uint64_t *x, size_t nw)
{
    int n = 0;
    for (size_t w = 0; w < nw; w++) n += __builtin_popcountll(x[w]);
    return n;
}

int df_terms_expand(const char *formula, const df_expr *rhs, df_terms *t,
                    dyadfit_error *err)
{
    encoder en = {formula, t, 1, 0, err};
    termlist l = {NULL, 0, 0, 1};
    int rc;
    memset(t, 0, sizeof *t);
    t->intercept = 1;
    if (collect_vars(&en, rhs))
        return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory expanding the formula");
    if (t->nvar > 64 * 64)
        return df_error(err, DYADFIT_ERR_SPEC, "formula \"%.60s\": too many variables (%zu)",
                        formula, t->nvar);
    t->nw = (t->nvar + 63) / 64;
    if (t->nw == 0) t->nw = 1;
    l.nw = t->nw;
    if ((rc = encode(&en, rhs, &l))) goto done;
    /* R orders terms by degree, keeping the order of appearance within one */
    t->bits = df_malloc(l.n ? l.n * t->nw : 1, sizeof *t->bits);
    t->code = df_calloc(l.n * (t->nvar ? t->nvar : 1), sizeof *t->code);
    if (!t->bits || !t->code) { rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory"); goto done; }
    for (int deg = 1; deg <= (int)t->nvar; deg++)
        for (size_t i = 0; i < l.n; i++)
            if (popcount(l.b + i * l.nw, l.nw) == deg)
                memcpy(t->bits + t->nterm++ * t->nw, l.b + i * l.nw, t->nw * sizeof *t->bits);
    /* Coding of each factor in each term (R's TermCode): contrasts when the
     * term without that variable is empty or contained in an earlier term,
     * indicator columns for every level otherwise. */
    uint64_t x[64];
    for (size_t k = 0; k < t->nterm; k++)
        for (size_t v = 0; v < t->nvar; v++) {
            if (!df_term_has(t, k, v)) continue;
            memcpy(x, t->bits + k * t->nw, t->nw * sizeof *x);
            x[v / 64] &= ~((uint64_t)1 << (v % 64));
            int code = 2, empty = 1;
            for (size_t w = 0; w < t->nw; w++) if (x[w]) empty = 0;
            if (empty) code = 1;
            for (size_t j = 0; j < k && code == 2; j++) {
                int sub = 1;
                for (size_t w = 0; w < t->nw; w++)
                    if (x[w] & ~t->bits[j * t->nw + w]) sub = 0;
                if (sub) code = 1;
            }
            t->code[k * t->nvar + v] = code;
        }
    rc = 0;
done:
    tl_free(&l);
    if (rc) df_terms_free(t);
    return rc;
}

void df_terms_free(df_terms *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->nvar; i++) free(t->varname[i]);
    free(t->varname);
    free(t->var);
    free(t->bits);
    free(t->code);
    memset(t, 0, sizeof *t);
}
