/*
 * filter.c -- row filter expressions (see filter.h for grammar and
 * semantics).
 *
 * Three steps: the tokenizer turns the text into an array of tokens (with
 * their byte positions, for messages); a recursive-descent parser following
 * R's precedence builds a tree of nodes, resolving variables, value labels
 * and types as it goes, so every error is found before any row is touched;
 * the evaluator walks the tree once per chunk of CHUNK rows, each node
 * writing into its own buffer allocated once. Every value is a double with
 * NaN for NA, logicals being 0/1/NaN, so R's three-valued logic becomes a
 * few comparisons per row.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "../util/util.h"

#define CHUNK 4096
#define MAX_DEPTH 200          /* nesting limit: no stack overflow on ((((... */
#define MAX_HEIGHT 2000        /* tree height limit: the evaluator recurses */
#define SHOW_EXPR 160          /* bytes of the expression quoted in messages */
#define DNAN ((double)NAN)     /* NA; NAN alone is a float */

/* ------------------------------------------------------------- tokens */

enum { T_END, T_NUM, T_STR, T_NAME, T_LP, T_RP, T_COMMA, T_OP };
enum {
    O_OR, O_AND, O_NOT, O_EQ, O_NE, O_LT, O_LE, O_GT, O_GE, O_IN,
    O_ADD, O_SUB, O_MUL, O_DIV, O_POW
};

typedef struct {
    int kind, op;
    size_t pos, len;     /* 1-based byte position and length in the source */
    double num;
    char *str;           /* T_STR: unescaped text; T_NAME: the name */
    int quoted;          /* T_NAME written `like this` */
} token;

/* -------------------------------------------------------------- nodes */

enum {
    N_CONST,    /* number or logical constant */
    N_STRLIT,   /* string literal: only inside comparisons and %in% */
    N_COLNUM,   /* numeric variable */
    N_COLSTR,   /* string variable: only inside comparisons, %in%, is.na */
    N_NEG, N_NOT, N_ARITH, N_AND, N_OR, N_CMP,
    N_STRLUT,   /* string variable mapped through a table over its levels */
    N_STRSTR,   /* string variable compared with string variable */
    N_INNUM,    /* number %in% sorted set */
    N_ISNA,
    N_SET       /* c(...) while parsing; becomes part of an %in% node */
};
enum { V_NUM, V_LGL, V_STR, V_SET };

typedef struct {
    int kind, type, op;
    int a, b;                /* children, -1 when absent */
    size_t pos, len;         /* token that made the node */
    double num;              /* N_CONST */
    const char *str;         /* N_STRLIT (borrowed from the token) */
    const df_column *col;    /* N_COL*, N_STRLUT */
    const df_column *col2;   /* N_STRSTR right side */
    double *set;             /* N_SET numbers, N_INNUM sorted set */
    size_t nset;
    const char **sset;       /* N_SET strings (borrowed) */
    size_t *spos;            /* their positions */
    size_t nsset;
    int set_na;              /* N_SET holds NA */
    double in_na;            /* N_INNUM/N_STRLUT: result for a missing row */
    int negate;              /* N_INNUM: != through a label with many values */
    unsigned char *lut;      /* N_STRLUT: 0/1 per level */
    double *buf;             /* CHUNK results */
    int height;              /* of the subtree, set by parse_top */
} node;

typedef struct {
    const dyadfit_table *t;
    const char *src;
    dyadfit_error *err;
    token *tok;
    size_t ntok, cur;
    node *nodes;
    size_t nnode, cap;
    int depth;
    int code;            /* error code of the first failure */
} parser;

