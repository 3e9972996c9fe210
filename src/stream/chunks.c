/*
 * chunks.c -- a data file as a sequence of tables of at most chunk_rows
 * rows, in file order, so no more than one chunk is ever in memory.
 *
 * ReadStat formats: one parse of the whole file; the value callback fills
 * the chunk's columns and hands the chunk over when the next row would not
 * fit. Missing values follow src/table/readstat.c (system, tagged and
 * SPSS user-defined missing are NaN). Value labels are not read (factor()
 * is refused in streaming fits, and nothing else uses them).
 *
 * CSV: the file is cut into pieces of chunk_rows records (a newline inside
 * double quotes does not end a record), each written with the header to an
 * unlinked temporary file and read by dyadfit_read, so every field is parsed
 * exactly as the in-memory reader parses it. A column's type is decided per
 * chunk: the design layer refuses a string where a number is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readstat.h>
#include "stream.h"
#include "../table/table.h"
#include "../util/util.h"

#define NOCOL ((size_t)-1)

FILE *df_stream_tmpfile(const char *what, dyadfit_error *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (!dir || !*dir) dir = "/tmp";
    snprintf(path, sizeof path, "%s/dyadfit-stream-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        df_error(err, DYADFIT_ERR_SYSTEM, "cannot create a temporary file for %s in %s: %s",
                 what, dir, strerror(errno));
        return NULL;
    }
    unlink(path);   /* gone at close or exit, whatever happens */
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        close(fd);
        df_error(err, DYADFIT_ERR_SYSTEM, "cannot open a temporary file: %s", strerror(errno));
    }
    return f;
}

/* ------------------------------------------------------------ ReadStat */

/* ReadStat's default I/O makes one read() per row (kernel time dominated a
 * 2.1M-row parse); a memory map, as src/table/readstat.c uses, would put
 * the whole file in the resident set. So: pread through a 1 MB buffer. */
#define RS_BUF ((size_t)1 << 20)

typedef struct {
    int fd;
    off_t size, pos;          /* file size, logical position */
    off_t bstart;             /* file offset of buf[0] */
    size_t blen;              /* valid bytes in buf */
    unsigned char *buf;
} rs_bio;

static int bio_open(const char *path, void *vio)
{
    rs_bio *io = vio;
    struct stat st;
    io->fd = open(path, O_RDONLY);
    if (io->fd < 0) return -1;
    if (fstat(io->fd, &st) != 0 || !(io->buf = df_malloc(RS_BUF, 1))) {
        close(io->fd);
        io->fd = -1;
        return -1;
    }
    io->size = st.st_size;
    io->pos = io->bstart = 0;
    io->blen = 0;
    return 0;
}

static int bio_close(void *vio)
{
    rs_bio *io = vio;
    if (io->fd >= 0) close(io->fd);
    free(io->buf);
    io->buf = NULL;
    io->fd = -1;
    return 0;
}

static readstat_off_t bio_seek(readstat_off_t off, readstat_io_flags_t whence, void *vio)
{
    rs_bio *io = vio;
    readstat_off_t base = whence == READSTAT_SEEK_SET ? 0
                        : whence == READSTAT_SEEK_CUR ? (readstat_off_t)io->pos
                                                      : (readstat_off_t)io->size;
    readstat_off_t np = base + off;
    if (np < 0 || np > (readstat_off_t)io->size) return -1;
    io->pos = (off_t)np;
    return np;
}

static ssize_t bio_read(void *dst, size_t nbyte, void *vio)
{
    rs_bio *io = vio;
    size_t done = 0;
    while (done < nbyte && io->pos < io->size) {
        if (io->pos < io->bstart || io->pos >= io->bstart + (off_t)io->blen) {
            ssize_t got = pread(io->fd, io->buf, RS_BUF, io->pos);
            if (got < 0) return -1;
            if (got == 0) break;
            io->bstart = io->pos;
            io->blen = (size_t)got;
        }
        size_t at = (size_t)(io->pos - io->bstart), n = io->blen - at;
        if (n > nbyte - done) n = nbyte - done;
        memcpy((unsigned char *)dst + done, io->buf + at, n);
        done += n;
        io->pos += (off_t)n;
    }
    return (ssize_t)done;
}

