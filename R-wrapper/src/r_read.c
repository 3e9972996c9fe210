/*
 * r_read.c -- .Call glue for read_dyads(): a file read by dyadfit_read
 * becomes a list of columns (numeric -> double, string -> character) with
 * the variable label in attribute "label" and value labels in attribute
 * "labels" (a named numeric vector, as haven stores them). Column values
 * come from the internal table layer (table/table.h): the R package carries
 * the library's sources, so it may read the columnar layout directly.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dyadfit.h"
#include "table/table.h"
#include "r_glue.h"

static void table_finalizer(SEXP p)
{
    dyadfit_table *t = (dyadfit_table *)R_ExternalPtrAddr(p);
    if (t) {
        dyadfit_table_free(t);
        R_ClearExternalPtr(p);
    }
}

static SEXP numeric_column(const df_column *c, size_t nrow)
{
    SEXP v = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)nrow));
    double *out = REAL(v);
    for (size_t i = 0; i < nrow; i++)
        /* every kind of missing (., .a-.z, user missing) becomes NA */
        out[i] = (isnan(c->num[i]) || (c->miss && c->miss[i])) ? NA_REAL : c->num[i];
    if (c->nvlabels) {
        SEXP lv = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)c->nvlabels));
        SEXP ln = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)c->nvlabels));
        for (size_t j = 0; j < c->nvlabels; j++) {
            REAL(lv)[j] = c->vlabels[j].value;
            SET_STRING_ELT(ln, (R_xlen_t)j,
                           Rf_mkCharCE(c->vlabels[j].label ? c->vlabels[j].label : "",
                                       CE_UTF8));
        }
        Rf_setAttrib(lv, R_NamesSymbol, ln);
        Rf_setAttrib(v, Rf_install("labels"), lv);
        UNPROTECT(2);
    }
    UNPROTECT(1);
    return v;
}

static SEXP string_column(const df_column *c, size_t nrow)
{
    SEXP v = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)nrow));
    /* one CHARSXP per level, shared by every row holding it */
    SEXP lev = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)c->nlevels));
    for (size_t j = 0; j < c->nlevels; j++)
        SET_STRING_ELT(lev, (R_xlen_t)j, Rf_mkCharCE(c->levels[j], CE_UTF8));
    for (size_t i = 0; i < nrow; i++) {
        int32_t code = c->code[i];
        SET_STRING_ELT(v, (R_xlen_t)i,
                       (code < 0 || (size_t)code >= c->nlevels)
                           ? NA_STRING : STRING_ELT(lev, code));
    }
    UNPROTECT(2);
    return v;
}

SEXP dyadfit_r_read(SEXP path, SEXP variables)
{
    if (!Rf_isString(path) || XLENGTH(path) != 1 || STRING_ELT(path, 0) == NA_STRING)
        Rf_error("path must be a single file name");
    if (!Rf_isNull(variables) && !Rf_isString(variables))
        Rf_error("variables must be NULL or a character vector");

    dyadfit_read_opts opts = {NULL, 0};
    if (!Rf_isNull(variables)) {
        R_xlen_t nv = XLENGTH(variables);
        const char **vn = (const char **)R_alloc((size_t)nv + 1, sizeof(char *));
        for (R_xlen_t j = 0; j < nv; j++) {
            if (STRING_ELT(variables, j) == NA_STRING)
                Rf_error("variables must not contain NA");
            vn[j] = Rf_translateCharUTF8(STRING_ELT(variables, j));
        }
        opts.variables = vn;
        opts.nvariables = (size_t)nv;
    }
    const char *p = R_ExpandFileName(Rf_translateChar(STRING_ELT(path, 0)));

    SEXP holder = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(holder, table_finalizer, TRUE);
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    int rc = dyadfit_read(p, Rf_isNull(variables) ? NULL : &opts, &t, &err);
    if (rc) {
        char msg[sizeof err.message];
        snprintf(msg, sizeof msg, "%s", err.message[0] ? err.message
                 : dyadfit_strerror(rc));
        if (t) dyadfit_table_free(t);
        UNPROTECT(1);
        Rf_error("%s", msg);
    }
    R_SetExternalPtrAddr(holder, t);

    size_t nrow = t->nrow, ncol = t->ncol;
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t)ncol));
    SEXP nms = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)ncol));
    for (size_t j = 0; j < ncol; j++) {
        const df_column *c = &t->cols[j];
        SET_STRING_ELT(nms, (R_xlen_t)j, Rf_mkCharCE(c->name, CE_UTF8));
        SEXP v = c->type == DF_COL_STRING ? string_column(c, nrow)
                                          : numeric_column(c, nrow);
        SET_VECTOR_ELT(ans, (R_xlen_t)j, v);
        if (c->label && *c->label) {
            SEXP lab = PROTECT(Rf_allocVector(STRSXP, 1));
            SET_STRING_ELT(lab, 0, Rf_mkCharCE(c->label, CE_UTF8));
            Rf_setAttrib(v, Rf_install("label"), lab);
            UNPROTECT(1);
        }
    }
    Rf_setAttrib(ans, R_NamesSymbol, nms);
    SEXP info = PROTECT(Rf_allocVector(STRSXP, 3));
    SET_STRING_ELT(info, 0, Rf_mkCharCE(dyadfit_table_path(t), CE_UTF8));
    SET_STRING_ELT(info, 1, Rf_mkChar(dyadfit_table_checksum(t)));
    SET_STRING_ELT(info, 2, Rf_mkChar(t->format ? t->format : ""));
    Rf_setAttrib(ans, Rf_install("dyadfit_source"), info);
    /* nrow travels separately: a table with zero columns still has rows */
    Rf_setAttrib(ans, Rf_install("dyadfit_nrow"), Rf_ScalarReal((double)nrow));

    dyadfit_table_free(t);
    R_ClearExternalPtr(holder);
    UNPROTECT(4);
    return ans;
}