/* Sets err to `--if "EXPR": detail`. Returns -1 for the parse functions. */
static int perr(parser *p, int code, const char *fmt, ...) DF_PRINTF(3, 4);
static int perr(parser *p, int code, const char *fmt, ...)
{
    char detail[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    size_t n = strlen(p->src);
    p->code = code;
    df_error(p->err, code, "--if \"%.*s%s\": %s",
             (int)(n > SHOW_EXPR ? SHOW_EXPR : n), p->src,
             n > SHOW_EXPR ? "..." : "", detail);
    return -1;
}
#define SPEC DYADFIT_ERR_SPEC

/* Source text of a token, at most 40 bytes (for messages). */
#define TOKTEXT(p, tk) (int)((tk)->len > 40 ? 40 : (tk)->len), \
                       (p)->src + (tk)->pos - 1

/* ---------------------------------------------------------- tokenizer */

static int is_name_start(unsigned char c)
{
    return isalpha(c) || c == '.' || c == '_' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c >= 0x80;
}

static token *push_token(parser *p, size_t *cap)
{
    if (p->ntok == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        token *tk = df_realloc(p->tok, nc, sizeof *tk);
        if (!tk) return NULL;
        p->tok = tk;
        *cap = nc;
    }
    token *tk = &p->tok[p->ntok++];
    memset(tk, 0, sizeof *tk);
    return tk;
}

/* A number as R writes it: 12, 1.5, .5, 1e-3, 0x1F, with an optional L. */
static int lex_number(parser *p, const char *s, size_t i, token *tk)
{
    size_t j = i;
    char tmp[64];
    if (s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
        j += 2;
        while (isxdigit((unsigned char)s[j])) j++;
        if (j == i + 2)
            return perr(p, SPEC, "malformed number at position %zu", i + 1);
    } else {
        while (isdigit((unsigned char)s[j])) j++;
        if (s[j] == '.') {
            j++;
            while (isdigit((unsigned char)s[j])) j++;
        }
        if (s[j] == 'e' || s[j] == 'E') {
            size_t k = j + 1;
            if (s[k] == '+' || s[k] == '-') k++;
            if (!isdigit((unsigned char)s[k]))
                return perr(p, SPEC, "malformed number '%.*s' at position %zu",
                            (int)(k - i), s + i, i + 1);
            while (isdigit((unsigned char)s[k])) k++;
            j = k;
        }
    }
    size_t end = j;
    if (s[j] == 'L') j++;
    if (is_name_char((unsigned char)s[j]))
        return perr(p, SPEC, "malformed number '%.*s' at position %zu "
                    "(a variable name cannot start with a digit)",
                    (int)(j + 1 - i), s + i, i + 1);
    if (end - i >= sizeof tmp)
        return perr(p, SPEC, "number too long at position %zu", i + 1);
    memcpy(tmp, s + i, end - i);
    tmp[end - i] = '\0';
    tk->kind = T_NUM;
    tk->num = strtod(tmp, NULL);
    tk->len = j - i;
    return 0;
}

/* A quoted string (q is " or ') with R's simple escapes, or a `name`. */
static int lex_quoted(parser *p, const char *s, size_t i, token *tk)
{
    char q = s[i];
    size_t j = i + 1, n = 0;
    char *out = df_malloc(strlen(s + i) + 1, 1);
    if (!out) return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
    tk->str = out;
    while (s[j] && s[j] != q) {
        char c = s[j++];
        if (c == '\\' && q != '`' && s[j]) {
            c = s[j++];
            if (c == 'n') c = '\n';
            else if (c == 't') c = '\t';
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (!s[j])
        return perr(p, SPEC, "unterminated %s starting at position %zu",
                    q == '`' ? "`name`" : "string", i + 1);
    if (q == '`' && n == 0)
        return perr(p, SPEC, "empty `` at position %zu", i + 1);
    tk->kind = q == '`' ? T_NAME : T_STR;
    tk->quoted = q == '`';
    tk->len = j + 1 - i;
    return 0;
}

/* Two-character and one-character operators. */
static int lex_op(parser *p, const char *s, size_t i, token *tk)
{
    char c = s[i], d = s[i + 1];
    tk->kind = T_OP;
    tk->len = 1;
    switch (c) {
    case '|': tk->op = O_OR; tk->len = d == '|' ? 2 : 1; return 0;
    case '&': tk->op = O_AND; tk->len = d == '&' ? 2 : 1; return 0;
    case '!': tk->op = d == '=' ? O_NE : O_NOT; tk->len = d == '=' ? 2 : 1;
              return 0;
    case '<': tk->op = d == '=' ? O_LE : O_LT; tk->len = d == '=' ? 2 : 1;
              return 0;
    case '>': tk->op = d == '=' ? O_GE : O_GT; tk->len = d == '=' ? 2 : 1;
              return 0;
    case '+': tk->op = O_ADD; return 0;
    case '-': tk->op = O_SUB; return 0;
    case '/': tk->op = O_DIV; return 0;
    case '^': tk->op = O_POW; return 0;
    case '*': tk->op = d == '*' ? O_POW : O_MUL; tk->len = d == '*' ? 2 : 1;
              return 0;
    case '=':
        if (d == '=') { tk->op = O_EQ; tk->len = 2; return 0; }
        return perr(p, SPEC, "'=' at position %zu: use == to compare", i + 1);
    case '%': {
        const char *e = strchr(s + i + 1, '%');
        if (!e)
            return perr(p, SPEC, "unterminated %%...%% operator at position %zu",
                        i + 1);
        if (e - (s + i) == 3 && strncmp(s + i, "%in%", 4) == 0) {
            tk->op = O_IN;
            tk->len = 4;
            return 0;
        }
        return perr(p, SPEC, "unknown operator '%.*s' at position %zu "
                    "(only %%in%% is supported)",
                    (int)(e - (s + i) + 1 > 40 ? 40 : e - (s + i) + 1), s + i,
                    i + 1);
    }
    default: break;
    }
    if (isprint((unsigned char)c))
        return perr(p, SPEC, "unexpected character '%c' at position %zu", c,
                    i + 1);
    return perr(p, SPEC, "unexpected byte 0x%02X at position %zu",
                (unsigned char)c, i + 1);
}

static int tokenize(parser *p)
{
    const char *s = p->src;
    size_t i = 0, cap = 0;
    for (;;) {
        while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') i++;
        token *tk = push_token(p, &cap);
        if (!tk) return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
        tk->pos = i + 1;
        unsigned char c = (unsigned char)s[i];
        int rc = 0;
        if (!c) {
            tk->kind = T_END;
            return 0;
        } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
            rc = lex_number(p, s, i, tk);
        } else if (is_name_start(c)) {
            size_t j = i;
            while (is_name_char((unsigned char)s[j])) j++;
            tk->kind = T_NAME;
            tk->len = j - i;
            if (!(tk->str = df_malloc(j - i + 1, 1)))
                return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
            memcpy(tk->str, s + i, j - i);
            tk->str[j - i] = '\0';
        } else if (c == '"' || c == '\'' || c == '`') {
            rc = lex_quoted(p, s, i, tk);
        } else if (c == '(' || c == ')' || c == ',') {
            tk->kind = c == '(' ? T_LP : c == ')' ? T_RP : T_COMMA;
            tk->len = 1;
        } else {
            rc = lex_op(p, s, i, tk);
        }
        if (rc) return -1;
        i += tk->len;
    }
}

/* ------------------------------------------------------ parser helpers */

static token *peek(parser *p) { return &p->tok[p->cur]; }
static token *next(parser *p) { return &p->tok[p->cur++]; }
static int peek_op(parser *p, int op)
{
    return peek(p)->kind == T_OP && peek(p)->op == op;
}

static int new_node(parser *p, int kind, int type, const token *tk)
{
    if (p->nnode == p->cap) {
        size_t nc = p->cap ? 2 * p->cap : 16;
        node *nd = df_realloc(p->nodes, nc, sizeof *nd);
        if (!nd) return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
        p->nodes = nd;
        p->cap = nc;
    }
    node *d = &p->nodes[p->nnode];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->type = type;
    d->a = d->b = -1;
    d->pos = tk->pos;
    d->len = tk->len;
    return (int)p->nnode++;
}

/* "the string variable 'name'", "the string \"abc\"", "the number ..." */
static void describe(parser *p, int k, char *buf, size_t size)
{
    const node *d = &p->nodes[k];
    if (d->kind == N_COLSTR)
        snprintf(buf, size, "the string variable '%s'", d->col->name);
    else if (d->kind == N_STRLIT)
        snprintf(buf, size, "the string \"%.40s\"", d->str);
    else if (d->kind == N_COLNUM)
        snprintf(buf, size, "the numeric variable '%s'", d->col->name);
    else if (d->kind == N_SET)
        snprintf(buf, size, "c(...)");
    else
        snprintf(buf, size, "the expression at position %zu", d->pos);
}

/* Optimal-string-alignment distance, ignoring case; names longer than 63
 * bytes are not compared. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[64][64];
    if (la > 63 || lb > 63) return (size_t)-1;
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            size_t v = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

static int unknown_variable(parser *p, const token *tk)
{
    size_t best = (size_t)-1, bj = 0, len = strlen(tk->str);
    size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
    for (size_t j = 0; j < p->t->ncol; j++) {
        size_t d = edit_distance(tk->str, p->t->cols[j].name);
        if (d < best) { best = d; bj = j; }
    }
    if (best <= limit)
        return perr(p, SPEC, "unknown variable '%.60s' at position %zu "
                    "(did you mean '%.60s'?)", tk->str, tk->pos,
                    p->t->cols[bj].name);
    return perr(p, SPEC, "unknown variable '%.60s' at position %zu",
                tk->str, tk->pos);
}

/* `'region' has no value labelled "X"; labels: 1 "Europe", 2 "Asia"`. */
static int unknown_label(parser *p, const df_column *c, const char *lab,
                         size_t pos)
{
    char list[300];
    size_t n = 0;
    list[0] = '\0';
    for (size_t l = 0; l < c->nvlabels && n < sizeof list - 1; l++) {
        int w = snprintf(list + n, sizeof list - n, "%s%.15g \"%s\"",
                         l ? ", " : "", c->vlabels[l].value, c->vlabels[l].label);
        if (w < 0 || (size_t)w >= sizeof list - n) {
            n = sizeof list - 1;
            if (n > 4) memcpy(list + n - 4, " ...", 5);
            break;
        }
        n += (size_t)w;
    }
    return perr(p, SPEC, "no value of '%s' is labelled \"%.40s\" (position %zu); "
                "labels: %s", c->name, lab, pos, list);
}

/* Values of c whose label is lab, appended to *vals; -1 (err set) if none. */
static int label_values(parser *p, const df_column *c, const char *lab,
                        size_t pos, double **vals, size_t *n)
{
    size_t found = 0;
    for (size_t l = 0; l < c->nvlabels; l++) {
        if (strcmp(c->vlabels[l].label, lab) != 0) continue;
        double *v = df_realloc(*vals, *n + 1, sizeof *v);
        if (!v) return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
        *vals = v;
        v[(*n)++] = c->vlabels[l].value;
        found++;
    }
    return found ? 0 : unknown_label(p, c, lab, pos);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int mirror(int op)
{
    switch (op) {
    case O_LT: return O_GT;
    case O_LE: return O_GE;
    case O_GT: return O_LT;
    case O_GE: return O_LE;
    default: return op;
    }
}

static int cmp_holds(int op, int c)   /* c: <0, 0, >0 */
{
    switch (op) {
    case O_EQ: return c == 0;
    case O_NE: return c != 0;
    case O_LT: return c < 0;
    case O_LE: return c <= 0;
    case O_GT: return c > 0;
    default: return c >= 0;
    }
}

/* ------------------------------------------------------ node builders */

static int mk_unary(parser *p, int kind, int a, const token *op)
{
    char what[120];
    if (p->nodes[a].type == V_STR || p->nodes[a].type == V_SET) {
        describe(p, a, what, sizeof what);
        return perr(p, SPEC, "'%.*s' at position %zu needs a %s, not %s",
                    TOKTEXT(p, op), op->pos,
                    kind == N_NOT ? "condition" : "number", what);
    }
    int k = new_node(p, kind, kind == N_NOT ? V_LGL : V_NUM, op);
    if (k >= 0) p->nodes[k].a = a;
    return k;
}

/* Arithmetic and & |: both operands numbers or logicals. */
static int mk_binary(parser *p, int kind, int a, int b, const token *op)
{
    char what[120];
    for (int s = 0; s < 2; s++) {
        int x = s ? b : a;
        if (p->nodes[x].type != V_STR && p->nodes[x].type != V_SET) continue;
        describe(p, x, what, sizeof what);
        return perr(p, SPEC, "'%.*s' at position %zu needs %s, not %s",
                    TOKTEXT(p, op), op->pos,
                    kind == N_ARITH ? "numbers" : "conditions", what);
    }
    int k = new_node(p, kind, kind == N_ARITH ? V_NUM : V_LGL, op);
    if (k < 0) return -1;
    p->nodes[k].a = a;
    p->nodes[k].b = b;
    p->nodes[k].op = op->op;
    return k;
}

/* Per-level table for a string variable compared with a literal. */
static int mk_strlut(parser *p, const df_column *c, int op, const char *lit,
                     const token *tk)
{
    int k = new_node(p, N_STRLUT, V_LGL, tk);
    if (k < 0) return -1;
    node *d = &p->nodes[k];
    d->col = c;
    d->in_na = NAN;
    if (!(d->lut = df_malloc(c->nlevels ? c->nlevels : 1, 1)))
        return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
    for (size_t l = 0; l < c->nlevels; l++)
        d->lut[l] = (unsigned char)cmp_holds(op, strcmp(c->levels[l], lit));
    return k;
}

/* Numeric variable with value labels compared with a label. */
static int mk_labelcmp(parser *p, int a, int op, int s, const token *tk)
{
    const df_column *c = p->nodes[a].col;
    const char *lab = p->nodes[s].str;
    double *vals = NULL;
    size_t n = 0;
    int k = -1;
    if (label_values(p, c, lab, p->nodes[s].pos, &vals, &n)) goto done;
    if (n == 1) {
        k = new_node(p, N_CMP, V_LGL, tk);
        if (k < 0) goto done;
        /* the literal becomes the labelled value */
        p->nodes[s].kind = N_CONST;
        p->nodes[s].type = V_NUM;
        p->nodes[s].num = vals[0];
        p->nodes[k].a = a;
        p->nodes[k].b = s;
        p->nodes[k].op = op;
    } else if (op == O_EQ || op == O_NE) {
        /* one label on several values: membership, NA stays NA */
        k = new_node(p, N_INNUM, V_LGL, tk);
        if (k < 0) goto done;
        qsort(vals, n, sizeof *vals, cmp_double);
        p->nodes[k].a = a;
        p->nodes[k].set = vals;
        p->nodes[k].nset = n;
        p->nodes[k].in_na = NAN;
        p->nodes[k].negate = op == O_NE;
        vals = NULL;
    } else {
        perr(p, SPEC, "the label \"%.40s\" belongs to %zu values of '%s': "
             "'%.*s' at position %zu needs a single value", lab, n, c->name,
             TOKTEXT(p, tk), tk->pos);
    }
done:
    free(vals);
    return k;
}

static int mk_cmp(parser *p, int a, int b, const token *tk)
{
    int op = tk->op;
    int sa = p->nodes[a].type == V_STR, sb = p->nodes[b].type == V_STR;
    char w1[120], w2[120];
    if (p->nodes[a].type == V_SET || p->nodes[b].type == V_SET)
        return perr(p, SPEC, "c() is allowed only on the right of %%in%% "
                    "('%.*s' at position %zu)", TOKTEXT(p, tk), tk->pos);
    if (!sa && !sb) {
        int k = new_node(p, N_CMP, V_LGL, tk);
        if (k < 0) return -1;
        p->nodes[k].a = a;
        p->nodes[k].b = b;
        p->nodes[k].op = op;
        return k;
    }
    /* put the string literal (if any) on the right */
    if (p->nodes[a].kind == N_STRLIT && p->nodes[b].kind != N_STRLIT) {
        int x = a; a = b; b = x;
        x = sa; sa = sb; sb = x;
        op = mirror(op);
    }
    if (sa && sb) {
        const node *A = &p->nodes[a], *B = &p->nodes[b];
        if (A->kind == N_STRLIT) {   /* both literals: a constant */
            double v = cmp_holds(op, strcmp(A->str, B->str));
            int k = new_node(p, N_CONST, V_LGL, tk);
            if (k >= 0) p->nodes[k].num = v;
            return k;
        }
        if (B->kind == N_STRLIT) return mk_strlut(p, A->col, op, B->str, tk);
        int k = new_node(p, N_STRSTR, V_LGL, tk);
        if (k < 0) return -1;
        p->nodes[k].col = p->nodes[a].col;
        p->nodes[k].col2 = p->nodes[b].col;
        p->nodes[k].op = op;
        return k;
    }
    if (sb && p->nodes[b].kind == N_STRLIT) {   /* number vs "literal" */
        const node *A = &p->nodes[a];
        if (A->kind == N_COLNUM && A->col->nvlabels > 0)
            return mk_labelcmp(p, a, op, b, tk);
        describe(p, b, w2, sizeof w2);
        if (A->kind == N_COLNUM)
            return perr(p, SPEC, "'%s' is numeric without value labels: it "
                        "cannot be compared with %s ('%.*s' at position %zu)",
                        A->col->name, w2, TOKTEXT(p, tk), tk->pos);
        describe(p, a, w1, sizeof w1);
        return perr(p, SPEC, "%s is a number: it cannot be compared with %s "
                    "('%.*s' at position %zu)", w1, w2, TOKTEXT(p, tk), tk->pos);
    }
    /* a string variable against a number */
    int s = sa ? a : b;
    describe(p, s, w1, sizeof w1);
    return perr(p, SPEC, "%s can be compared only with a quoted string or "
                "another string variable, not a number ('%.*s' at position %zu)",
                w1, TOKTEXT(p, tk), tk->pos);
}

static int mk_in(parser *p, int a, int s, const token *tk)
{
    node *S = &p->nodes[s];
    const node *A = &p->nodes[a];
    char what[120];
    if (A->type == V_SET)
        return perr(p, SPEC, "c() is allowed only on the right of %%in%% "
                    "(position %zu)", A->pos);
    if (A->type == V_STR) {
        if (S->nset > 0) {
            describe(p, a, what, sizeof what);
            return perr(p, SPEC, "%s %%in%% needs quoted strings in c(), not "
                        "numbers (position %zu)", what, tk->pos);
        }
        if (A->kind == N_STRLIT) {   /* "a" %in% c(...): a constant */
            double v = 0;
            for (size_t i = 0; i < S->nsset; i++)
                if (strcmp(S->sset[i], A->str) == 0) v = 1;
            int k = new_node(p, N_CONST, V_LGL, tk);
            if (k >= 0) p->nodes[k].num = v;
            return k;
        }
        const df_column *c = A->col;
        int k = new_node(p, N_STRLUT, V_LGL, tk);
        if (k < 0) return -1;
        node *d = &p->nodes[k];
        S = &p->nodes[s];
        d->col = c;
        d->in_na = S->set_na;   /* NA %in% c(.., NA) is TRUE in R */
        if (!(d->lut = df_calloc(c->nlevels ? c->nlevels : 1, 1)))
            return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
        for (size_t l = 0; l < c->nlevels; l++)
            for (size_t i = 0; i < S->nsset && !d->lut[l]; i++)
                d->lut[l] = strcmp(c->levels[l], S->sset[i]) == 0;
        return k;
    }
    /* numeric left side: strings in the set must be value labels */
    if (S->nsset > 0) {
        if (A->kind != N_COLNUM || A->col->nvlabels == 0) {
            describe(p, a, what, sizeof what);
            return perr(p, SPEC, "%s has no value labels: \"%.40s\" at "
                        "position %zu cannot match it", what, S->sset[0],
                        S->spos[0]);
        }
        for (size_t i = 0; i < S->nsset; i++)
            if (label_values(p, A->col, S->sset[i], S->spos[i], &S->set,
                             &S->nset))
                return -1;
    }
    int k = new_node(p, N_INNUM, V_LGL, tk);
    if (k < 0) return -1;
    S = &p->nodes[s];
    node *d = &p->nodes[k];
    if (S->nset > 1) qsort(S->set, S->nset, sizeof *S->set, cmp_double);
    d->a = a;
    d->set = S->set;          /* moved from the c() node */
    d->nset = S->nset;
    S->set = NULL;
    S->nset = 0;
    d->in_na = S->set_na;
    return k;
}

/* ------------------------------------------------------------- parser */

static int parse_or(parser *p);
static int parse_not(parser *p);
static int parse_unary(parser *p);

static int expected_operand(parser *p)
{
    const token *tk = peek(p);
    if (p->cur == 0)
        return tk->kind == T_END ? perr(p, SPEC, "empty expression")
                                 : perr(p, SPEC, "expected an operand at "
                                        "position %zu", tk->pos);
    const token *prev = &p->tok[p->cur - 1];
    return perr(p, SPEC, "expected an operand after '%.*s' at position %zu",
                TOKTEXT(p, prev), prev->pos);
}

/* One constant of c(...) or of the right side of %in%. */
static int parse_set_item(parser *p, int s)
{
    token *tk = peek(p);
    double sign = 1;
    if (tk->kind == T_OP && (tk->op == O_SUB || tk->op == O_ADD)) {
        sign = tk->op == O_SUB ? -1 : 1;
        next(p);
        tk = peek(p);
        if (tk->kind != T_NUM && !(tk->kind == T_NAME && !tk->quoted &&
                                   strcmp(tk->str, "Inf") == 0))
            return perr(p, SPEC, "expected a number after the sign at "
                        "position %zu", tk->pos);
    }
    node *S = &p->nodes[s];
    if (tk->kind == T_STR) {
        const char **ss = df_realloc(S->sset, S->nsset + 1, sizeof *ss);
        if (ss) S->sset = ss;
        size_t *sp = df_realloc(S->spos, S->nsset + 1, sizeof *sp);
        if (sp) S->spos = sp;
        if (!ss || !sp) return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
        S->sset[S->nsset] = tk->str;
        S->spos[S->nsset++] = tk->pos;
        next(p);
        return 0;
    }
    double v;
    if (tk->kind == T_NUM) v = tk->num;
    else if (tk->kind == T_NAME && !tk->quoted && !strcmp(tk->str, "TRUE")) v = 1;
    else if (tk->kind == T_NAME && !tk->quoted && !strcmp(tk->str, "FALSE")) v = 0;
    else if (tk->kind == T_NAME && !tk->quoted && !strcmp(tk->str, "Inf"))
        v = INFINITY;
    else if (tk->kind == T_NAME && !tk->quoted && !strcmp(tk->str, "NA")) {
        S->set_na = 1;
        next(p);
        return 0;
    } else if (tk->kind == T_END || tk->kind == T_RP || tk->kind == T_COMMA)
        return expected_operand(p);
    else
        return perr(p, SPEC, "the values of %%in%% must be constants: "
                    "'%.*s' at position %zu is not", TOKTEXT(p, tk), tk->pos);
    double *set = df_realloc(S->set, S->nset + 1, sizeof *set);
    if (!set) return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
    S->set = set;
    set[S->nset++] = sign * v;
    next(p);
    return 0;
}

/* Right side of %in%: c(const, ...) or a single constant. */
static int parse_set(parser *p, const token *in)
{
    token *tk = peek(p);
    int s = new_node(p, N_SET, V_SET, tk);
    if (s < 0) return -1;
    if (tk->kind == T_NAME && !tk->quoted && strcmp(tk->str, "c") == 0 &&
        p->tok[p->cur + 1].kind == T_LP) {
        next(p);
        const token *lp = next(p);
        if (peek(p)->kind == T_RP) {
            next(p);
            return s;   /* c() is empty: nothing matches */
        }
        for (;;) {
            if (parse_set_item(p, s)) return -1;
            tk = peek(p);
            if (tk->kind == T_RP) { next(p); return s; }
            if (tk->kind == T_COMMA) { next(p); continue; }
            if (tk->kind == T_END)
                return perr(p, SPEC, "missing ')' to close 'c(' at position %zu",
                            lp->pos);
            return perr(p, SPEC, "expected ',' or ')' in c() at position %zu",
                        tk->pos);
        }
    }
    if (tk->kind == T_END || tk->kind == T_RP || tk->kind == T_COMMA ||
        (tk->kind == T_OP && tk->op != O_SUB && tk->op != O_ADD))
        return perr(p, SPEC, "expected c(...) after '%%in%%' at position %zu",
                    in->pos);
    if (tk->kind == T_NAME && (tk->quoted || (strcmp(tk->str, "TRUE") &&
        strcmp(tk->str, "FALSE") && strcmp(tk->str, "NA") &&
        strcmp(tk->str, "Inf"))))
        return perr(p, SPEC, "the right side of %%in%% must be c(...) or a "
                    "constant, not '%.*s' (position %zu)", TOKTEXT(p, tk),
                    tk->pos);
    if (parse_set_item(p, s)) return -1;
    return s;
}

static int parse_call(parser *p, const token *name)
{
    const token *lp = next(p);
    if (strcmp(name->str, "c") == 0)
        return perr(p, SPEC, "c() is allowed only on the right of %%in%% "
                    "(position %zu)", name->pos);
    if (strcmp(name->str, "is.na") != 0)
        return perr(p, SPEC, "unknown function '%.40s' at position %zu (only "
                    "is.na() and c() after %%in%% are supported)", name->str,
                    name->pos);
    if (peek(p)->kind == T_RP)
        return perr(p, SPEC, "is.na() needs one argument (position %zu)",
                    name->pos);
    int a = parse_or(p);
    if (a < 0) return -1;
    if (peek(p)->kind == T_COMMA)
        return perr(p, SPEC, "is.na() takes one argument (',' at position %zu)",
                    peek(p)->pos);
    if (peek(p)->kind != T_RP)
        return perr(p, SPEC, "missing ')' to close '(' at position %zu",
                    lp->pos);
    next(p);
    if (p->nodes[a].type == V_SET)
        return perr(p, SPEC, "c() is allowed only on the right of %%in%% "
                    "(position %zu)", p->nodes[a].pos);
    if (p->nodes[a].kind == N_STRLIT) {   /* a literal is never missing */
        int k = new_node(p, N_CONST, V_LGL, name);
        if (k >= 0) p->nodes[k].num = 0;
        return k;
    }
    int k = new_node(p, N_ISNA, V_LGL, name);
    if (k >= 0) p->nodes[k].a = a;
    return k;
}

static int parse_name(parser *p)
{
    token *tk = next(p);
    if (!tk->quoted && peek(p)->kind == T_LP) return parse_call(p, tk);
    if (!tk->quoted) {
        static const struct { const char *name; double v; int type; } kw[] = {
            {"TRUE", 1, V_LGL}, {"FALSE", 0, V_LGL}, {"NA", NAN, V_LGL},
            {"Inf", INFINITY, V_NUM}, {"NaN", NAN, V_NUM}
        };
        for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
            if (strcmp(tk->str, kw[i].name) == 0) {
                int k = new_node(p, N_CONST, kw[i].type, tk);
                if (k >= 0) p->nodes[k].num = kw[i].v;
                return k;
            }
    }
    const df_column *c = df_table_find(p->t, tk->str);
    if (!c) return unknown_variable(p, tk);
    int str = c->type == DF_COL_STRING;
    int k = new_node(p, str ? N_COLSTR : N_COLNUM, str ? V_STR : V_NUM, tk);
    if (k >= 0) p->nodes[k].col = c;
    return k;
}

static int parse_primary(parser *p)
{
    token *tk = peek(p);
    switch (tk->kind) {
    case T_NUM: {
        int k = new_node(p, N_CONST, V_NUM, next(p));
        if (k >= 0) p->nodes[k].num = tk->num;
        return k;
    }
    case T_STR: {
        int k = new_node(p, N_STRLIT, V_STR, next(p));
        if (k >= 0) p->nodes[k].str = tk->str;
        return k;
    }
    case T_NAME:
        return parse_name(p);
    case T_LP: {
        next(p);
        int k = parse_or(p);
        if (k < 0) return -1;
        if (peek(p)->kind != T_RP)
            return perr(p, SPEC, "missing ')' to close '(' at position %zu",
                        tk->pos);
        next(p);
        return k;
    }
    default:
        return expected_operand(p);
    }
}

/* primary ( ^ unary )?  -- right associative; the exponent may be signed */
static int parse_power(parser *p)
{
    int a = parse_primary(p);
    if (a < 0 || !peek_op(p, O_POW)) return a;
    const token *op = next(p);
    int b = parse_unary(p);
    if (b < 0) return -1;
    return mk_binary(p, N_ARITH, a, b, op);
}

/* - + unary, and !: R lets ! appear in operand position, its operand then
 * extending over comparisons (1 + !x == 0 is 1 + !(x == 0)). */
static int parse_unary(parser *p)
{
    token *tk = peek(p);
    int k;
    if (++p->depth > MAX_DEPTH)
        return perr(p, SPEC, "expression nested too deeply at position %zu",
                    tk->pos);
    if (tk->kind == T_OP && (tk->op == O_SUB || tk->op == O_ADD)) {
        next(p);
        k = parse_unary(p);
        if (k >= 0) k = mk_unary(p, N_NEG, k, tk);
        /* unary plus: -(-x), which also makes a logical numeric as in R */
        if (k >= 0 && tk->op == O_ADD) k = mk_unary(p, N_NEG, k, tk);
    } else if (tk->kind == T_OP && tk->op == O_NOT) {
        k = parse_not(p);
    } else {
        k = parse_power(p);
    }
    p->depth--;
    return k;
}

/* unary ( %in% set )* */
static int parse_special(parser *p)
{
    int a = parse_unary(p);
    while (a >= 0 && peek_op(p, O_IN)) {
        const token *op = next(p);
        int s = parse_set(p, op);
        if (s < 0) return -1;
        a = mk_in(p, a, s, op);
    }
    return a;
}

static int parse_product(parser *p)
{
    int a = parse_special(p);
    while (a >= 0 && (peek_op(p, O_MUL) || peek_op(p, O_DIV))) {
        const token *op = next(p);
        int b = parse_special(p);
        if (b < 0) return -1;
        a = mk_binary(p, N_ARITH, a, b, op);
    }
    return a;
}

static int parse_sum(parser *p)
{
    int a = parse_product(p);
    while (a >= 0 && (peek_op(p, O_ADD) || peek_op(p, O_SUB))) {
        const token *op = next(p);
        int b = parse_product(p);
        if (b < 0) return -1;
        a = mk_binary(p, N_ARITH, a, b, op);
    }
    return a;
}

static int is_cmp(const token *tk)
{
    return tk->kind == T_OP && tk->op >= O_EQ && tk->op <= O_GE;
}

/* sum ( cmp sum )?  -- comparisons do not chain in R */
static int parse_cmp(parser *p)
{
    int a = parse_sum(p);
    if (a < 0 || !is_cmp(peek(p))) return a;
    const token *op = next(p);
    int b = parse_sum(p);
    if (b < 0) return -1;
    if (is_cmp(peek(p)))
        return perr(p, SPEC, "comparisons cannot be chained: '%.*s' at "
                    "position %zu follows '%.*s' at position %zu; write "
                    "(a < b) & (b < c)", TOKTEXT(p, peek(p)), peek(p)->pos,
                    TOKTEXT(p, op), op->pos);
    return mk_cmp(p, a, b, op);
}

static int parse_not(parser *p)
{
    if (!peek_op(p, O_NOT)) return parse_cmp(p);
    const token *op = next(p);
    if (++p->depth > MAX_DEPTH)
        return perr(p, SPEC, "expression nested too deeply at position %zu",
                    op->pos);
    int a = parse_not(p);
    p->depth--;
    return a < 0 ? -1 : mk_unary(p, N_NOT, a, op);
}

static int parse_and(parser *p)
{
    int a = parse_not(p);
    while (a >= 0 && peek_op(p, O_AND)) {
        const token *op = next(p);
        int b = parse_not(p);
        if (b < 0) return -1;
        a = mk_binary(p, N_AND, a, b, op);
    }
    return a;
}

static int parse_or(parser *p)
{
    int a = parse_and(p);
    while (a >= 0 && peek_op(p, O_OR)) {
        const token *op = next(p);
        int b = parse_and(p);
        if (b < 0) return -1;
        a = mk_binary(p, N_OR, a, b, op);
    }
    return a;
}

/* The whole expression: it must end there and be a condition. */
static int parse_top(parser *p)
{
    int k = parse_or(p);
    if (k < 0) return -1;
    const token *tk = peek(p);
    if (tk->kind == T_RP)
        return perr(p, SPEC, "unexpected ')' at position %zu (no matching '(')",
                    tk->pos);
    if (tk->kind != T_END)
        return perr(p, SPEC, "unexpected '%.*s' at position %zu (missing "
                    "operator?)", TOKTEXT(p, tk), tk->pos);
    /* a chain a & b & c ... is a left-deep tree: bound its height, as the
     * evaluator recurses (children always precede their parents) */
    for (size_t j = 0; j < p->nnode; j++) {
        node *x = &p->nodes[j];
        int ha = x->a >= 0 ? p->nodes[x->a].height : 0;
        int hb = x->b >= 0 ? p->nodes[x->b].height : 0;
        x->height = 1 + (ha > hb ? ha : hb);
    }
    if (p->nodes[k].height > MAX_HEIGHT)
        return perr(p, SPEC, "expression too long (more than %d operations "
                    "deep)", MAX_HEIGHT);
    const node *d = &p->nodes[k];
    if (d->type == V_LGL) return k;
    if (d->kind == N_COLNUM)
        return perr(p, SPEC, "'%s' is a number, not a condition: write for "
                    "example %s == 1 or %s != 0", d->col->name, d->col->name,
                    d->col->name);
    char what[120];
    describe(p, k, what, sizeof what);
    return perr(p, SPEC, "the expression must be a condition (a comparison, "
                "is.na() or %%in%%), not %s", what);
}

/* ---------------------------------------------------------- evaluator */

/* Values of node k for rows off..off+n-1: a pointer into the column or the
 * node's buffer. */
static const double *eval(const parser *p, int k, size_t off, size_t n)
{
    const node *d = &p->nodes[k];
    double *r = d->buf;
    const double *x = NULL, *y = NULL;
    if (d->kind == N_COLNUM) return d->col->num + off;
    if (d->kind == N_CONST) return r;    /* filled once */
    if (d->a >= 0 && d->kind != N_ISNA) x = eval(p, d->a, off, n);
    if (d->b >= 0) y = eval(p, d->b, off, n);
    switch (d->kind) {
    case N_NEG:
        for (size_t i = 0; i < n; i++) r[i] = -x[i];
        break;
    case N_NOT:
        for (size_t i = 0; i < n; i++) r[i] = isnan(x[i]) ? DNAN : x[i] == 0;
        break;
    case N_ARITH:
        /* NaN propagates through + - * /; pow() follows R: 1^NA = NA^0 = 1 */
        switch (d->op) {
        case O_ADD: for (size_t i = 0; i < n; i++) r[i] = x[i] + y[i]; break;
        case O_SUB: for (size_t i = 0; i < n; i++) r[i] = x[i] - y[i]; break;
        case O_MUL: for (size_t i = 0; i < n; i++) r[i] = x[i] * y[i]; break;
        case O_DIV: for (size_t i = 0; i < n; i++) r[i] = x[i] / y[i]; break;
        default: for (size_t i = 0; i < n; i++) r[i] = pow(x[i], y[i]); break;
        }
        break;
    case N_AND:
        /* FALSE wins over NA, NA over TRUE */
        for (size_t i = 0; i < n; i++)
            r[i] = (x[i] == 0 || y[i] == 0) ? 0
                 : (isnan(x[i]) || isnan(y[i])) ? DNAN : 1;
        break;
    case N_OR:
        /* TRUE wins over NA, NA over FALSE */
        for (size_t i = 0; i < n; i++)
            r[i] = ((!isnan(x[i]) && x[i] != 0) || (!isnan(y[i]) && y[i] != 0))
                 ? 1 : (isnan(x[i]) || isnan(y[i])) ? DNAN : 0;
        break;
    case N_CMP:
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i]) || isnan(y[i])) { r[i] = NAN; continue; }
            r[i] = cmp_holds(d->op, (x[i] > y[i]) - (x[i] < y[i]));
        }
        break;
    case N_STRLUT: {
        const int32_t *c = d->col->code + off;
        for (size_t i = 0; i < n; i++) r[i] = c[i] < 0 ? d->in_na : (double)d->lut[c[i]];
        break;
    }
    case N_STRSTR: {
        const int32_t *ca = d->col->code + off, *cb = d->col2->code + off;
        for (size_t i = 0; i < n; i++)
            r[i] = (ca[i] < 0 || cb[i] < 0) ? DNAN
                 : cmp_holds(d->op, strcmp(d->col->levels[ca[i]],
                                           d->col2->levels[cb[i]]));
        break;
    }
    case N_INNUM:
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i])) { r[i] = d->in_na; continue; }
            int found = d->nset > 0 &&
                bsearch(&x[i], d->set, d->nset, sizeof *d->set, cmp_double);
            r[i] = found != d->negate;
        }
        break;
    case N_ISNA: {
        const node *c = &p->nodes[d->a];
        if (c->kind == N_COLSTR) {
            const int32_t *code = c->col->code + off;
            for (size_t i = 0; i < n; i++) r[i] = code[i] < 0;
        } else {
            x = eval(p, d->a, off, n);
            for (size_t i = 0; i < n; i++) r[i] = isnan(x[i]) != 0;
        }
        break;
    }
    default:
        break;
    }
    return r;
}

