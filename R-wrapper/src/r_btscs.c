/*
 * r_btscs.c -- .Call glue for btscs(): the event, time, unit (and ongoing)
 * columns go into a table, dyadfit_btscs appends the peace-years, spell and
 * spline columns, and those new columns come back as a named list of
 * doubles (read from the internal table layer, as r_read.c does).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dyadfit.h"
#include "table/table.h"
#include "r_glue.h"

/* names: c(event, time, unit, ongoing or NA, name, spell_name,
 *          spline_prefix, drop_name); iopt: c(gap, splines, drop_ongoing) */
SEXP dyadfit_r_btscs(SEXP cols, SEXP names, SEXP iopt)
{
    if (!Rf_isString(names) || XLENGTH(names) != 8)
        Rf_error("dyadfit internal: names must be 8 strings");
    if (TYPEOF(iopt) != INTSXP || XLENGTH(iopt) != 3)
        Rf_error("dyadfit internal: iopt must be 3 integers");
    const char *nm[8];
    for (int i = 0; i < 8; i++) {
        SEXP e = STRING_ELT(names, i);
        nm[i] = e == NA_STRING ? NULL : Rf_translateCharUTF8(e);
        if (!nm[i] && i != 3) Rf_error("dyadfit internal: name %d is NA", i + 1);
    }
    dyadfit_btscs_opts o;
    dyadfit_btscs_opts_init(&o);
    o.event = nm[0];
    o.time = nm[1];
    o.unit = nm[2];
    o.ongoing = nm[3];
    o.name = nm[4];
    o.spell_name = nm[5];
    o.spline_prefix = nm[6];
    o.drop_name = nm[7];
    o.gap = (dyadfit_gap)INTEGER(iopt)[0];
    o.splines = INTEGER(iopt)[1];
    o.drop_ongoing = INTEGER(iopt)[2];

    dyadfit_table *t = NULL;
    SEXP thold = dyadfit_r_table(cols, &t);   /* PROTECTed */
    size_t ncol0 = dyadfit_table_ncol(t), nrow = dyadfit_table_nrow(t);
    dyadfit_error err = {0, ""};
    int rc = dyadfit_btscs(t, &o, &err);
    if (rc) dyadfit_r_fail(rc, &err);         /* t: freed by its finalizer */

    size_t nnew = t->ncol - ncol0;
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t)nnew));
    SEXP ans_n = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)nnew));
    for (size_t j = 0; j < nnew; j++) {
        const df_column *c = &t->cols[ncol0 + j];
        SET_STRING_ELT(ans_n, (R_xlen_t)j, Rf_mkCharCE(c->name, CE_UTF8));
        if (c->type != DF_COL_NUMERIC)
            Rf_error("dyadfit internal: btscs added a string column '%s'", c->name);
        SEXP v = Rf_allocVector(REALSXP, (R_xlen_t)nrow);
        SET_VECTOR_ELT(ans, (R_xlen_t)j, v);
        double *out = REAL(v);
        for (size_t i = 0; i < nrow; i++)
            out[i] = (isnan(c->num[i]) || (c->miss && c->miss[i])) ? NA_REAL : c->num[i];
    }
    Rf_setAttrib(ans, R_NamesSymbol, ans_n);
    dyadfit_table_free(t);
    R_ClearExternalPtr(thold);
    UNPROTECT(3);
    return ans;
}
