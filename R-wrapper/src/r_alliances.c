/*
 * r_alliances.c -- .Call glue for alliances(): the dyad, alliance,
 * capability (and states) columns go into tables, dyadfit_alliances appends
 * the measures to the dyad table, and the new columns come back as a named
 * list of doubles with the bookkeeping counts as attribute "info".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "dyadfit.h"
#include "table/table.h"
#include "r_glue.h"

SEXP dyadfit_r_alliances(SEXP dycols, SEXP alcols, SEXP capcols, SEXP stcols,
                         SEXP names, SEXP iopt);

/* names: c(ccode1, ccode2, year, measures, region or NA);
 * iopt: c(directed, replace) */
SEXP dyadfit_r_alliances(SEXP dycols, SEXP alcols, SEXP capcols, SEXP stcols,
                         SEXP names, SEXP iopt)
{
    if (!Rf_isString(names) || XLENGTH(names) != 5)
        Rf_error("dyadfit internal: names must be 5 strings");
    if (TYPEOF(iopt) != INTSXP || XLENGTH(iopt) != 2)
        Rf_error("dyadfit internal: iopt must be 2 integers");
    const char *nm[5];
    for (int i = 0; i < 5; i++) {
        SEXP e = STRING_ELT(names, i);
        nm[i] = e == NA_STRING ? NULL : Rf_translateCharUTF8(e);
        if (!nm[i] && i != 4) Rf_error("dyadfit internal: name %d is NA", i + 1);
    }
    dyadfit_alliances_opts o;
    dyadfit_alliances_opts_init(&o);
    o.ccode1 = nm[0];
    o.ccode2 = nm[1];
    o.year = nm[2];
    o.measures = nm[3];
    o.region = nm[4];            /* NULL: "region" if the table has it */
    o.directed = INTEGER(iopt)[0];
    o.replace = INTEGER(iopt)[1];

    /* each table is held by its own PROTECTed external pointer */
    int nprot = 0;
    dyadfit_table *dy = NULL, *al = NULL, *cap = NULL, *st = NULL;
    SEXP hdy = dyadfit_r_table(dycols, &dy); nprot++;
    SEXP hal = dyadfit_r_table(alcols, &al); nprot++;
    SEXP hcap = dyadfit_r_table(capcols, &cap); nprot++;
    SEXP hst = R_NilValue;
    if (!Rf_isNull(stcols)) { hst = dyadfit_r_table(stcols, &st); nprot++; }

    size_t ncol0 = dyadfit_table_ncol(dy), nrow = dyadfit_table_nrow(dy);
    dyadfit_alliances_info info;
    memset(&info, 0, sizeof info);
    dyadfit_error err = {0, ""};
    int rc = dyadfit_alliances(dy, al, cap, st, &o, &info, &err);
    if (rc) dyadfit_r_fail(rc, &err);   /* the tables: freed by finalizers */

    size_t nnew = dy->ncol - ncol0;
    SEXP ans = PROTECT(Rf_allocVector(VECSXP, (R_xlen_t)nnew)); nprot++;
    SEXP ans_n = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)nnew)); nprot++;
    for (size_t j = 0; j < nnew; j++) {
        const df_column *c = &dy->cols[ncol0 + j];
        SET_STRING_ELT(ans_n, (R_xlen_t)j, Rf_mkCharCE(c->name, CE_UTF8));
        if (c->type != DF_COL_NUMERIC)
            Rf_error("dyadfit internal: alliances added a string column '%s'",
                     c->name);
        SEXP v = Rf_allocVector(REALSXP, (R_xlen_t)nrow);
        SET_VECTOR_ELT(ans, (R_xlen_t)j, v);
        double *out = REAL(v);
        /* the library's NaN (missing) becomes R's NA */
        for (size_t i = 0; i < nrow; i++)
            out[i] = (isnan(c->num[i]) || (c->miss && c->miss[i])) ? NA_REAL
                     : c->num[i];
    }
    Rf_setAttrib(ans, R_NamesSymbol, ans_n);

    static const char *const inames[] = {
        "columns_added", "n_years", "n_dyads_outside", "n_ally_rows",
        "n_ally_outside", "n_ally_duplicate", "n_ally_asymmetric",
        "n_cap_missing", "n_cap_not_member" };
    const size_t ivals[] = {
        info.columns_added, info.n_years, info.n_dyads_outside,
        info.n_ally_rows, info.n_ally_outside, info.n_ally_duplicate,
        info.n_ally_asymmetric, info.n_cap_missing, info.n_cap_not_member };
    enum { NINFO = sizeof ivals / sizeof ivals[0] };
    SEXP inf = PROTECT(Rf_allocVector(REALSXP, NINFO)); nprot++;
    SEXP inf_n = PROTECT(Rf_allocVector(STRSXP, NINFO)); nprot++;
    for (int k = 0; k < NINFO; k++) {
        REAL(inf)[k] = (double)ivals[k];
        SET_STRING_ELT(inf_n, k, Rf_mkChar(inames[k]));
    }
    Rf_setAttrib(inf, R_NamesSymbol, inf_n);
    Rf_setAttrib(ans, Rf_install("info"), inf);

    dyadfit_table_free(dy); R_ClearExternalPtr(hdy);
    dyadfit_table_free(al); R_ClearExternalPtr(hal);
    dyadfit_table_free(cap); R_ClearExternalPtr(hcap);
    if (st) { dyadfit_table_free(st); R_ClearExternalPtr(hst); }
    UNPROTECT(nprot);
    return ans;
}