/* Buffers for every node that computes values; constants filled once. */
static int alloc_buffers(parser *p, size_t chunk, double **block)
{
    size_t nbuf = 0;
    for (size_t k = 0; k < p->nnode; k++) {
        int kind = p->nodes[k].kind;
        nbuf += kind != N_COLNUM && kind != N_COLSTR && kind != N_STRLIT &&
                kind != N_SET;
    }
    if (!(*block = df_malloc(nbuf ? nbuf * chunk : 1, sizeof **block)))
        return perr(p, DYADFIT_ERR_SYSTEM, "out of memory");
    nbuf = 0;
    for (size_t k = 0; k < p->nnode; k++) {
        node *d = &p->nodes[k];
        if (d->kind == N_COLNUM || d->kind == N_COLSTR || d->kind == N_STRLIT ||
            d->kind == N_SET)
            continue;
        d->buf = *block + nbuf++ * chunk;
        if (d->kind == N_CONST)
            for (size_t i = 0; i < chunk; i++) d->buf[i] = d->num;
    }
    return 0;
}

int df_filter_rows(const dyadfit_table *t, const char *expr,
                   unsigned char *keep, size_t *nkept, dyadfit_error *err)
{
    parser P;
    double *block = NULL;
    int rc = SPEC;
    size_t kept = 0;
    memset(&P, 0, sizeof P);
    P.t = t;
    P.src = expr ? expr : "";
    P.err = err;
    if (nkept) *nkept = 0;
    if (!t || !expr || (!keep && t->nrow > 0)) {
        df_error(err, DYADFIT_ERR_USAGE, "df_filter_rows: NULL argument");
        rc = DYADFIT_ERR_USAGE;
        goto cleanup;
    }
    if (tokenize(&P)) goto fail;
    int root = parse_top(&P);
    if (root < 0) goto fail;
    size_t chunk = t->nrow < CHUNK ? (t->nrow ? t->nrow : 1) : CHUNK;
    if (alloc_buffers(&P, chunk, &block)) goto fail;
    for (size_t off = 0; off < t->nrow; off += chunk) {
        size_t n = t->nrow - off < chunk ? t->nrow - off : chunk;
        const double *r = eval(&P, root, off, n);
        for (size_t i = 0; i < n; i++) {
            /* only TRUE keeps a row: NaN != 0 is true, hence the isnan */
            keep[off + i] = !isnan(r[i]) && r[i] != 0;
            kept += keep[off + i];
        }
    }
    if (nkept) *nkept = kept;
    rc = DYADFIT_OK;
    goto cleanup;
fail:
    rc = P.code ? P.code : SPEC;
cleanup:
    for (size_t i = 0; i < P.ntok; i++) free(P.tok[i].str);
    free(P.tok);
    for (size_t k = 0; k < P.nnode; k++) {
        free(P.nodes[k].set);
        free(P.nodes[k].sset);
        free(P.nodes[k].spos);
        free(P.nodes[k].lut);
    }
    free(P.nodes);
    free(block);
    return rc;
}
