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
 *
 * Several ranks (MPI): rank r reads only its share, a contiguous block.
 * - ReadStat formats: the row count n comes from the metadata (a parse that
 *   stops there); the ceil(n / chunk_rows) chunks are split into p runs of
 *   consecutive chunks, and rank r parses its run alone through
 *   readstat_set_row_offset/_limit (.dta seeks there; .sav and the SAS
 *   formats decode and skip the rows before it, without value callbacks).
 *   Chunk boundaries are those of the one-process read.
 * - CSV: the bytes after the header are cut into p equal ranges, each
 *   moved forward to the next line start; rank r takes the lines that start
 *   in its range. That is safe only when no record spans lines (no newline
 *   inside quotes): each rank checks that every line of its range holds an
 *   even number of double quotes (a line that does not is where a quoted
 *   newline starts) and counts its non-blank lines (the rows the reader
 *   sees); the counts of the ranks before it give its first row number.
 * - Fallback (a ReadStat file with no row count in its header: SPSS
 *   portable, SAS transport as ReadStat 1.1.8 reads it; a CSV file with a
 *   newline inside quotes, or a stray quote in an unquoted field, which
 *   the check cannot tell apart): every rank reads the whole file and
 *   *whole is set: the caller keeps chunks r, r+p, ...
 * Any rank's failure before the ranks part ways goes to every rank
 * (df_smpi_agree), so none waits for another in a collective.
 */
#include <ctype.h>
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

/* The row count from the metadata, then stop: -1 when the format does not
 * store it. */
static int rs_count_metadata(readstat_metadata_t *md, void *vctx)
{
    *(long *)vctx = readstat_get_row_count(md);
    return READSTAT_HANDLER_ABORT;
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

static readstat_error_t (*rs_parser(const char *ext, const char **kind))(readstat_parser_t *,
                                                                         const char *, void *)
{
    if (!strcasecmp(ext, "dta")) { *kind = "Stata"; return readstat_parse_dta; }
    if (!strcasecmp(ext, "sav") || !strcasecmp(ext, "zsav")) {
        *kind = "SPSS";
        return readstat_parse_sav;
    }
    if (!strcasecmp(ext, "por")) { *kind = "SPSS portable"; return readstat_parse_por; }
    if (!strcasecmp(ext, "sas7bdat")) { *kind = "SAS"; return readstat_parse_sas7bdat; }
    *kind = "SAS transport";
    return readstat_parse_xport;
}

static void rs_set_io(readstat_parser_t *p, rs_bio *io)
{
    memset(io, 0, sizeof *io);
    io->fd = -1;
    readstat_set_open_handler(p, bio_open);
    readstat_set_close_handler(p, bio_close);
    readstat_set_seek_handler(p, bio_seek);
    readstat_set_read_handler(p, bio_read);
    readstat_set_update_handler(p, bio_update);
    readstat_set_io_ctx(p, io);
}

/* *n <- the row count the file's header states (-1: not stated). */
static int rs_row_count(const char *path, const char *ext, long *n, dyadfit_error *err)
{
    const char *kind;
    readstat_error_t (*parse)(readstat_parser_t *, const char *, void *) = rs_parser(ext, &kind);
    readstat_parser_t *p = readstat_parser_init();
    rs_bio io;
    *n = -2;
    if (!p) return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
    readstat_set_metadata_handler(p, rs_count_metadata);
    rs_set_io(p, &io);
    readstat_error_t rs = parse(p, path, n);
    bio_close(&io);
    readstat_parser_free(p);
    if (*n == -2) {   /* the handler was never reached */
        const char *m = rs == READSTAT_OK ? "no metadata" : readstat_error_message(rs);
        return df_error(err, DYADFIT_ERR_DATA, "cannot read '%s' as %s data: %s", path, kind,
                        m ? m : "unknown ReadStat error");
    }
    if (*n < 0) *n = -1;
    return 0;
}

/* rows [offset, offset + limit) of the file (limit 0: to the end) */
static int read_readstat(const char *path, const char *ext, rs_chunk *c, long offset,
                         long limit)
{
    readstat_error_t (*parse)(readstat_parser_t *, const char *, void *) = rs_parser(ext, &c->kind);
    readstat_parser_t *p = readstat_parser_init();
    if (!p) return df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory");
    /* ReadStat 1.1.8 crashes with a value handler but no variable handler */
    readstat_set_metadata_handler(p, rs_metadata);
    readstat_set_variable_handler(p, rs_variable);
    readstat_set_value_handler(p, rs_value);
    /* no error handler: errors carry ReadStat's code only, and its .por
     * reader over-reads a stack buffer formatting messages for one */
    if (offset > 0) readstat_set_row_offset(p, offset);
    if (limit > 0) readstat_set_row_limit(p, limit);
    c->first_row = offset > 0 ? (size_t)offset : 0;
    rs_bio io;
    rs_set_io(p, &io);
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
    size_t line;              /* file line (1-based) of the next byte read */
    size_t piece_line;        /* file line of the open piece's first record */
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
    if (rc) {   /* name the user's file and its line, not the temporary piece's */
        size_t nl = strlen(name);
        if (!strncmp(e2.message, name, nl) && !strncmp(e2.message + nl, " line ", 6) &&
            isdigit((unsigned char)e2.message[nl + 6])) {
            char *end;
            unsigned long long l = strtoull(e2.message + nl + 6, &end, 10);
            if (l >= 2)   /* line 1 is the header */
                return df_error(c->err, rc, "%s line %llu%s", c->path,
                                l - 2 + (unsigned long long)c->piece_line, end);
        }
        return df_error(c->err, rc, "cannot read '%s' (the chunk from row %zu): %s", c->path,
                        c->first_row + 1, e2.message);
    }
    rc = t->nrow ? c->fn(c->fctx, t, c->first_row, c->err) : 0;
    c->first_row += t->nrow;
    dyadfit_table_free(t);
    return rc;
}

/* Grows *buf (cap *cap) to hold need bytes. */
static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t n = need > 2 * *cap ? need : 2 * *cap;
    char *h = df_realloc(*buf, n, 1);
    if (!h) return -1;
    *buf = h;
    *cap = n;
    return 0;
}

