/*
 * readstat.c -- Stata, SPSS and SAS files through libreadstat (1.1.8).
 *
 * ReadStat parses and calls us back: once with the metadata, once per
 * variable, once per cell, once per value label. We keep the columns being
 * filled in a context and attach value labels at the end (Stata files store
 * them after the data).
 *
 * Speed: ReadStat's default I/O makes one read() system call per row; ours
 * serves reads from a memory map of the file. The per-cell callback is kept
 * lean: no allocation, no library calls for plain values, strings looked up
 * in a hash. Variables the caller did not ask for are skipped inside
 * ReadStat (READSTAT_HANDLER_SKIP_VARIABLE).
 *
 * Traps: Debian's 1.1.8 crashes when a value handler is set without a
 * variable handler, so both (and the metadata handler) are always set;
 * readstat_error_message(READSTAT_OK) is NULL.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readstat.h>
#include "table.h"
#include "../util/util.h"


#define SKIPPED ((size_t)-1)

/* ------------------------------------------------- I/O over a memory map */

typedef struct {
    int fd;
    const unsigned char *map;
    size_t size;
    size_t pos;
} rs_io;

static int io_open(const char *path, void *vio)
{
    rs_io *io = vio;
    struct stat st;
    io->fd = open(path, O_RDONLY);
    if (io->fd < 0) return -1;
    if (fstat(io->fd, &st) != 0 || st.st_size <= 0) goto fail;
    io->size = (size_t)st.st_size;
    io->pos = 0;
    void *m = mmap(NULL, io->size, PROT_READ, MAP_PRIVATE, io->fd, 0);
    if (m == MAP_FAILED) goto fail;
    io->map = m;
    (void)posix_madvise(m, io->size, POSIX_MADV_SEQUENTIAL);
    return 0;
fail:
    close(io->fd);
    io->fd = -1;
    return -1;
}

static int io_close(void *vio)
{
    rs_io *io = vio;
    if (io->map) munmap((void *)io->map, io->size);
    if (io->fd >= 0) close(io->fd);
    io->map = NULL;
    io->fd = -1;
    return 0;
}

static readstat_off_t io_seek(readstat_off_t off, readstat_io_flags_t whence,
                              void *vio)
{
    rs_io *io = vio;
    readstat_off_t base = whence == READSTAT_SEEK_SET   ? 0
                          : whence == READSTAT_SEEK_CUR ? (readstat_off_t)io->pos
                                                        : (readstat_off_t)io->size;
    readstat_off_t np = base + off;
    if (np < 0 || (size_t)np > io->size) return -1;
    io->pos = (size_t)np;
    return np;
}

static ssize_t io_read(void *buf, size_t nbyte, void *vio)
{
    rs_io *io = vio;
    size_t n = io->size - io->pos;
    if (n > nbyte) n = nbyte;
    /* ReadStat 1.1.8 asks for 0 bytes into a NULL buffer on some damaged
     * .dta files (found by fuzzing): memcpy(NULL, ..., 0) is undefined. */
    if (n == 0) return 0;
    memcpy(buf, io->map + io->pos, n);
    io->pos += n;
    return (ssize_t)n;
}

static readstat_error_t io_update(long file_size, readstat_progress_handler ph,
                                  void *user_ctx, void *vio)
{
    rs_io *io = vio;
    if (ph && file_size > 0 &&
        ph((double)io->pos / (double)file_size, user_ctx) != READSTAT_HANDLER_OK)
        return READSTAT_ERROR_USER_ABORT;
    return READSTAT_OK;
}

/* ------------------------------------------------------- parse context */

typedef struct {
    char *name;
    df_value_label *v;
    size_t n, cap;
} rs_labelset;

typedef struct {
    df_strdict *dict;   /* string columns */
    char *labelset;     /* numeric columns with value labels */
    int user_missing;   /* SPSS missing values/ranges defined */
} rs_colx;