static readstat_error_t bio_update(long file_size, readstat_progress_handler ph,
                                   void *user_ctx, void *vio)
{
    (void)file_size;
    (void)ph;
    (void)user_ctx;
    (void)vio;
    return READSTAT_OK;
}

typedef struct {
    const char *path, *kind;
    const char *const *vars;
    size_t nvars;
    size_t chunk_rows;
    df_chunk_fn fn;
    void *fctx;
    dyadfit_error *err;
    dyadfit_table *t;         /* the chunk: t->nrow rows filled */
    df_strdict **dict;        /* per column (strings) */
    int *user_missing;        /* per column */
    size_t *map;              /* ReadStat index -> column, or NOCOL */
    size_t nmap;
    size_t last_j;            /* column of the last cell, NOCOL before any */
    size_t row;               /* row being filled within the chunk */
    size_t first_row;         /* file row of the chunk's row 0 */
    int failed;
} rs_chunk;

static int rs_fail(rs_chunk *c, int code, const char *msg)
{
    df_error(c->err, code, "cannot read '%s' as %s data: %s", c->path, c->kind, msg);
    c->failed = 1;
    return READSTAT_HANDLER_ABORT;
}

static int rs_metadata(readstat_metadata_t *md, void *vctx)
{
    (void)md;
    (void)vctx;
    return READSTAT_HANDLER_OK;
}

static int rs_wanted(const rs_chunk *c, const char *name)
{
    if (!c->nvars) return 1;
    for (size_t k = 0; k < c->nvars; k++)
        if (c->vars[k] && strcmp(c->vars[k], name) == 0) return 1;
    return 0;
}

static int rs_variable(int index, readstat_variable_t *v, const char *vlabels,
                       void *vctx)
{
    rs_chunk *c = vctx;
    dyadfit_table *t = c->t;
    const char *name = readstat_variable_get_name(v);
    (void)vlabels;
    if (index < 0 || !name || !*name) return rs_fail(c, DYADFIT_ERR_DATA, "bad variable");
    size_t idx = (size_t)index;
    if (idx >= c->nmap) {
        size_t n = idx + 1 > 2 * c->nmap ? idx + 1 : 2 * c->nmap;
        size_t *m = df_realloc(c->map, n, sizeof *m);
        if (!m) return rs_fail(c, DYADFIT_ERR_SYSTEM, "out of memory");
        for (size_t i = c->nmap; i < n; i++) m[i] = NOCOL;
        c->map = m;
        c->nmap = n;
    }
    if (!rs_wanted(c, name)) return READSTAT_HANDLER_SKIP_VARIABLE;
    size_t j = t->ncol;
    df_column *cols = df_realloc(t->cols, j + 1, sizeof *cols);
    if (cols) t->cols = cols;
    df_strdict **d = df_realloc(c->dict, j + 1, sizeof *d);
    if (d) c->dict = d;
    int *um = df_realloc(c->user_missing, j + 1, sizeof *um);
    if (um) c->user_missing = um;
    if (!cols || !d || !um) return rs_fail(c, DYADFIT_ERR_SYSTEM, "out of memory");
    df_column *col = &t->cols[j];
    memset(col, 0, sizeof *col);
    c->dict[j] = NULL;
    t->ncol++;
    if (!(col->name = df_strdup(name))) return rs_fail(c, DYADFIT_ERR_SYSTEM, "out of memory");
    if (readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING) {
        col->type = DF_COL_STRING;
        col->storage = DF_STORE_STRING;
        col->code = df_malloc(c->chunk_rows, sizeof *col->code);
        if (!col->code || !(c->dict[j] = df_strdict_new(col)))
            return rs_fail(c, DYADFIT_ERR_SYSTEM, "out of memory");
    } else {
        col->type = DF_COL_NUMERIC;
        col->storage = DF_STORE_DOUBLE;
        c->user_missing[j] = readstat_variable_get_missing_ranges_count(v) > 0;
        if (!(col->num = df_malloc(c->chunk_rows, sizeof *col->num)))
            return rs_fail(c, DYADFIT_ERR_SYSTEM, "out of memory");
    }
    c->map[idx] = j;
    return READSTAT_HANDLER_OK;
}