/* The header record (a newline inside quotes does not end it) with a '\n'
 * after a lone CR; *hend the file offset after it, *cr 1 when it ended in
 * a CR. */
static int csv_header(FILE *in, const char *path, char **header, size_t *hlen, off_t *hend,
                      int *cr, size_t *lines, dyadfit_error *err)
{
    char buf[65536];
    size_t got, cap = 0;
    off_t pos = 0;
    int inq = 0;
    *header = NULL;
    *hlen = 0;
    *cr = 0;
    *lines = 0;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        size_t i = 0, end = 0;
        for (; i < got && !end; i++) {
            if (buf[i] == '"') inq = !inq;
            else if (!inq && (buf[i] == '\n' || buf[i] == '\r')) end = 1;
            *lines += buf[i] == '\r' || (buf[i] == '\n' && !(i > 0 && buf[i - 1] == '\r'));
        }
        if (grow(header, &cap, *hlen + i + 2))
            return df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        memcpy(*header + *hlen, buf, i);
        *hlen += i;
        pos += (off_t)i;
        if (end) {
            if (buf[i - 1] == '\r') {
                (*header)[(*hlen)++] = '\n';
                *cr = 1;
            }
            break;
        }
    }
    if (ferror(in))
        return df_error(err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path, strerror(errno));
    if (*hlen == 0)
        return df_error(err, DYADFIT_ERR_DATA, "cannot read '%s': the file is empty", path);
    *hend = pos;
    return 0;
}

/* The records that start in bytes [from, to) of the file, in pieces of
 * chunk_rows; prev_cr: the byte before `from` is a CR (a '\n' right after
 * it ends nothing). */