typedef struct {
    const char *path, *kind;
    const dyadfit_read_opts *opts;
    dyadfit_table *t;
    dyadfit_error *err;
    int failed;          /* err already set by a callback */
    char detail[256];    /* first message from ReadStat's error handler */

    int64_t meta_rows;   /* rows promised by the header, -1 unknown */
    int version;         /* file format version from the header, 0 unknown */
    size_t hint;         /* rows to allocate first */
    size_t file_size;
    size_t cap;          /* rows allocated in every column */
    size_t row;          /* current row */
    size_t last_j;       /* column of the previous cell, SKIPPED at start */
    size_t progress_at;  /* row count of the next progress report */

    size_t *map;         /* variable index -> column index or SKIPPED */
    size_t nmap;
    size_t colcap;
    rs_colx *x;          /* parallel to t->cols */
    unsigned char *found;/* per requested variable */

    rs_labelset *sets;
    size_t nsets, setcap;
    rs_labelset *lastset;
    df_prefault *pf;     /* backs the columns ahead of the parse */
} rs_ctx;

static int fail(rs_ctx *c, int code, const char *msg, const char *what)
{
    df_error(c->err, code, "cannot read '%s' as %s data: %s%s", c->path,
             c->kind, msg, what ? what : "");
    c->failed = 1;
    return READSTAT_HANDLER_ABORT;
}

static int on_metadata(readstat_metadata_t *md, void *vctx)
{
    rs_ctx *c = vctx;
    c->meta_rows = md->row_count;
    c->version = readstat_get_file_format_version(md);
    /* A corrupt header can promise any number of rows: believe it only up to
     * one row per byte of file and grow beyond that. */
    if (md->row_count > 0)
        c->hint = (uint64_t)md->row_count < c->file_size ? (size_t)md->row_count
                                                         : c->file_size;
    if (md->var_count > 0 && (uint64_t)md->var_count < c->file_size &&
        (size_t)md->var_count > c->nmap) {
        size_t n = (size_t)md->var_count;
        size_t *m = df_realloc(c->map, n, sizeof *m);
        if (!m) return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
        for (size_t i = c->nmap; i < n; i++) m[i] = SKIPPED;
        c->map = m;
        c->nmap = n;
    }
    return READSTAT_HANDLER_OK;
}

static int wanted(rs_ctx *c, const char *name)
{
    const dyadfit_read_opts *o = c->opts;
    if (!o || !o->nvariables) return 1;
    int hit = 0;
    for (size_t k = 0; k < o->nvariables; k++)
        if (o->variables[k] && strcmp(o->variables[k], name) == 0) {
            c->found[k] = 1;
            hit = 1;
        }
    return hit;
}

static df_storage storage_of(readstat_type_t type)
{
    switch (type) {
    case READSTAT_TYPE_INT8: return DF_STORE_INT8;
    case READSTAT_TYPE_INT16: return DF_STORE_INT16;
    case READSTAT_TYPE_INT32: return DF_STORE_INT32;
    case READSTAT_TYPE_FLOAT: return DF_STORE_FLOAT;
    case READSTAT_TYPE_DOUBLE: return DF_STORE_DOUBLE;
    default: return DF_STORE_STRING;
    }
}