/* Hands the filled rows over and starts an empty chunk. */
static int rs_flush(rs_chunk *c, size_t nrow)
{
    if (nrow == 0) return 0;
    c->t->nrow = nrow;
    int rc = c->fn(c->fctx, c->t, c->first_row, c->err);
    c->first_row += nrow;
    c->t->nrow = 0;
    if (rc) c->failed = 1;
    return rc;
}

static int rs_value(int obs, readstat_variable_t *v, readstat_value_t val, void *vctx)
{
    rs_chunk *c = vctx;
    int index = readstat_variable_get_index(v);
    (void)obs;
    if (index < 0 || (size_t)index >= c->nmap || c->map[index] == NOCOL)
        return rs_fail(c, DYADFIT_ERR_DATA, "value of an unknown variable");
    size_t j = c->map[index];
    /* cells come row by row in column order: a column index that does not
     * increase starts a new row */
    if (c->last_j != NOCOL && j <= c->last_j && ++c->row == c->chunk_rows) {
        if (rs_flush(c, c->row)) return READSTAT_HANDLER_ABORT;
        c->row = 0;
    }
    c->last_j = j;
    size_t i = c->row;
    df_column *col = &c->t->cols[j];
    if (col->type == DF_COL_STRING) {
        const char *s = readstat_string_value(val);
        int32_t code = s && *s ? df_strdict_code(c->dict[j], s, strlen(s)) : -1;
        if (code < -1) return rs_fail(c, DYADFIT_ERR_SYSTEM, "out of memory (strings)");
        col->code[i] = code;
        return READSTAT_HANDLER_OK;
    }
    double d = NAN;
    if (!val.is_system_missing && !val.is_tagged_missing) {
        switch (val.type) {
        case READSTAT_TYPE_INT8: d = val.v.i8_value; break;
        case READSTAT_TYPE_INT16: d = val.v.i16_value; break;
        case READSTAT_TYPE_INT32: d = val.v.i32_value; break;
        case READSTAT_TYPE_FLOAT: d = val.v.float_value; break;
        case READSTAT_TYPE_DOUBLE: d = val.v.double_value; break;
        default: d = NAN; break;
        }
        if (c->user_missing[j] && readstat_value_is_defined_missing(val, v)) d = NAN;
    }
    col->num[i] = d;
    return READSTAT_HANDLER_OK;
}

static void rs_error(const char *msg, void *vctx)
{
    (void)msg;
    (void)vctx;
}

static int read_readstat(const char *path, const char *ext, rs_chunk *c)
{
    readstat_error_t (*parse)(readstat_parser_t *, const char *, void *);
    if (!strcasecmp(ext, "dta")) { parse = readstat_parse_dta; c->kind = "Stata"; }
    else if (!strcasecmp(ext, "sav") || !strcasecmp(ext, "zsav")) {
        parse = readstat_parse_sav; c->kind = "SPSS";
    } else if (!strcasecmp(ext, "por")) { parse = readstat_parse_por; c->kind = "SPSS portable"; }
    else if (!strcasecmp(ext, "sas7bdat")) { parse = readstat_parse_sas7bdat; c->kind = "SAS"; }
    else { parse = readstat_parse_xport; c->kind = "SAS transport"; }
    readstat_parser_t *p = readstat_parser_init();
    if (!p) return df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory");
    /* ReadStat 1.1.8 crashes with a value handler but no variable handler */
    readstat_set_metadata_handler(p, rs_metadata);
    readstat_set_variable_handler(p, rs_variable);
    readstat_set_value_handler(p, rs_value);
    readstat_set_error_handler(p, rs_error);
    rs_bio io;
    memset(&io, 0, sizeof io);
    io.fd = -1;
    readstat_set_open_handler(p, bio_open);
    readstat_set_close_handler(p, bio_close);
    readstat_set_seek_handler(p, bio_seek);
    readstat_set_read_handler(p, bio_read);
    readstat_set_update_handler(p, bio_update);
    readstat_set_io_ctx(p, &io);
    readstat_error_t rs = parse(p, path, c);
    bio_close(&io);   /* ReadStat closes on most paths, not on all */
    readstat_parser_free(p);
    if (c->failed) return c->err && c->err->code ? c->err->code : DYADFIT_ERR_DATA;
    if (rs != READSTAT_OK) {
        const char *m = readstat_error_message(rs);
        return df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s' as %s data: %s", path,
                        c->kind, m ? m : "unknown ReadStat error");
    }
    if (c->last_j != NOCOL && rs_flush(c, c->row + 1)) return c->err->code;
    return 0;
}