static int read_csv_range(FILE *in, const char *path, size_t chunk_rows, csv_chunk *c,
                          const char *header, size_t hlen, off_t from, off_t to, int prev_cr)
{
    FILE *piece = NULL;
    char pname[4096];
    char *buf = NULL;
    size_t records = 0;
    int rc = 0, inq = 0, any = 0;
    off_t pos = from;
    if (fseeko(in, from, SEEK_SET) != 0)
        return df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path, strerror(errno));
    if (!(buf = df_malloc(1 << 20, 1))) return df_error(c->err, DYADFIT_ERR_SYSTEM, "out of memory");
    size_t got;
    while (pos < to && (got = fread(buf, 1, (size_t)(to - pos) < ((size_t)1 << 20)
                                               ? (size_t)(to - pos) : (size_t)1 << 20, in)) > 0) {
        size_t start = 0;
        pos += (off_t)got;
        for (size_t i = 0; i < got; i++) {
            char ch = buf[i];
            int end = 0;
            if (!piece && i == start) c->piece_line = c->line;
            if (ch == '\n' && prev_cr && i == start) {
                /* the LF of a CRLF: the record ended at the CR (and got its
                 * '\n' in the piece); the piece's lines stay the file's */
                start = i + 1;
                prev_cr = 0;
                continue;
            }
            if (ch == '"') inq = !inq;
            else if (!inq && ch == '\n') end = !prev_cr; /* CRLF ended at the CR */
            else if (!inq && ch == '\r') end = 1;
            c->line += ch == '\r' || (ch == '\n' && !prev_cr);
            prev_cr = ch == '\r';
            if (!end) continue;
            size_t len = i + 1 - start;
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
            start = i + 1;
        }
        /* the rest of the buffer: part of a record */
        size_t len = got - start;
        if (!len) continue;
        if (!piece) {
            if (!(piece = piece_open(pname, sizeof pname, c->err))) { rc = c->err->code; goto done; }
            fwrite(header, 1, hlen, piece);
        }
        fwrite(buf + start, 1, len, piece);
        any = 1;
    }
    if (ferror(in)) {
        rc = df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path, strerror(errno));
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
    free(buf);
    return rc;
}

/* The first line start at or after byte x (x > hend): just after the first
 * CR or LF at x - 1 or later; the file size when there is none. */
static int line_start(FILE *in, off_t x, off_t size, off_t *out)
{
    char buf[65536];
    off_t pos = x - 1;
    if (fseeko(in, pos, SEEK_SET) != 0) return -1;
    while (pos < size) {
        size_t got = fread(buf, 1, sizeof buf, in);
        if (got == 0) return ferror(in) ? -1 : (*out = size, 0);
        for (size_t i = 0; i < got; i++)
            if (buf[i] == '\n' || buf[i] == '\r') {
                *out = pos + (off_t)i + 1;
                return 0;
            }
        pos += (off_t)got;
    }
    *out = size;
    return 0;
}

/* Bytes [from, to): *rows non-blank lines (the rows the CSV reader makes of
 * them when no record spans lines); *odd 1 when a line holds an odd number
 * of double quotes (a newline inside quotes, or a stray quote: either way
 * lines are not records). */
static int csv_scan(FILE *in, off_t from, off_t to, int prev_cr, size_t *rows,
                    size_t *lines, int *odd)
{
    char *buf = df_malloc(1 << 20, 1);
    size_t n = 0, len = 0, nl = 0;
    int q = 0;
    off_t pos = from;
    *odd = 0;
    if (!buf) return -1;
    if (fseeko(in, from, SEEK_SET) != 0) { free(buf); return -1; }
    while (pos < to) {
        size_t want = (size_t)(to - pos) < ((size_t)1 << 20) ? (size_t)(to - pos) : (size_t)1 << 20;
        size_t got = fread(buf, 1, want, in);
        if (got == 0) break;
        pos += (off_t)got;
        for (size_t i = 0; i < got; i++) {
            char ch = buf[i];
            nl += ch == '\r' || (ch == '\n' && !prev_cr);
            prev_cr = ch == '\r';
            if (ch == '\n' || ch == '\r') {
                n += len > 0;
                *odd |= q;
                len = 0;
                q = 0;
            } else {
                len++;
                q ^= ch == '"';
            }
        }
    }
    n += len > 0;
    *odd |= q;
    int bad = ferror(in) != 0 || pos < to;
    free(buf);
    *rows = n;
    *lines = nl;
    return bad ? -1 : 0;
}