/* Copy of at most max bytes of s, NUL-terminated; NULL when out of memory. */
static char *strdup_max(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Longest value-label set name the variable handler may be given. ReadStat
 * 1.1.8 hands Stata's names over as pointers into its lbllist buffer, a
 * fixed-width field that is not NUL-terminated when the name fills it (found
 * by fuzzing: strlen ran off the end of the buffer; later ReadStat versions
 * copy with strnlen). Field widths from Stata's dta specification: 9 bytes
 * before format 110, 33 up to 117, 129 from 118. Other formats make their
 * own terminated names. */
static size_t labelset_max(const rs_ctx *c)
{
    if (strcmp(c->kind, "Stata") != 0) return SIZE_MAX;
    if (c->version < 110) return 9;
    if (c->version < 118) return 33;
    return 129;
}

static int on_variable(int index, readstat_variable_t *v, const char *vlabels,
                       void *vctx)
{
    rs_ctx *c = vctx;
    dyadfit_table *t = c->t;
    const char *name = readstat_variable_get_name(v);
    if (index < 0) return fail(c, DYADFIT_ERR_DATA, "bad variable index", NULL);
    size_t idx = (size_t)index;
    if (idx >= c->nmap) {
        size_t n = idx + 1 > 2 * c->nmap ? idx + 1 : 2 * c->nmap;
        size_t *m = df_realloc(c->map, n, sizeof *m);
        if (!m) return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
        for (size_t i = c->nmap; i < n; i++) m[i] = SKIPPED;
        c->map = m;
        c->nmap = n;
    }
    if (!name || !*name)
        return fail(c, DYADFIT_ERR_DATA, "a variable has no name", NULL);
    if (!wanted(c, name)) {
        c->map[idx] = SKIPPED;
        return READSTAT_HANDLER_SKIP_VARIABLE;
    }
    if (t->ncol == c->colcap) {
        size_t n = c->colcap ? 2 * c->colcap : 16;
        df_column *cols = df_realloc(t->cols, n, sizeof *cols);
        if (!cols) return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
        t->cols = cols;
        rs_colx *x = df_realloc(c->x, n, sizeof *x);
        if (!x) return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
        c->x = x;
        c->colcap = n;
    }
    size_t j = t->ncol;
    df_column *col = &t->cols[j];
    rs_colx *x = &c->x[j];
    memset(col, 0, sizeof *col);
    memset(x, 0, sizeof *x);
    t->ncol++; /* from here the column is freed with the table */
    const char *label = readstat_variable_get_label(v);
    if (!(col->name = df_strdup(name)) ||
        (label && *label && !(col->label = df_strdup(label))))
        return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
    col->storage = storage_of(readstat_variable_get_type(v));
    if (readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING) {
        col->type = DF_COL_STRING;
        col->storage = DF_STORE_STRING;
        if (!(x->dict = df_strdict_new(col)))
            return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
    } else {
        col->type = DF_COL_NUMERIC;
        x->user_missing = readstat_variable_get_missing_ranges_count(v) > 0;
        if (vlabels && *vlabels &&
            !(x->labelset = strdup_max(vlabels, labelset_max(c))))
            return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
    }
    c->map[idx] = j;
    return READSTAT_HANDLER_OK;
}

/* Makes room for row `need` in every column. */
static int grow_rows(rs_ctx *c, size_t need)
{
    dyadfit_table *t = c->t;
    size_t n = c->cap ? 2 * c->cap : (c->hint ? c->hint : 1024);
    if (n <= need) n = need + 1;
    df_prefault_end(c->pf);
    c->pf = NULL;
    for (size_t j = 0; j < t->ncol; j++) {
        df_column *col = &t->cols[j];
        if (col->type == DF_COL_STRING) {
            int32_t *p = df_realloc(col->code, n, sizeof *p);
            if (!p) return -1;
            col->code = p;
        } else {
            double *p = df_realloc(col->num, n, sizeof *p);
            if (!p) return -1;
            col->num = p;
            if (col->miss) {
                uint8_t *m = df_realloc(col->miss, n, 1);
                if (!m) return -1;
                memset(m + c->cap, 0, n - c->cap);
                col->miss = m;
            }
        }
    }
    /* the first allocation holds the rows the header promises: have it
     * backed while the cells arrive */
    if (c->cap == 0 && t->ncol <= 64) {
        void *blocks[64];
        size_t bytes[64];
        for (size_t j = 0; j < t->ncol; j++) {
            df_column *col = &t->cols[j];
            blocks[j] = col->type == DF_COL_STRING ? (void *)col->code : (void *)col->num;
            bytes[j] = n * (col->type == DF_COL_STRING ? sizeof *col->code : sizeof *col->num);
        }
        c->pf = df_prefault_start(blocks, bytes, t->ncol);
    }
    c->cap = n;
    return 0;
}

static uint8_t missing_kind(readstat_value_t val)
{
    char tag = val.tag;
    if (val.is_tagged_missing) {
        if (tag >= 'a' && tag <= 'z') return (uint8_t)(DF_MISS_TAGGED_A + (tag - 'a'));
        if (tag >= 'A' && tag <= 'Z') return (uint8_t)(DF_MISS_TAGGED_A + (tag - 'A'));
    }
    return DF_MISS_SYSTEM;
}

/* A numeric cell as stored in the table: its value (NaN when missing) and
 * its missing kind. */
static inline double cell_number(readstat_value_t val, readstat_variable_t *v,
                                 int user_missing, uint8_t *kind)
{
    double d;
    *kind = DF_PRESENT;
    if (val.is_system_missing || val.is_tagged_missing) {
        *kind = missing_kind(val);
        return NAN;
    }
    switch (val.type) {
    case READSTAT_TYPE_INT8: d = val.v.i8_value; break;
    case READSTAT_TYPE_INT16: d = val.v.i16_value; break;
    case READSTAT_TYPE_INT32: d = val.v.i32_value; break;
    case READSTAT_TYPE_FLOAT: d = val.v.float_value; break;
    case READSTAT_TYPE_DOUBLE: d = val.v.double_value; break;
    default: d = NAN; break;
    }
    if (isnan(d)) *kind = DF_MISS_SYSTEM;
    else if (user_missing && readstat_value_is_defined_missing(val, v))
        *kind = DF_MISS_USER;
    return *kind != DF_PRESENT ? NAN : d;
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t val,
                    void *vctx)
{
    rs_ctx *c = vctx;
    int index = readstat_variable_get_index(v);
    (void)obs; /* an int: we count rows ourselves in size_t */
    if (index < 0 || (size_t)index >= c->nmap || c->map[index] == SKIPPED)
        return fail(c, DYADFIT_ERR_DATA, "value of an unknown variable", NULL);
    size_t j = c->map[index];
    /* Cells arrive row by row in column order: a column index that does not
     * increase starts a new row. */
    if (c->last_j != SKIPPED && j <= c->last_j && ++c->row >= c->progress_at) {
        c->progress_at += DF_PROGRESS_ROWS;
        df_progress("reading", (double)c->row,
                    c->meta_rows > 0 ? (double)c->meta_rows : 0, c->path);
    }
    c->last_j = j;
    size_t i = c->row;
    if (i >= c->cap && grow_rows(c, i) != 0)
        return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
    df_column *col = &c->t->cols[j];

    if (col->type == DF_COL_STRING) {
        const char *s = readstat_string_value(val);
        int32_t code = s ? df_strdict_code(c->x[j].dict, s, strlen(s)) : -1;
        if (code < -1)
            return fail(c, code == -2 ? DYADFIT_ERR_SYSTEM : DYADFIT_ERR_DATA,
                        code == -2 ? "out of memory" : "too many distinct strings in ",
                        code == -2 ? NULL : col->name);
        col->code[i] = code;
        return READSTAT_HANDLER_OK;
    }

    uint8_t kind;
    double d = cell_number(val, v, c->x[j].user_missing, &kind);
    if (kind != DF_PRESENT) {
        if (!col->miss && !(col->miss = df_calloc(c->cap, 1)))
            return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
        col->miss[i] = kind;
    }
    col->num[i] = d;
    return READSTAT_HANDLER_OK;
}

static int on_value_label(const char *setname, readstat_value_t val,
                          const char *label, void *vctx)
{
    rs_ctx *c = vctx;
    if (!setname || !label) return READSTAT_HANDLER_OK;
    /* Only numeric, non-missing keys: a double cannot hold "Stata .a". */
    if (readstat_value_type_class(val) != READSTAT_TYPE_CLASS_NUMERIC ||
        val.is_system_missing || val.is_tagged_missing)
        return READSTAT_HANDLER_OK;
    double key = readstat_double_value(val);
    if (isnan(key)) return READSTAT_HANDLER_OK;

    rs_labelset *s = c->lastset;
    if (!s || strcmp(s->name, setname) != 0) {
        s = NULL;
        for (size_t k = 0; k < c->nsets; k++)
            if (strcmp(c->sets[k].name, setname) == 0) s = &c->sets[k];
        if (!s) {
            if (c->nsets == c->setcap) {
                size_t n = c->setcap ? 2 * c->setcap : 8;
                rs_labelset *p = df_realloc(c->sets, n, sizeof *p);
                if (!p) return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
                c->sets = p;
                c->setcap = n;
            }
            s = &c->sets[c->nsets];
            memset(s, 0, sizeof *s);
            if (!(s->name = df_strdup(setname)))
                return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
            c->nsets++;
        }
        c->lastset = s;
    }
    if (s->n == s->cap) {
        size_t n = s->cap ? 2 * s->cap : 8;
        df_value_label *p = df_realloc(s->v, n, sizeof *p);
        if (!p) return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
        s->v = p;
        s->cap = n;
    }
    if (!(s->v[s->n].label = df_strdup(label)))
        return fail(c, DYADFIT_ERR_SYSTEM, "out of memory", NULL);
    s->v[s->n++].value = key;
    return READSTAT_HANDLER_OK;
}

static void on_error(const char *msg, void *vctx)
{
    rs_ctx *c = vctx;
    if (!msg || c->detail[0]) return;
    snprintf(c->detail, sizeof c->detail, "%s", msg);
    size_t n = strlen(c->detail);
    while (n && (c->detail[n - 1] == '\n' || c->detail[n - 1] == '\r'))
        c->detail[--n] = '\0';
}

/* ------------------------------------------------------------ finishing */

static int cmp_vlabel(const void *a, const void *b)
{
    double x = ((const df_value_label *)a)->value;
    double y = ((const df_value_label *)b)->value;
    return (x > y) - (x < y);
}

/* Gives each labelled numeric column its own sorted copy of its set. */
static int attach_labels(rs_ctx *c)
{
    dyadfit_table *t = c->t;
    for (size_t j = 0; j < t->ncol; j++) {
        df_column *col = &t->cols[j];
        rs_labelset *s = NULL;
        if (!c->x[j].labelset) continue;
        for (size_t k = 0; k < c->nsets && !s; k++)
            if (strcmp(c->sets[k].name, c->x[j].labelset) == 0) s = &c->sets[k];
        if (!s || !s->n) continue;
        if (!(col->vlabels = df_calloc(s->n, sizeof *col->vlabels))) return -1;
        for (size_t l = 0; l < s->n; l++) {
            col->vlabels[l].value = s->v[l].value;
            if (!(col->vlabels[l].label = df_strdup(s->v[l].label))) return -1;
            col->nvlabels = l + 1;
        }
        qsort(col->vlabels, col->nvlabels, sizeof *col->vlabels, cmp_vlabel);
    }
    return 0;
}

/* Sets nrow, trims over-allocation and makes every data array non-NULL. */
static int finish_rows(rs_ctx *c, size_t nrow)
{
    dyadfit_table *t = c->t;
    size_t n = nrow ? nrow : 1;
    for (size_t j = 0; j < t->ncol; j++) {
        df_column *col = &t->cols[j];
        if (col->type == DF_COL_STRING) {
            if (!col->code || c->cap != nrow) {
                int32_t *p = df_realloc(col->code, n, sizeof *p);
                if (!p) return -1;
                col->code = p;
            }
        } else {
            if (!col->num || c->cap != nrow) {
                double *p = df_realloc(col->num, n, sizeof *p);
                if (!p) return -1;
                col->num = p;
            }
            if (col->miss && c->cap != nrow) {
                uint8_t *m = df_realloc(col->miss, n, 1);
                if (!m) return -1;
                col->miss = m;
            }
        }
    }
    t->nrow = nrow;
    return 0;
}

static void ctx_free(rs_ctx *c)
{
    df_prefault_end(c->pf);
    c->pf = NULL;
    if (c->x)
        for (size_t j = 0; j < c->t->ncol; j++) {
            df_strdict_free(c->x[j].dict);
            free(c->x[j].labelset);
        }
    free(c->x);
    free(c->map);
    free(c->found);
    for (size_t k = 0; k < c->nsets; k++) {
        for (size_t l = 0; l < c->sets[k].n; l++) free(c->sets[k].v[l].label);
        free(c->sets[k].v);
        free(c->sets[k].name);
    }
    free(c->sets);
}

/* ------------------------------------------- .dta in two row ranges
 *
 * A large Stata file is parsed by two ReadStat parsers at once, rows
 * [0, h) on the calling thread and [h, N) on a second one, into columns
 * allocated up front: on 2.1M rows x 14 columns the parse (about 18 ns a
 * cell in ReadStat and our callback) was the longest stretch of a logit
 * on one core. A first parse without a value handler gets the variables,
 * the row count and the value labels (ReadStat seeks past the data).
 * Each half keeps its own missing codes, merged at the end. Taken only
 * when the wanted columns need no shared state (a string column has one
 * dictionary); on any problem the plain serial parse runs from the start,
 * so errors read as they always have. */

#define PAR_MIN_ROWS ((int64_t)1 << 17)

enum { PAR_NO, PAR_DONE, PAR_UNDONE };

typedef struct {
    rs_ctx *c;             /* the first parse: map and columns, read only */
    size_t base, count;    /* rows [base, base + count) */
    size_t row, last_j;    /* as in rs_ctx, row counted from base */
    size_t progress_at;    /* 0: no progress reports (second thread) */
    uint8_t **miss;        /* per column: count codes, allocated when needed */
    int failed;
    readstat_error_t rs;
} rs_part;

static int part_metadata(readstat_metadata_t *md, void *vctx)
{
    (void)md;
    (void)vctx;
    return READSTAT_HANDLER_OK;
}

static int part_variable(int index, readstat_variable_t *v, const char *vlabels,
                         void *vctx)
{
    const rs_ctx *c = ((rs_part *)vctx)->c;
    (void)v;
    (void)vlabels;
    return index >= 0 && (size_t)index < c->nmap && c->map[index] != SKIPPED
               ? READSTAT_HANDLER_OK : READSTAT_HANDLER_SKIP_VARIABLE;
}

static void part_error(const char *msg, void *vctx)
{
    (void)msg;
    (void)vctx;
}

/* on_value for one half: numeric columns only, rows already allocated */
static int part_value(int obs, readstat_variable_t *v, readstat_value_t val,
                      void *vctx)
{
    rs_part *p = vctx;
    const rs_ctx *c = p->c;
    int index = readstat_variable_get_index(v);
    (void)obs;
    if (index < 0 || (size_t)index >= c->nmap || c->map[index] == SKIPPED) {
        p->failed = 1;
        return READSTAT_HANDLER_ABORT;
    }
    size_t j = c->map[index];
    if (p->last_j != SKIPPED && j <= p->last_j && ++p->row >= p->progress_at &&
        p->progress_at) {
        p->progress_at += DF_PROGRESS_ROWS;
        /* both halves advance together: this one's rows stand for both */
        df_progress("reading", (double)p->row * (double)c->cap / (double)p->count,
                    (double)c->cap, c->path);
    }
    p->last_j = j;
    if (p->row >= p->count) {
        p->failed = 1;
        return READSTAT_HANDLER_ABORT;
    }
    uint8_t kind;
    double d = cell_number(val, v, c->x[j].user_missing, &kind);
    if (kind != DF_PRESENT) {
        if (!p->miss[j] && !(p->miss[j] = df_calloc(p->count, 1))) {
            p->failed = 1;
            return READSTAT_HANDLER_ABORT;
        }
        p->miss[j][p->row] = kind;
    }
    c->t->cols[j].num[p->base + p->row] = d;
    return READSTAT_HANDLER_OK;
}

static void *part_run(void *arg)
{
    rs_part *p = arg;
    rs_io io = {.fd = -1};
    readstat_parser_t *parser = readstat_parser_init();
    if (!parser) {
        p->failed = 1;
        return NULL;
    }
    readstat_set_metadata_handler(parser, part_metadata);
    readstat_set_variable_handler(parser, part_variable);
    readstat_set_value_handler(parser, part_value);
    readstat_set_error_handler(parser, part_error);
    readstat_set_open_handler(parser, io_open);
    readstat_set_close_handler(parser, io_close);
    readstat_set_seek_handler(parser, io_seek);
    readstat_set_read_handler(parser, io_read);
    readstat_set_update_handler(parser, io_update);
    readstat_set_io_ctx(parser, &io);
    readstat_set_row_offset(parser, (long)p->base);
    readstat_set_row_limit(parser, (long)p->count);
    p->rs = readstat_parse_dta(parser, p->c->path, p);
    io_close(&io);
    readstat_parser_free(parser);
    return NULL;
}

/* The first parse (no values) and, when it allows, the two halves. PAR_NO:
 * not taken, c untouched; PAR_UNDONE: c and the table hold a partial
 * result the caller must discard; PAR_DONE: as after a serial parse. */
static int read_dta_parallel(rs_ctx *c)
{
    dyadfit_table *t = c->t;
    int rc = PAR_UNDONE;
    rs_part part[2];
    memset(part, 0, sizeof part);
    if (df_threads() < 2 || c->file_size < ((size_t)16 << 20)) return PAR_NO;

    readstat_parser_t *parser = readstat_parser_init();
    rs_io io = {.fd = -1};
    if (!parser) return PAR_NO;
    readstat_set_metadata_handler(parser, on_metadata);
    readstat_set_variable_handler(parser, on_variable);
    readstat_set_value_label_handler(parser, on_value_label);
    readstat_set_error_handler(parser, on_error);
    readstat_set_open_handler(parser, io_open);
    readstat_set_close_handler(parser, io_close);
    readstat_set_seek_handler(parser, io_seek);
    readstat_set_read_handler(parser, io_read);
    readstat_set_update_handler(parser, io_update);
    readstat_set_io_ctx(parser, &io);
    readstat_error_t rs = readstat_parse_dta(parser, c->path, c);
    io_close(&io);
    readstat_parser_free(parser);
    /* format 117 and later (Stata 13+: what Stata, haven and dyadfit write);
     * the row offset is exercised by tests on 118 files */
    if (rs != READSTAT_OK || c->failed || c->meta_rows < PAR_MIN_ROWS ||
        c->version < 117 || t->ncol == 0 || (size_t)c->meta_rows != c->hint)
        return PAR_UNDONE;
    for (size_t j = 0; j < t->ncol; j++)
        if (t->cols[j].type != DF_COL_NUMERIC) return PAR_UNDONE;
    if (c->opts)
        for (size_t k = 0; k < c->opts->nvariables; k++)
            if (!c->found[k]) return PAR_UNDONE;

    size_t n = (size_t)c->meta_rows, h = n / 2;
    if (grow_rows(c, n - 1) != 0 || c->cap != n) return PAR_UNDONE;
    df_prefault_end(c->pf);    /* each half touches its own rows */
    c->pf = NULL;
    for (int q = 0; q < 2; q++) {
        part[q].c = c;
        part[q].base = q ? h : 0;
        part[q].count = q ? n - h : h;
        part[q].last_j = SKIPPED;
        part[q].progress_at = q ? 0 : DF_PROGRESS_ROWS;
        if (!(part[q].miss = df_calloc(t->ncol, sizeof *part[q].miss))) goto done;
    }
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, part_run, &part[1]) == 0;
    part_run(&part[0]);
    if (threaded) pthread_join(tid, NULL);
    else part_run(&part[1]);
    for (int q = 0; q < 2; q++)
        if (part[q].failed || part[q].rs != READSTAT_OK ||
            part[q].last_j == SKIPPED || part[q].row + 1 != part[q].count)
            goto done;
    for (size_t j = 0; j < t->ncol; j++) {
        df_column *col = &t->cols[j];
        if (!part[0].miss[j] && !part[1].miss[j]) continue;
        if (!(col->miss = df_calloc(n, 1))) goto done;
        for (int q = 0; q < 2; q++)
            if (part[q].miss[j])
                memcpy(col->miss + part[q].base, part[q].miss[j], part[q].count);
    }
    c->row = n - 1;
    c->last_j = 0;
    rc = PAR_DONE;
done:
    for (int q = 0; q < 2; q++) {
        if (part[q].miss)
            for (size_t j = 0; j < t->ncol; j++) free(part[q].miss[j]);
        free(part[q].miss);
    }
    return rc;
}

