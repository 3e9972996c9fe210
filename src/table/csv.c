/*
 * csv.c -- comma-separated files (RFC 4180).
 *
 * One header row; fields separated by commas; a field in double quotes may
 * hold commas, newlines and doubled quotes (""). Lines end in LF, CRLF or a
 * lone CR; the last line may lack one; a UTF-8 byte-order mark is skipped;
 * blank lines are skipped (as R's read.csv does). "", NA and "." are missing
 * in every column. A file holding a NUL byte is refused (UTF-16, binary).
 *
 * A column is numeric when every non-missing field parses completely as a
 * number (surrounding blanks allowed); "NaN" counts as missing there, and an
 * infinite value is an error since no model can use it. Any other column is
 * a string column, dictionary-encoded with levels in order of appearance.
 *
 * The file is memory-mapped and read in two passes: the first checks the
 * structure (quotes, fields per row) and counts rows, the second converts.
 * A column that turns out to be a string only after numbers were seen in it
 * ("1,2,abc") needs a third pass over that column; no cell is ever
 * allocated on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "table.h"
#include "../util/util.h"


/* ------------------------------------------------------------- tokenizer */

typedef struct {
    const char *p, *end;
    size_t line;          /* 1-based line of p */
    const char *path;
    dyadfit_error *err;
} csv_cur;

typedef struct {
    const char *s;
    size_t len;
    int esc;              /* holds "" pairs still to collapse */
} csv_field;

/* Consumes a line ending at c->p if there is one; returns 1 if it did. */
static int eat_newline(csv_cur *c)
{
    if (c->p < c->end && *c->p == '\n') {
        c->p++;
    } else if (c->p < c->end && *c->p == '\r') {
        c->p++;
        if (c->p < c->end && *c->p == '\n') c->p++;
    } else {
        return 0;
    }
    c->line++;
    return 1;
}

/* Skips blank lines; 1 when a record starts at c->p, 0 at the end. */
static int record_start(csv_cur *c)
{
    while (eat_newline(c)) {}
    return c->p < c->end;
}

/* Reads one field. Returns 1 when the record goes on (a comma followed),
 * 0 when this was its last field, -1 on a malformed field (err set). */
static int next_field(csv_cur *c, csv_field *f)
{
    const char *p = c->p, *end = c->end;
    f->esc = 0;
    if (p < end && *p == '"') {
        size_t line0 = c->line;
        const char *s = ++p;
        for (;;) {
            while (p < end && *p != '"') {
                if (*p == '\n') c->line++;
                p++;
            }
            if (p == end) {
                df_error(c->err, DYADFIT_ERR_DATA,
                         "%s line %zu: a quoted field is never closed",
                         c->path, line0);
                return -1;
            }
            if (p + 1 < end && p[1] == '"') { /* "" inside quotes */
                f->esc = 1;
                p += 2;
                continue;
            }
            break;
        }
        f->s = s;
        f->len = (size_t)(p - s);
        p++; /* closing quote */
        c->p = p;
        if (p == end || eat_newline(c)) return 0;
        if (*p == ',') {
            c->p = p + 1;
            return 1;
        }
        df_error(c->err, DYADFIT_ERR_DATA,
                 "%s line %zu: unexpected text after a closing quote",
                 c->path, c->line);
        return -1;
    }
    const char *s = p;
    while (p < end && *p != ',' && *p != '\n' && *p != '\r') p++;
    f->s = s;
    f->len = (size_t)(p - s);
    c->p = p;
    if (p < end && *p == ',') {
        c->p = p + 1;
        return 1;
    }
    eat_newline(c);
    return 0;
}

/* The field's text with "" collapsed; points into the map when nothing needs
 * collapsing, else into *buf (grown as needed, never per cell). */
static int field_text(const csv_field *f, char **buf, size_t *cap,
                      const char **s, size_t *len)
{
    if (!f->esc) {
        *s = f->s;
        *len = f->len;
        return 0;
    }
    if (f->len + 1 > *cap) {
        size_t n = 2 * (f->len + 1);
        char *b = realloc(*buf, n);
        if (!b) return -1;
        *buf = b;
        *cap = n;
    }
    size_t k = 0;
    for (size_t i = 0; i < f->len; i++) {
        (*buf)[k++] = f->s[i];
        if (f->s[i] == '"') i++; /* skip the second quote of a pair */
    }
    (*buf)[k] = '\0';
    *s = *buf;
    *len = k;
    return 0;
}

static int is_missing_token(const char *s, size_t len)
{
    return len == 0 || (len == 1 && s[0] == '.') ||
           (len == 2 && s[0] == 'N' && s[1] == 'A');
}

