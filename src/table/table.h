/*
 * table.h -- the columnar in-memory table (layer 1).
 *
 * A table holds nrow rows and ncol columns. A numeric column stores doubles
 * with NaN for every kind of missing; `miss` (NULL when the column has no
 * missing values) keeps which kind: Stata's . and .a-.z, SPSS system- or
 * user-missing. A string column is dictionary-encoded: `code[i]` indexes
 * `levels`, -1 marks missing (an empty string counts as missing, as in Stata).
 * Levels are kept in order of first appearance.
 */
#ifndef DF_TABLE_H
#define DF_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "dyadfit.h"

typedef enum { DF_COL_NUMERIC = 0, DF_COL_STRING = 1 } df_coltype;

/* Codes in df_column.miss */
enum {
    DF_PRESENT = 0,
    DF_MISS_SYSTEM = 1,      /* Stata '.', SPSS sysmis, CSV empty/NA */
    DF_MISS_TAGGED_A = 2,    /* Stata .a is 2, ... .z is 27 */
    DF_MISS_USER = 28        /* SPSS user-defined missing value */
};

/* Original storage, for describe and for writing files back. */
typedef enum {
    DF_STORE_DOUBLE = 0, DF_STORE_FLOAT, DF_STORE_INT32, DF_STORE_INT16,
    DF_STORE_INT8, DF_STORE_STRING
} df_storage;

typedef struct {
    double value;
    char *label;
} df_value_label;

typedef struct {
    char *name;
    char *label;              /* variable label or NULL */
    df_coltype type;
    df_storage storage;
    double *num;              /* numeric: nrow values */
    uint8_t *miss;            /* numeric: NULL or nrow missing-kind codes */
    int32_t *code;            /* string: nrow level indices, -1 missing */
    char **levels;            /* string: distinct values */
    size_t nlevels;
    df_value_label *vlabels;  /* numeric: value labels, sorted by value */
    size_t nvlabels;
} df_column;

struct dyadfit_table {
    size_t nrow;
    size_t ncol;
    df_column *cols;
    char *path;               /* file read, or NULL */
    char sha256[65];          /* hex digest of the file's bytes, or "" */
    char *format;             /* "dta", "sav", "csv", ... or NULL */
};

/* Column lookup by exact name; NULL when absent. */
const df_column *df_table_find(const dyadfit_table *t, const char *name);
/* Index of the column or (size_t)-1. */
size_t df_table_index(const dyadfit_table *t, const char *name);

/* Frees everything column c owns (name included), not c itself. */
void df_column_free(df_column *c);

/* 1 when row i of column c is missing. */
int df_column_is_missing(const df_column *c, size_t i);

/* Label for a value of a numeric column, or NULL. */
const char *df_column_value_label(const df_column *c, double v);

/* Readers, chosen by dyadfit_read from the extension. */
int df_read_readstat(const char *path, const char *ext,
                     const dyadfit_read_opts *opts, dyadfit_table *t,
                     dyadfit_error *err);
int df_read_csv(const char *path, const dyadfit_read_opts *opts,
                dyadfit_table *t, dyadfit_error *err);

/* Dictionary encoding of a string column while reading (read.c): a hash
 * from text to level index; df_strdict_code adds unseen strings to the
 * column's levels and returns the code, or -1 when out of memory. */
typedef struct df_strdict df_strdict;
df_strdict *df_strdict_new(df_column *c);
int32_t df_strdict_code(df_strdict *d, const char *s, size_t len);
void df_strdict_free(df_strdict *d);

/* SHA-256 of a file's bytes as 64 hex digits plus NUL. */
int df_sha256_file(const char *path, char hex[65], dyadfit_error *err);

/* ---------------------------------------------------------- writers (write.c)
 * df_table_write writes t to out as "dta" (Stata 118), "sav" (SPSS) or
 * "csv": numbers as doubles (CSV: %.17g, missing empty), variable labels and
 * numeric value labels kept in .dta/.sav, strings as str columns. Errors:
 * DYADFIT_ERR_USAGE (unknown format), DYADFIT_ERR_DATA (a table the format
 * cannot hold), DYADFIT_ERR_SYSTEM (write failure). df_write_format gives the
 * format of a path by its extension ("dta", "sav", "csv", case-insensitive)
 * or NULL. */
const char *df_write_format(const char *path);
int df_table_write(const dyadfit_table *t, const char *format, FILE *out,
                   dyadfit_error *err);

#endif