/* ----------------------------------------------------------------- CSV */

typedef struct {
    const char *path;
    const char *const *vars;
    size_t nvars;
    df_chunk_fn fn;
    void *fctx;
    dyadfit_error *err;
    size_t first_row;
} csv_chunk;

/* A named temporary .csv (the reader picks the format by extension) for
 * one piece; removed by csv_flush, or by csv_drop on an error path. */
static FILE *piece_open(char *name, size_t size, dyadfit_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(name, size, "%s/dyadfit-stream-XXXXXX.csv", dir);
    int fd = mkstemps(name, 4);
    if (fd < 0) {
        df_error(err, DYADFIT_ERR_SYSTEM, "cannot create a temporary file in %s: %s", dir,
                 strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(name);
        df_error(err, DYADFIT_ERR_SYSTEM, "cannot open a temporary file: %s", strerror(errno));
    }
    return f;
}

/* Reads the piece (header + records), removes it and hands it over. */
static int csv_flush(csv_chunk *c, FILE *f, const char *name)
{
    dyadfit_table *t = NULL;
    dyadfit_read_opts o = {c->vars, c->nvars};
    dyadfit_error e2;
    int rc = fclose(f) != 0;
    if (rc) {
        unlink(name);
        return df_error(c->err, DYADFIT_ERR_SYSTEM, "cannot write a temporary file: %s",
                        strerror(errno));
    }
    rc = dyadfit_read(name, c->nvars ? &o : NULL, &t, &e2);
    if (rc && c->nvars) rc = dyadfit_read(name, NULL, &t, &e2);  /* names not in the file */
    unlink(name);
    if (rc) /* name the user's file, not the temporary piece */
        return df_error(c->err, rc, "cannot read '%s' (the chunk from row %zu): %s", c->path,
                        c->first_row + 1, e2.message);
    rc = t->nrow ? c->fn(c->fctx, t, c->first_row, c->err) : 0;
    c->first_row += t->nrow;
    dyadfit_table_free(t);
    return rc;
}

static int read_csv_chunks(const char *path, size_t chunk_rows, csv_chunk *c)
{
    FILE *in = fopen(path, "rb"), *piece = NULL;
    char pname[4096];
    char *buf = NULL, *header = NULL;
    size_t hlen = 0, hcap = 0, records = 0;
    int rc = 0, inq = 0, in_header = 1, prev_cr = 0, any = 0;
    if (!in)
        return df_error(c->err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path, strerror(errno));
    if (!(buf = df_malloc(1 << 20, 1))) { rc = df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory"); goto done; }
    size_t got;
    while ((got = fread(buf, 1, 1 << 20, in)) > 0) {
        size_t start = 0;
        for (size_t i = 0; i < got; i++) {
            char ch = buf[i];
            int end = 0;
            if (ch == '"') inq = !inq;
            else if (!inq && ch == '\n') end = !prev_cr; /* CRLF ended at the CR */
            else if (!inq && ch == '\r') end = 1;
            prev_cr = ch == '\r';
            if (!end) continue;
            size_t len = i + 1 - start;
            if (in_header) {
                if (hlen + len + 2 > hcap) {
                    char *h = df_realloc(header, hlen + len + 2 + hcap, 1);
                    if (!h) { rc = df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory"); goto done; }
                    header = h;
                    hcap = hlen + len + 2 + hcap;
                }
                memcpy(header + hlen, buf + start, len);
                hlen += len;
                if (ch == '\r') header[hlen++] = '\n';
                in_header = 0;
            } else {
                if (!piece) {
                    if (!(piece = piece_open(pname, sizeof pname, c->err))) { rc = c->err->code; goto done; }
                    fwrite(header, 1, hlen, piece);
                }
                fwrite(buf + start, 1, len, piece);
                if (ch == '\r') fputc('\n', piece);
                any = 1;
                if (++records == chunk_rows) {
                    rc = csv_flush(c, piece, pname);
                    piece = NULL;
                    records = 0;
                    any = 0;
                    if (rc) goto done;
                }
            }
            start = i + 1;
        }
        /* the rest of the buffer: part of a record */
        size_t len = got - start;
        if (!len) continue;
        if (in_header) {
            if (hlen + len + 2 > hcap) {
                char *h = df_realloc(header, hlen + len + 2 + hcap, 1);
                if (!h) { rc = df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory"); goto done; }
                header = h;
                hcap = hlen + len + 2 + hcap;
            }
            memcpy(header + hlen, buf + start, len);
            hlen += len;
        } else {
            if (!piece) {
                if (!(piece = piece_open(pname, sizeof pname, c->err))) { rc = c->err->code; goto done; }
                fwrite(header, 1, hlen, piece);
            }
            fwrite(buf + start, 1, len, piece);
            any = 1;
        }
    }
    if (ferror(in)) {
        rc = df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    if (in_header && hlen == 0) {
        rc = df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s': the file is empty", path);
        goto done;
    }
    if (piece && any) {
        fputc('\n', piece);
        rc = csv_flush(c, piece, pname);
        piece = NULL;
    }
done:
    if (piece) {
        fclose(piece);
        unlink(pname);
    }
    fclose(in);
    free(buf);
    free(header);
    return rc;
}

/* ------------------------------------------------------------- entry */

int df_stream_read(const char *path, const char *const *vars, size_t nvars,
                   size_t chunk_rows, df_chunk_fn fn, void *ctx,
                   dyadfit_error *err)
{
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    const char *ext = strrchr(name, '.');
    static const char *const rs_ext[] = {"dta", "sav", "zsav", "por", "sas7bdat", "xpt"};
    if (chunk_rows == 0) chunk_rows = DF_STREAM_CHUNK_DEFAULT;
    if (access(path, R_OK) != 0)
        return df_error(err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path, strerror(errno));
    if (ext && !strcasecmp(ext + 1, "csv")) {
        csv_chunk c = {path, vars, nvars, fn, ctx, err, 0};
        return read_csv_chunks(path, chunk_rows, &c);
    }
    for (size_t i = 0; ext && i < sizeof rs_ext / sizeof *rs_ext; i++) {
        if (strcasecmp(ext + 1, rs_ext[i])) continue;
        rs_chunk c;
        dyadfit_table *t = NULL;
        int rc = dyadfit_table_new(0, &t, err);
        if (rc) return rc;
        memset(&c, 0, sizeof c);
        c.path = path;
        c.vars = vars;
        c.nvars = nvars;
        c.chunk_rows = chunk_rows;
        c.fn = fn;
        c.fctx = ctx;
        c.err = err;
        c.t = t;
        c.last_j = NOCOL;
        rc = read_readstat(path, ext + 1, &c);
        for (size_t j = 0; j < t->ncol; j++) df_strdict_free(c.dict[j]);
        dyadfit_table_free(t);
        free(c.dict);
        free(c.user_missing);
        free(c.map);
        return rc;
    }
    return df_error(err, DYADFIT_ERR_DATA, "cannot read '%s': unknown file type; expected "
                    ".dta, .sav, .zsav, .por, .sas7bdat, .xpt or .csv", path);
}