/* Back to the state before any parse: no columns, a fresh context. */
static int ctx_reset(rs_ctx *c)
{
    dyadfit_table *t = c->t;
    rs_ctx fresh;
    ctx_free(c);
    for (size_t j = 0; j < t->ncol; j++) df_column_free(&t->cols[j]);
    free(t->cols);
    t->cols = NULL;
    t->ncol = 0;
    memset(&fresh, 0, sizeof fresh);
    fresh.path = c->path;
    fresh.kind = c->kind;
    fresh.opts = c->opts;
    fresh.t = t;
    fresh.err = c->err;
    fresh.meta_rows = -1;
    fresh.last_j = SKIPPED;
    fresh.progress_at = DF_PROGRESS_ROWS;
    fresh.file_size = c->file_size;
    *c = fresh;
    if (c->opts && c->opts->nvariables &&
        !(c->found = df_calloc(c->opts->nvariables, 1)))
        return -1;
    return 0;
}

int df_read_readstat(const char *path, const char *ext,
                     const dyadfit_read_opts *opts, dyadfit_table *t,
                     dyadfit_error *err)
{
    rs_ctx c;
    rs_io io = {.fd = -1};
    readstat_parser_t *parser = NULL;
    readstat_error_t rs = READSTAT_OK;
    readstat_error_t (*parse)(readstat_parser_t *, const char *, void *);
    int rc = DYADFIT_OK;
    struct stat st;

    memset(&c, 0, sizeof c);
    c.path = path;
    c.opts = opts;
    c.t = t;
    c.err = err;
    c.meta_rows = -1;
    c.last_j = SKIPPED;
    c.progress_at = DF_PROGRESS_ROWS;

    if (strcmp(ext, "dta") == 0) { parse = readstat_parse_dta; c.kind = "Stata"; }
    else if (strcmp(ext, "sav") == 0 || strcmp(ext, "zsav") == 0) {
        parse = readstat_parse_sav; c.kind = "SPSS";
    } else if (strcmp(ext, "por") == 0) { parse = readstat_parse_por; c.kind = "SPSS portable"; }
    else if (strcmp(ext, "sas7bdat") == 0) { parse = readstat_parse_sas7bdat; c.kind = "SAS"; }
    else if (strcmp(ext, "xpt") == 0) { parse = readstat_parse_xport; c.kind = "SAS transport"; }
    else return df_error(err, DYADFIT_ERR_DATA,
                         "cannot read '%s': unknown file type '.%s'", path, ext);

    if (stat(path, &st) != 0)
        return df_error(err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path,
                        strerror(errno));
    c.file_size = (size_t)st.st_size;
    if (opts && opts->nvariables &&
        !(c.found = df_calloc(opts->nvariables, 1))) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    int par = parse == readstat_parse_dta ? read_dta_parallel(&c) : PAR_NO;
    if (par == PAR_DONE) goto parsed;
    if (par == PAR_UNDONE && ctx_reset(&c) != 0) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (!(parser = readstat_parser_init())) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    readstat_set_metadata_handler(parser, on_metadata);
    readstat_set_variable_handler(parser, on_variable);
    readstat_set_value_handler(parser, on_value);
    readstat_set_value_label_handler(parser, on_value_label);
    /* ReadStat's .por reader (1.1.8, 1.1.9) formats an unterminated stack
     * buffer with %s when a number does not parse, reading past it (found by
     * fuzz_por, findings/por_double_error_overread.por); it only does so
     * for an error handler, so .por errors carry no ReadStat detail */
    if (parse != readstat_parse_por) readstat_set_error_handler(parser, on_error);
    readstat_set_open_handler(parser, io_open);
    readstat_set_close_handler(parser, io_close);
    readstat_set_seek_handler(parser, io_seek);
    readstat_set_read_handler(parser, io_read);
    readstat_set_update_handler(parser, io_update);
    readstat_set_io_ctx(parser, &io);

    rs = parse(parser, path, &c);
    df_prefault_end(c.pf);
    c.pf = NULL;
    io_close(&io); /* ReadStat closes on most paths, not on all */
    if (c.failed) {
        rc = err ? err->code : DYADFIT_ERR_DATA;
        goto cleanup;
    }
    if (rs != READSTAT_OK) {
        const char *m = readstat_error_message(rs);
        rc = df_error(err, DYADFIT_ERR_DATA, "cannot read '%s' as %s data: %s%s%s%s",
                      path, c.kind, m ? m : "unknown ReadStat error",
                      c.detail[0] ? " (" : "", c.detail, c.detail[0] ? ")" : "");
        goto cleanup;
    }
parsed:
    if (opts)
        for (size_t k = 0; k < opts->nvariables; k++)
            if (!c.found[k]) {
                rc = df_error(err, DYADFIT_ERR_DATA,
                              "variable '%s' is not in '%s'",
                              opts->variables[k] ? opts->variables[k] : "(null)",
                              path);
                goto cleanup;
            }

    size_t nrow = c.last_j == SKIPPED ? 0 : c.row + 1;
    if (t->ncol == 0 && c.meta_rows > 0) nrow = (size_t)c.meta_rows;
    if (t->ncol > 0 && c.meta_rows >= 0 && nrow != (size_t)c.meta_rows) {
        rc = df_error(err, DYADFIT_ERR_DATA,
                      "cannot read '%s' as %s data: the header promises %lld "
                      "rows but %zu were found (truncated file?)",
                      path, c.kind, (long long)c.meta_rows, nrow);
        goto cleanup;
    }
    if (finish_rows(&c, nrow) != 0 || attach_labels(&c) != 0) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory reading '%s'", path);
        goto cleanup;
    }

cleanup:
    if (parser) readstat_parser_free(parser);
    ctx_free(&c);
    return rc;
}
