/*
 * r_table.c -- R columns -> dyadfit_table, for the paths where the library
 * builds its own design (Cox: Surv() and strata() are parsed in C) or
 * works on a table (btscs).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "r_glue.h"

static void table_finalizer(SEXP p)
{
    dyadfit_table *t = (dyadfit_table *)R_ExternalPtrAddr(p);
    if (t) {
        dyadfit_table_free(t);
        R_ClearExternalPtr(p);
    }
}

void dyadfit_r_fail(int rc, const dyadfit_error *err)
{
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message[0] ? err->message
             : dyadfit_strerror(rc));
    Rf_error("%s", msg);
}

SEXP dyadfit_r_table(SEXP cols, dyadfit_table **out)
{
    *out = NULL;
    if (!Rf_isNewList(cols) || XLENGTH(cols) < 1)
        Rf_error("dyadfit internal: cols must be a non-empty list");
    SEXP nms = Rf_getAttrib(cols, R_NamesSymbol);
    if (!Rf_isString(nms) || XLENGTH(nms) != XLENGTH(cols))
        Rf_error("dyadfit internal: cols must be named");
    R_xlen_t n = XLENGTH(VECTOR_ELT(cols, 0));
    for (R_xlen_t j = 0; j < XLENGTH(cols); j++) {
        SEXP v = VECTOR_ELT(cols, j);
        if ((!Rf_isReal(v) && !Rf_isString(v)) || XLENGTH(v) != n)
            Rf_error("dyadfit internal: column %lld must be a double or character "
                     "vector of length %lld", (long long)j + 1, (long long)n);
        if (STRING_ELT(nms, j) == NA_STRING)
            Rf_error("dyadfit internal: column %lld has no name", (long long)j + 1);
    }
    /* everything R may need is allocated before the table exists */
    const char **sv = (const char **)R_alloc((size_t)n + 1, sizeof(char *));
    double *dv = (double *)R_alloc((size_t)n + 1, sizeof(double));

    SEXP holder = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
    R_RegisterCFinalizerEx(holder, table_finalizer, TRUE);
    dyadfit_table *t = NULL;
    dyadfit_error err = {0, ""};
    int rc = dyadfit_table_new((size_t)n, &t, &err);
    if (rc) {
        if (t) dyadfit_table_free(t);
        dyadfit_r_fail(rc, &err);
    }
    R_SetExternalPtrAddr(holder, t);
    for (R_xlen_t j = 0; j < XLENGTH(cols) && !rc; j++) {
        SEXP v = VECTOR_ELT(cols, j);
        /* translateCharUTF8 may allocate (R_alloc) and error: the table is
         * already held by the external pointer */
        const char *name = Rf_translateCharUTF8(STRING_ELT(nms, j));
        if (Rf_isReal(v)) {
            const double *x = REAL(v);
            for (R_xlen_t i = 0; i < n; i++)
                dv[i] = ISNAN(x[i]) ? NAN : x[i];   /* NA and NaN: missing */
            rc = dyadfit_table_add_numeric(t, name, dv, &err);
        } else {
            for (R_xlen_t i = 0; i < n; i++) {
                SEXP e = STRING_ELT(v, i);
                sv[i] = e == NA_STRING ? NULL : Rf_translateCharUTF8(e);
            }
            rc = dyadfit_table_add_string(t, name, sv, &err);
        }
    }
    if (rc) dyadfit_r_fail(rc, &err);   /* the finalizer frees t */
    *out = t;
    return holder;
}