/* 1 when s[0..len) is a number (blanks around allowed), stored in *d. */
static int parse_number(const char *s, size_t len, double *d)
{
    char buf[128];
    char *e;
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (len == 0 || len >= sizeof buf) return 0;

    /* Fast path for [-+]digits[.digits] with at most 15 significant digits
     * and 22 decimals (Clinger 1990): the digits form an integer m < 2^53
     * and 10^k (k <= 22) is exact, so the one correctly rounded division
     * m / 10^k equals what strtod returns, at a fraction of its cost. */
    static const double pow10[23] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0, ndig = 0, nsig = 0, frac = 0;
    int neg = 0, dot = 0;
    uint64_t m = 0;
    if (s[0] == '-' || s[0] == '+') neg = s[i++] == '-';
    for (; i < len && nsig <= 15; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            m = 10 * m + (uint64_t)(ch - '0');
            ndig++;
            nsig += m != 0;
            frac += dot;
        } else if (ch == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (i == len && ndig > 0 && nsig <= 15 && frac <= 22) {
        double v = (double)m / pow10[frac];
        *d = neg ? -v : v;
        return 1;
    }

    memcpy(buf, s, len);
    buf[len] = '\0';
    *d = strtod(buf, &e);
    return e == buf + len;
}

/* ------------------------------------------------------------- the reader */

enum { COL_NUMERIC, COL_STRING, COL_PENDING };

typedef struct {
    int state;
    size_t nseen;         /* non-missing fields seen while numeric */
    size_t inf_line;      /* first line with an infinite value, or 0 */
    char inf_text[32];
    df_strdict *dict;
} csv_colx;

typedef struct {
    const char *path;
    dyadfit_error *err;
    const char *map;
    size_t size;
    const char *body;     /* first byte after the header */
    size_t body_line;
    size_t nfield;        /* fields per record */
    size_t *colof;        /* field index -> column index or (size_t)-1 */
    csv_colx *x;          /* per column */
    char *buf;
    size_t bufcap;
} csv_ctx;

#define NOCOL ((size_t)-1)

/* Reads the header into the table's column names. */
static int read_header(csv_ctx *k, csv_cur *c, const dyadfit_read_opts *opts,
                       dyadfit_table *t)
{
    int rc = DYADFIT_OK, r;
    csv_field f;
    df_column names;       /* distinct names as the levels of a scratch column */
    df_strdict *seen = NULL;
    size_t *first = NULL, nfirst = 0; /* field where each name first came */

    memset(&names, 0, sizeof names);
    if (!record_start(c)) {
        rc = df_error(k->err, DYADFIT_ERR_DATA, "%s: no header row", k->path);
        goto cleanup;
    }
    size_t line0 = c->line;
    if (!(seen = df_strdict_new(&names))) goto oom;
    do {
        const char *s;
        size_t len;
        if ((r = next_field(c, &f)) < 0) {
            rc = DYADFIT_ERR_DATA;
            goto cleanup;
        }
        if (field_text(&f, &k->buf, &k->bufcap, &s, &len) != 0) goto oom;
        size_t j = k->nfield++;
        if (len == 0) {
            rc = df_error(k->err, DYADFIT_ERR_DATA,
                          "%s line %zu: column %zu of the header has no name",
                          k->path, line0, j + 1);
            goto cleanup;
        }
        size_t before = names.nlevels;
        int32_t code = df_strdict_code(seen, s, len);
        if (code < 0) goto oom;
        if ((size_t)code < before) {
            rc = df_error(k->err, DYADFIT_ERR_DATA,
                          "%s line %zu: duplicate column name '%s' (columns %zu "
                          "and %zu)", k->path, line0, names.levels[code],
                          first[code] + 1, j + 1);
            goto cleanup;
        }
        size_t *p = df_realloc(first, nfirst + 1, sizeof *p);
        if (!p) goto oom;
        first = p;
        first[nfirst++] = j;
    } while (r == 1);

    /* which fields become columns */
    if (!(k->colof = df_malloc(k->nfield, sizeof *k->colof))) goto oom;
    size_t ncol = 0;
    for (size_t j = 0; j < k->nfield; j++) {
        int keep = !opts || !opts->nvariables;
        for (size_t v = 0; !keep && v < opts->nvariables; v++)
            keep = opts->variables[v] &&
                   strcmp(opts->variables[v], names.levels[j]) == 0;
        k->colof[j] = keep ? ncol++ : NOCOL;
    }
    if (opts)
        for (size_t v = 0; v < opts->nvariables; v++) {
            size_t j = 0;
            while (j < k->nfield && !(opts->variables[v] &&
                                      strcmp(opts->variables[v], names.levels[j]) == 0))
                j++;
            if (j == k->nfield) {
                rc = df_error(k->err, DYADFIT_ERR_DATA,
                              "variable '%s' is not in '%s'",
                              opts->variables[v] ? opts->variables[v] : "(null)",
                              k->path);
                goto cleanup;
            }
        }
    if (!(t->cols = df_calloc(ncol, sizeof *t->cols)) ||
        !(k->x = df_calloc(ncol, sizeof *k->x)))
        goto oom;
    for (size_t j = 0; j < k->nfield; j++) {
        if (k->colof[j] == NOCOL) continue;
        t->cols[t->ncol].name = names.levels[j];
        names.levels[j] = NULL; /* moved into the table */
        t->cols[t->ncol].type = DF_COL_NUMERIC;
        t->cols[t->ncol].storage = DF_STORE_DOUBLE;
        t->ncol++;
    }
    k->body = c->p;
    k->body_line = c->line;
    goto cleanup;

oom:
    rc = df_error(k->err, DYADFIT_ERR_SYSTEM, "out of memory reading '%s'", k->path);
cleanup:
    df_strdict_free(seen);
    for (size_t l = 0; l < names.nlevels; l++) free(names.levels[l]);
    free(names.levels);
    free(first);
    return rc;
}

/* Pass 1: structure and row count. */
static int count_rows(csv_ctx *k, size_t *nrow)
{
    csv_cur c = {k->body, k->map + k->size, k->body_line, k->path, k->err};
    csv_field f;
    size_t n = 0;
    while (record_start(&c)) {
        size_t line0 = c.line, nf = 0;
        if (n && n % DF_PROGRESS_ROWS == 0) df_progress("scanning", (double)n, 0, k->path);
        int r;
        do {
            if ((r = next_field(&c, &f)) < 0) return DYADFIT_ERR_DATA;
            nf++;
        } while (r == 1);
        if (nf != k->nfield)
            return df_error(k->err, DYADFIT_ERR_DATA,
                            "%s line %zu: %zu field%s, header has %zu", k->path,
                            line0, nf, nf == 1 ? "" : "s", k->nfield);
        n++;
    }
    *nrow = n;
    return DYADFIT_OK;
}

/* Turns column j into a string column from row i on (earlier rows must all
 * be missing). */
static int to_string(csv_colx *x, df_column *col, size_t nrow, size_t i)
{
    free(col->num);
    free(col->miss);
    col->num = NULL;
    col->miss = NULL;
    col->type = DF_COL_STRING;
    col->storage = DF_STORE_STRING;
    if (!(col->code = df_malloc(nrow ? nrow : 1, sizeof *col->code)) ||
        !(x->dict = df_strdict_new(col)))
        return -1;
    for (size_t r = 0; r < i; r++) col->code[r] = -1;
    x->state = COL_STRING;
    return 0;
}

static int put_string(csv_ctx *k, csv_colx *x, df_column *col, size_t i,
                      const char *s, size_t len)
{
    int32_t code = is_missing_token(s, len) ? -1 : df_strdict_code(x->dict, s, len);
    if (code == -2)
        return df_error(k->err, DYADFIT_ERR_SYSTEM, "out of memory reading '%s'",
                        k->path);
    if (code < -1)
        return df_error(k->err, DYADFIT_ERR_DATA,
                        "%s: too many distinct values in column '%s'", k->path,
                        col->name);
    col->code[i] = code;
    return DYADFIT_OK;
}

/* Pass 2 (pending == 0): converts every column. Pass 3 (pending == 1):
 * encodes only the columns left pending as strings. */
static int fill(csv_ctx *k, dyadfit_table *t, int pending)
{
    csv_cur c = {k->body, k->map + k->size, k->body_line, k->path, k->err};
    csv_field f;
    size_t i = 0;
    int rc;
    while (record_start(&c)) {
        size_t line0 = c.line;
        int r;
        if (!pending && i && i % DF_PROGRESS_ROWS == 0)
            df_progress("reading", (double)i, (double)t->nrow, k->path);
        for (size_t fj = 0; fj < k->nfield; fj++) {
            if ((r = next_field(&c, &f)) < 0) return DYADFIT_ERR_DATA;
            size_t j = k->colof[fj];
            if (j == NOCOL) continue;
            csv_colx *x = &k->x[j];
            df_column *col = &t->cols[j];
            if (pending ? x->state != COL_STRING || !x->dict : x->state == COL_PENDING)
                continue;
            const char *s;
            size_t len;
            if (field_text(&f, &k->buf, &k->bufcap, &s, &len) != 0)
                return df_error(k->err, DYADFIT_ERR_SYSTEM, "out of memory");
            if (x->state == COL_STRING) {
                if ((rc = put_string(k, x, col, i, s, len)) != DYADFIT_OK) return rc;
                continue;
            }
            double d;
            int miss = is_missing_token(s, len);
            if (!miss && !parse_number(s, len, &d)) {
                if (x->nseen == 0) {
                    if (to_string(x, col, t->nrow, i) != 0)
                        return df_error(k->err, DYADFIT_ERR_SYSTEM, "out of memory");
                    if ((rc = put_string(k, x, col, i, s, len)) != DYADFIT_OK)
                        return rc;
                } else {
                    /* numbers came before: redo the column in pass 3 */
                    free(col->num);
                    free(col->miss);
                    col->num = NULL;
                    col->miss = NULL;
                    x->state = COL_PENDING;
                }
                continue;
            }
            if (!miss) {
                x->nseen++;
                if (isnan(d)) miss = 1;
                else if (isinf(d) && !x->inf_line) {
                    x->inf_line = line0;
                    snprintf(x->inf_text, sizeof x->inf_text, "%.*s",
                             (int)(len < 31 ? len : 31), s);
                }
            }
            if (miss) {
                if (!col->miss && !(col->miss = df_calloc(t->nrow, 1)))
                    return df_error(k->err, DYADFIT_ERR_SYSTEM, "out of memory");
                col->miss[i] = DF_MISS_SYSTEM;
                d = NAN;
            }
            col->num[i] = d;
        }
        i++;
    }
    return DYADFIT_OK;
}

int df_read_csv(const char *path, const dyadfit_read_opts *opts,
                dyadfit_table *t, dyadfit_error *err)
{
    int rc = DYADFIT_OK, fd = -1;
    struct stat st;
    void *m = MAP_FAILED;
    csv_ctx k;
    size_t nrow = 0;

    memset(&k, 0, sizeof k);
    k.path = path;
    k.err = err;
    if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
        rc = df_error(err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path,
                      strerror(errno));
        goto cleanup;
    }
    if (st.st_size == 0) {
        rc = df_error(err, DYADFIT_ERR_DATA, "cannot read '%s': the file is empty",
                      path);
        goto cleanup;
    }
    k.size = (size_t)st.st_size;
    if ((m = mmap(NULL, k.size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
        rc = df_error(err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path,
                      strerror(errno));
        goto cleanup;
    }
    k.map = m;
    (void)posix_madvise(m, k.size, POSIX_MADV_SEQUENTIAL);

    /* A NUL byte would cut a name or a string level short of its field (a
     * level "a\0b" would read back as "a", one starting with NUL as "",
     * which counts as missing everywhere else). Text files have none,
     * UTF-16 ones are full of them: refuse them. One memchr is cheap. */
    const char *nul = memchr(k.map, '\0', k.size);
    if (nul) {
        size_t line = 1;
        for (const char *q = k.map; q < nul; q++) line += *q == '\n';
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "%s line %zu: NUL byte in the file (not a text file, or "
                      "UTF-16; save the CSV as UTF-8)", path, line);
        goto cleanup;
    }

    csv_cur c = {k.map, k.map + k.size, 1, path, err};
    if (k.size >= 3 && memcmp(c.p, "\xef\xbb\xbf", 3) == 0) c.p += 3;
    if ((rc = read_header(&k, &c, opts, t)) != DYADFIT_OK) goto cleanup;
    if ((rc = count_rows(&k, &nrow)) != DYADFIT_OK) goto cleanup;
    t->nrow = nrow;
    for (size_t j = 0; j < t->ncol; j++)
        if (!(t->cols[j].num = df_malloc(nrow ? nrow : 1, sizeof(double)))) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory reading '%s'", path);
            goto cleanup;
        }
    if ((rc = fill(&k, t, 0)) != DYADFIT_OK) goto cleanup;

    int any_pending = 0;
    for (size_t j = 0; j < t->ncol; j++)
        if (k.x[j].state == COL_PENDING) {
            if (to_string(&k.x[j], &t->cols[j], nrow, 0) != 0) {
                rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
                goto cleanup;
            }
            k.x[j].state = COL_STRING;
            any_pending = 1;
        } else if (k.x[j].state == COL_STRING) {
            /* already complete: keep pass 3 away from it */
            df_strdict_free(k.x[j].dict);
            k.x[j].dict = NULL;
        }
    if (any_pending && (rc = fill(&k, t, 1)) != DYADFIT_OK) goto cleanup;

    for (size_t j = 0; j < t->ncol; j++)
        if (t->cols[j].type == DF_COL_NUMERIC && k.x[j].inf_line) {
            rc = df_error(err, DYADFIT_ERR_DATA,
                          "%s line %zu, column '%s': infinite value '%s' "
                          "cannot be used", path, k.x[j].inf_line,
                          t->cols[j].name, k.x[j].inf_text);
            goto cleanup;
        }

cleanup:
    if (k.x)
        for (size_t j = 0; j < t->ncol; j++) df_strdict_free(k.x[j].dict);
    free(k.x);
    free(k.colof);
    free(k.buf);
    if (m != MAP_FAILED) munmap(m, k.size);
    if (fd >= 0) close(fd);
    return rc;
}