static int read_csv_chunks(const char *path, size_t chunk_rows, csv_chunk *c, int rank,
                           int size, int *whole)
{
    FILE *in = fopen(path, "rb");
    char *header = NULL;
    size_t hlen = 0, hlines = 0;
    off_t hend = 0, fsize = 0, from = 0, to = 0;
    int rc = 0, cr = 0;
    struct stat st;
    if (!in) {
        rc = df_error(c->err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path, strerror(errno));
    } else if (fstat(fileno(in), &st) != 0) {
        rc = df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path, strerror(errno));
    } else {
        fsize = st.st_size;
        rc = csv_header(in, path, &header, &hlen, &hend, &cr, &hlines, c->err);
    }
    c->line = hlines + 1;
    from = hend;
    to = fsize;
    if (size > 1) {
        /* this rank's byte range, its rows, and whether lines are records */
        size_t rows = 0, before = 0, lines = 0, lines_before = 0;
        int odd = 0, pcr = cr;
        if (rc == 0) {
            off_t span = fsize - hend;
            off_t a = hend + (off_t)((double)span * rank / size);
            off_t b = hend + (off_t)((double)span * (rank + 1) / size);
            if (rank > 0 && a > hend && line_start(in, a, fsize, &from)) rc = -1;
            if (rank + 1 < size && b > hend && rc == 0 && line_start(in, b, fsize, &to)) rc = -1;
            if (rank + 1 < size && b <= hend) to = hend;
            if (rank > 0 && a <= hend) from = hend;
            if (to < from) to = from;
            if (rc == 0 && from > hend) {   /* was the byte before `from` a CR? */
                int ch;
                if (fseeko(in, from - 1, SEEK_SET) != 0 || (ch = fgetc(in)) == EOF) rc = -1;
                else pcr = ch == '\r';
            }
            if (rc == 0 && csv_scan(in, from, to, pcr, &rows, &lines, &odd)) rc = -1;
            if (rc == -1)
                rc = df_error(c->err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path,
                              strerror(errno));
        }
        double o = odd;
        if ((rc = df_smpi_agree(rc, c->err))) goto done;
        if (df_smpi_max(&o, 1) || df_smpi_prefix_size(rows, &before) ||
            df_smpi_prefix_size(lines, &lines_before)) {
            rc = df_error(c->err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed");
            goto done;
        }
        if (o > 0) {   /* a record may span lines: every rank reads it all */
            *whole = 1;
            from = hend;
            to = fsize;
        } else {
            c->first_row = before;
            c->line += lines_before;
            cr = pcr;
        }
    }
    if (rc == 0 && to > from)
        rc = read_csv_range(in, path, chunk_rows, c, header, hlen, from, to, cr);
done:
    if (in) fclose(in);
    free(header);
    return rc;
}

/* ------------------------------------------------------------- entry */

int df_stream_read(const char *path, const char *const *vars, size_t nvars,
                   size_t chunk_rows, int rank, int size, int *whole,
                   df_chunk_fn fn, void *ctx, dyadfit_error *err)
{
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    const char *ext = strrchr(name, '.');
    static const char *const rs_ext[] = {"dta", "sav", "zsav", "por", "sas7bdat", "xpt"};
    if (chunk_rows == 0) chunk_rows = DF_STREAM_CHUNK_DEFAULT;
    if (size < 1) size = 1;
    *whole = 0;
    if (access(path, R_OK) != 0) {
        int rc = df_error(err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path, strerror(errno));
        return size > 1 ? df_smpi_agree(rc, err) : rc;
    }
    if (ext && !strcasecmp(ext + 1, "csv")) {
        csv_chunk c = {path, vars, nvars, fn, ctx, err, 0, 1, 1};
        return read_csv_chunks(path, chunk_rows, &c, rank, size, whole);
    }
    for (size_t i = 0; ext && i < sizeof rs_ext / sizeof *rs_ext; i++) {
        if (strcasecmp(ext + 1, rs_ext[i])) continue;
        long offset = 0, limit = 0;
        if (size > 1) {
            /* this rank's run of chunks: [c0, c1) of nch */
            long n = -1;
            int rc = df_smpi_agree(rs_row_count(path, ext + 1, &n, err), err);
            if (rc) return rc;
            double dn = (double)n;
            if (df_smpi_max(&dn, 1))
                return df_error(err, DYADFIT_ERR_SYSTEM, "--stream: MPI failed");
            if (dn < 0) {
                *whole = 1;   /* no row count: every rank reads all */
            } else {
                size_t nrow = (size_t)dn, nch = (nrow + chunk_rows - 1) / chunk_rows;
                size_t c0 = nch * (size_t)rank / (size_t)size;
                size_t c1 = nch * (size_t)(rank + 1) / (size_t)size;
                if (c1 <= c0) return 0;   /* no share: nothing to read */
                offset = (long)(c0 * chunk_rows);
                limit = (long)((c1 * chunk_rows < nrow ? c1 * chunk_rows : nrow) - c0 * chunk_rows);
            }
        }
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
        rc = read_readstat(path, ext + 1, &c, offset, limit);
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
