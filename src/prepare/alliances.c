/*
 * alliances.c -- alliance measures for directed dyad-years.
 *
 * Inputs: a dyad table (A, B, year), a dyad-year alliance table (A, B,
 * year, 0/1 type columns) and a capability table (ccode, year, cinc,
 * optional region). Output: n x ncol measures, column-major (alliances.h,
 * docs/alliance_measures.md for the definitions).
 *
 * Method: the three tables are sorted by year through index arrays (the
 * tables are not changed). For each distinct year of the dyad table the
 * system is the sorted list of the capability table's states that year;
 * the alliance rows of that year are placed into an N x N matrix of type
 * bit flags as listed (directed), from which asymmetry is counted, then
 * symmetrised (union) and turned into the N x N matrix of valued ties,
 * with each state's sorted list of the states it has any tie with.
 * Every dyad row of the year is then one pass over the union of A's and
 * B's lists (the other states only add to the (0, 0) cell of the tau-b
 * table): distances for the S-scores, the contingency table of
 * (v_Ak, v_Bk) for tau-b, and the ally counts and sums. The weight totals
 * of the regional reference sets are cached per pair of regions.
 *
 * Sums of capabilities use long double accumulators, as R's sum() does:
 * the reference implementation then agrees to the last bit or so, and the
 * weighted distances lose less to cancellation when S is near 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "prepare/alliances.h"
#include "table/table.h"
#include "util/util.h"

#define MAXLEV 10   /* valued ties 0..9 */

/* Result column ids; a column may be absent (index -1). */
enum {
    C_DEF = 0, C_OFF, C_NEU, C_NAG, C_CON, C_VALUE,
    C_NDEF1, C_CAPDEF1, C_NDEF2, C_CAPDEF2, C_BAL,
    C_SUNW, C_SW, C_SUNW_R, C_SW_R, C_TAU, C_NSHDEF, C_NSH, C_N
};
static const char *const col_names[C_N] = {
    "ally_defense", "ally_offense", "ally_neutrality", "ally_nonagg",
    "ally_consul", "ally_value",
    "n_def_allies1", "cap_def_allies1", "n_def_allies2", "cap_def_allies2",
    "cap_balance_allies",
    "s_unweighted", "s_weighted", "s_unweighted_region", "s_weighted_region",
    "tau_b", "n_shared_def_allies", "n_shared_allies"
};

void df_alliance_opts_init(df_alliance_opts *o)
{
    static const char *const types[DF_ALLY_NTYPES] = {
        "defense", "offense", "neutrality", "nonagg", "consul"
    };
    static const int values[DF_ALLY_NTYPES] = { 3, 3, 2, 2, 1 };
    memset(o, 0, sizeof *o);
    o->dyad_ccode1 = o->ally_ccode1 = "ccode1";
    o->dyad_ccode2 = o->ally_ccode2 = "ccode2";
    o->dyad_year = o->ally_year = o->cap_year = "year";
    for (int t = 0; t < DF_ALLY_NTYPES; t++) {
        o->type_col[t] = types[t];
        o->type_value[t] = values[t];
    }
    o->self_tie = 1;
    o->cap_ccode = "ccode";
    o->cap_cinc = "cinc";
    o->cap_region = NULL;
}

void df_alliance_result_free(df_alliance_result *r)
{
    if (!r) return;
    free(r->names);
    free(r->values);
    free(r->nmissing);
    memset(r, 0, sizeof *r);
}

const double *df_alliance_column(const df_alliance_result *r, const char *name)
{
    for (size_t j = 0; r && name && j < r->ncol; j++)
        if (strcmp(r->names[j], name) == 0) return r->values + j * r->n;
    return NULL;
}

/* ------------------------------------------------------------ input checks */

static int numeric_col(const dyadfit_table *t, const char *tname,
                       const char *name, const char *role, const double **x,
                       dyadfit_error *err)
{
    if (!name)
        return df_error(err, DYADFIT_ERR_USAGE, "alliance measures: no column "
                        "given for %s of the %s table", role, tname);
    const df_column *c = df_table_find(t, name);
    if (!c)
        return df_error(err, DYADFIT_ERR_SPEC, "alliance measures: %s table has "
                        "no column '%s' (%s)", tname, name, role);
    if (c->type != DF_COL_NUMERIC)
        return df_error(err, DYADFIT_ERR_SPEC, "alliance measures: column '%s' of "
                        "the %s table (%s) is not numeric", name, tname, role);
    *x = c->num;
    return 0;
}

/* Codes and years must be present and integer-valued (they are matched by
 * equality; 2.0000001 is almost surely a data error). */
static int check_ints(const double *x, size_t n, const char *tname,
                      const char *name, dyadfit_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            return df_error(err, DYADFIT_ERR_DATA, "alliance measures: %s table "
                            "row %zu: '%s' is missing", tname, i + 1, name);
        if (!isfinite(x[i]) || x[i] != floor(x[i]) || fabs(x[i]) > 1e15)
            return df_error(err, DYADFIT_ERR_DATA, "alliance measures: %s table "
                            "row %zu: '%s' = %g is not an integer", tname, i + 1,
                            name, x[i]);
    }
    return 0;
}

/* ------------------------------------------------------------ sorting */

typedef struct { double k1, k2, k3; size_t row; } key;

static int key_cmp(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    if (a->k1 != b->k1) return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2) return a->k2 < b->k2 ? -1 : 1;
    if (a->k3 != b->k3) return a->k3 < b->k3 ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* First index in sorted keys [0, n) with k1 >= y. */
static size_t lower_year(const key *k, size_t n, double y)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].k1 < y) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* Index of code c in the sorted codes[0, n), or -1. */
static long find_code(const double *codes, size_t n, double c)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (codes[mid] < c) lo = mid + 1; else hi = mid;
    }
    return (lo < n && codes[lo] == c) ? (long)lo : -1;
}

/* ------------------------------------------------------------ tau-b */

/* Kendall's tau-b from the L x L contingency table of (x_k, y_k):
 *   C = pairs ordered the same way in x and y, D = ordered oppositely,
 *   n0 = N(N-1)/2, n1 = pairs tied in x, n2 = pairs tied in y,
 *   tau_b = (C - D) / sqrt((n0 - n1)(n0 - n2)).
 * All counts are exact integers (N < 2^26 keeps products below 2^53). */
static double tau_b(const size_t cnt[MAXLEV][MAXLEV], int L, size_t N)
{
    int64_t C = 0, D = 0;
    double n1 = 0, n2 = 0;
    for (int a = 0; a < L; a++)
        for (int b = 0; b < L; b++) {
            int64_t nab = (int64_t)cnt[a][b];
            if (!nab) continue;
            for (int a2 = a + 1; a2 < L; a2++)
                for (int b2 = 0; b2 < L; b2++) {
                    if (b2 > b) C += nab * (int64_t)cnt[a2][b2];
                    else if (b2 < b) D += nab * (int64_t)cnt[a2][b2];
                }
        }
    for (int a = 0; a < L; a++) {
        double r = 0, c = 0;
        for (int b = 0; b < L; b++) { r += (double)cnt[a][b]; c += (double)cnt[b][a]; }
        n1 += r * (r - 1) / 2;
        n2 += c * (c - 1) / 2;
    }
    double n0 = (double)N * ((double)N - 1) / 2;
    double den = (n0 - n1) * (n0 - n2);
    if (!(den > 0)) return NAN;   /* a constant portfolio: undefined */
    return (double)(C - D) / sqrt(den);
}

/* ------------------------------------------------------------ per year */

typedef struct {
    /* inputs */
    const double *d1, *d2, *ally1, *ally2, *tcol[DF_ALLY_NTYPES];
    int tval[DF_ALLY_NTYPES], vmax, self_tie, directed, have_region;
    int col[C_N];           /* result column index or -1 */
    /* the year's system */
    size_t N;
    double *codes, *w, *reg;
    uint8_t *F;             /* N x N type flags as listed: F[i N + j] */
    uint8_t *V;             /* N x N valued ties, symmetric */
    uint8_t *T;             /* N x N type flags, symmetrised unless directed */
    long double wsum;       /* sum of w over the system (NaN if any NaN) */
    uint32_t *nz;           /* row s: the k with V[s k] or T[s k] nonzero */
    size_t *nnz;            /* their number */
    int *rid;               /* region id 0..R-1 of each state, -1 if NaN */
    double *rw;             /* region-pair cache (N x N, upper triangle): */
    size_t *rn;             /*   weight total and size of the set, */
    uint8_t *rdone;         /*   filled on first use in the year */
} year_ws;

static void put(df_alliance_result *r, const year_ws *ws, int c, size_t row,
                double v)
{
    if (ws->col[c] >= 0) r->values[(size_t)ws->col[c] * r->n + row] = v;
}

/* Fills F, T, V from the alliance rows [a0, a1) of the sorted keys. */
static void year_ties(year_ws *ws, const key *ak, size_t a0, size_t a1,
                      df_alliance_result *out)
{
    size_t N = ws->N;
    memset(ws->F, 0, N * N);
    for (size_t r = a0; r < a1; r++) {
        size_t row = ak[r].row;
        long i = find_code(ws->codes, N, ws->ally1[row]);
        long j = find_code(ws->codes, N, ws->ally2[row]);
        out->n_ally_rows++;
        if (i < 0 || j < 0) { out->n_ally_outside++; continue; }
        if (r > a0 && ak[r - 1].k2 == ak[r].k2 && ak[r - 1].k3 == ak[r].k3)
            out->n_ally_duplicate++;
        uint8_t f = 0;
        for (int t = 0; t < DF_ALLY_NTYPES; t++)
            if (ws->tcol[t] && ws->tcol[t][row] == 1.0) f |= (uint8_t)(1u << t);
        ws->F[(size_t)i * N + (size_t)j] |= f;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            uint8_t fij = ws->F[i * N + j], fji = ws->F[j * N + i];
            if (fij && fij != fji) out->n_ally_asymmetric++;
            uint8_t f = ws->directed ? fij : (uint8_t)(fij | fji);
            int v = 0;
            for (int t = 0; t < DF_ALLY_NTYPES; t++)
                if ((f >> t & 1u) && ws->tval[t] > v) v = ws->tval[t];
            if (i == j) v = ws->self_tie ? ws->vmax : 0;
            ws->T[i * N + j] = f;
            ws->V[i * N + j] = (uint8_t)v;
        }
    for (size_t i = 0; i < N; i++) {
        size_t c = 0;
        for (size_t j = 0; j < N; j++)
            if (ws->V[i * N + j] || ws->T[i * N + j]) ws->nz[i * N + c++] = (uint32_t)j;
        ws->nnz[i] = c;
    }
}

static int dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Region ids: the rank of each state's region among the year's distinct
 * non-missing regions (tmp: N doubles of scratch). */
static void year_regions(year_ws *ws, double *tmp)
{
    size_t N = ws->N, R = 0;
    for (size_t k = 0; k < N; k++)
        if (!isnan(ws->reg[k])) tmp[R++] = ws->reg[k];
    qsort(tmp, R, sizeof *tmp, dbl_cmp);
    size_t u = 0;
    for (size_t k = 0; k < R; k++)
        if (u == 0 || tmp[k] != tmp[u - 1]) tmp[u++] = tmp[k];
    for (size_t k = 0; k < N; k++) {
        ws->rid[k] = -1;
        if (isnan(ws->reg[k])) continue;
        size_t lo = 0, hi = u;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (tmp[mid] < ws->reg[k]) lo = mid + 1; else hi = mid;
        }
        ws->rid[k] = (int)lo;
    }
    memset(ws->rdone, 0, N * N);
}

/* Size and total weight of the regional reference set of a pair of
 * regions (ids ra, rb): the states of either region, summed in code order
 * as R's sum() over the mask does; cached per year for each region pair. */
static void region_set(year_ws *ws, int ra, int rb, size_t *n_r, double *w_r)
{
    size_t key = ra < rb ? (size_t)ra * ws->N + (size_t)rb
                         : (size_t)rb * ws->N + (size_t)ra;
    if (!ws->rdone[key]) {
        long double s = 0;
        size_t n = 0;
        for (size_t k = 0; k < ws->N; k++)
            if (ws->rid[k] == ra || ws->rid[k] == rb) { s += ws->w[k]; n++; }
        ws->rn[key] = n;
        ws->rw[key] = (double)s;
        ws->rdone[key] = 1;
    }
    *n_r = ws->rn[key];
    *w_r = ws->rw[key];
}

/* All measures of one dyad row whose states are a and b in the system.
 *
 * Only the states k tied to A or to B (the union of their sorted lists of
 * nonzero ties, walked in code order) contribute anything but a (0, 0)
 * cell of the contingency table: |v_Ak - v_Bk| = 0 there and neither side
 * has a tie. A missing weight among the skipped states still makes the
 * weighted S-scores NaN, through the year's (or region's) weight total. */
static void dyad_measures(year_ws *ws, size_t a, size_t b, size_t row,
                          df_alliance_result *out)
{
    const size_t N = ws->N;
    const uint8_t *Va = ws->V + a * N, *Vb = ws->V + b * N;
    const uint8_t *Ta = ws->T + a * N, *Tb = ws->T + b * N;
    const uint32_t *la = ws->nz + a * N, *lb = ws->nz + b * N;
    const size_t na = ws->nnz[a], nb = ws->nnz[b];
    const double vmax = ws->vmax;
    const uint8_t defbit = 1u << DF_ALLY_DEFENSE;
    size_t cnt[MAXLEV][MAXLEV] = {{0}};
    long double dw = 0, cap1 = 0, cap2 = 0, dw_r = 0;
    int64_t du = 0, du_r = 0;
    size_t ndef1 = 0, ndef2 = 0, nshdef = 0, nsh = 0, nact = 0;
    int ra = ws->have_region ? ws->rid[a] : 0, rb = ws->have_region ? ws->rid[b] : 0;

    for (size_t ia = 0, ib = 0; ia < na || ib < nb; nact++) {
        size_t k;
        if (ib >= nb || (ia < na && la[ia] < lb[ib])) k = la[ia++];
        else if (ia >= na || lb[ib] < la[ia]) k = lb[ib++];
        else { k = la[ia]; ia++; ib++; }
        int x = Va[k], y = Vb[k];
        int ad = x > y ? x - y : y - x;
        cnt[x][y]++;
        du += ad;
        /* the product is rounded to double first, as R's w * abs(a - b) */
        double term = ws->w[k] * (double)ad;
        dw += term;
        if (ws->have_region && (ws->rid[k] == ra || ws->rid[k] == rb)) {
            du_r += ad;
            dw_r += term;
        }
        if (k == a || k == b) continue;
        int def1 = (Ta[k] & defbit) != 0, def2 = (Tb[k] & defbit) != 0;
        if (def1) { ndef1++; cap1 += ws->w[k]; }
        if (def2) { ndef2++; cap2 += ws->w[k]; }
        nshdef += (size_t)(def1 && def2);
        nsh += (size_t)(x > 0 && y > 0);
    }
    cnt[0][0] += N - nact;

    uint8_t f = Ta[b];
    for (int t = 0; t < DF_ALLY_NTYPES; t++)
        put(out, ws, C_DEF + t, row, (double)(f >> t & 1u));
    put(out, ws, C_VALUE, row, (double)Va[b]);
    put(out, ws, C_NDEF1, row, (double)ndef1);
    put(out, ws, C_NDEF2, row, (double)ndef2);
    double c1 = (double)cap1, c2 = (double)cap2;
    put(out, ws, C_CAPDEF1, row, c1);
    put(out, ws, C_CAPDEF2, row, c2);
    /* side 2's share of the capabilities of both sides with their allies;
     * NaN propagates from any missing cinc, 0/0 (all zero) is NaN too */
    double tot = ws->w[a] + c1 + ws->w[b] + c2;
    put(out, ws, C_BAL, row, tot > 0 ? (ws->w[b] + c2) / tot : NAN);

    /* S = 1 - 2 d / d_max with per-state distances scaled to [0, 1] by
     * v_max, so that d_max = sum of the weights */
    double d = (double)du / vmax;
    put(out, ws, C_SUNW, row, 1.0 - 2.0 * d / (double)N);
    double wsum = (double)ws->wsum;
    d = (double)dw / vmax;
    put(out, ws, C_SW, row, wsum > 0 ? 1.0 - 2.0 * d / wsum : NAN);
    if (ws->have_region) {
        /* a state without a region has no regional reference set */
        int ok = ra >= 0 && rb >= 0;
        size_t N_r = 0;
        double wr = NAN;
        if (ok) region_set(ws, ra, rb, &N_r, &wr);
        d = (double)du_r / vmax;
        put(out, ws, C_SUNW_R, row, ok ? 1.0 - 2.0 * d / (double)N_r : NAN);
        d = (double)dw_r / vmax;
        put(out, ws, C_SW_R, row, ok && wr > 0 ? 1.0 - 2.0 * d / wr : NAN);
    }
    put(out, ws, C_TAU, row, tau_b(cnt, ws->vmax + 1, N));
    put(out, ws, C_NSHDEF, row, (double)nshdef);
    put(out, ws, C_NSH, row, (double)nsh);
}

/* ------------------------------------------------------------ driver */

static int check_opts(const df_alliance_opts *o, dyadfit_error *err)
{
    int any = 0;
    for (int t = 0; t < DF_ALLY_NTYPES; t++) {
        if (o->type_value[t] < 0 || o->type_value[t] >= MAXLEV)
            return df_error(err, DYADFIT_ERR_USAGE, "alliance measures: value of "
                            "type %s is %d; values must be integers 0..%d",
                            col_names[t] + 5, o->type_value[t], MAXLEV - 1);
        if (o->type_col[t]) any = 1;
    }
    if (!any)
        return df_error(err, DYADFIT_ERR_USAGE, "alliance measures: no alliance "
                        "type column given");
    return 0;
}

int df_alliance_measures(const dyadfit_table *dyads,
                         const dyadfit_table *alliances,
                         const dyadfit_table *capabilities,
                         const df_alliance_opts *o, df_alliance_result *out,
                         dyadfit_error *err)
{
    int rc = 0;
    key *dk = NULL, *ak = NULL, *ck = NULL;
    double *tmp = NULL;
    year_ws ws;
    const double *dy, *ay, *cc, *cy, *cinc, *creg = NULL;
    size_t nd, na, nc;

    memset(&ws, 0, sizeof ws);
    if (out) memset(out, 0, sizeof *out);
    if (!dyads || !alliances || !capabilities || !o || !out)
        return df_error(err, DYADFIT_ERR_USAGE, "alliance measures: NULL argument");
    if ((rc = check_opts(o, err))) return rc;
    nd = dyads->nrow; na = alliances->nrow; nc = capabilities->nrow;

    /* ---- columns */
    if ((rc = numeric_col(dyads, "dyad", o->dyad_ccode1, "ccode1", &ws.d1, err)) ||
        (rc = numeric_col(dyads, "dyad", o->dyad_ccode2, "ccode2", &ws.d2, err)) ||
        (rc = numeric_col(dyads, "dyad", o->dyad_year, "year", &dy, err)) ||
        (rc = numeric_col(alliances, "alliance", o->ally_ccode1, "ccode1", &ws.ally1, err)) ||
        (rc = numeric_col(alliances, "alliance", o->ally_ccode2, "ccode2", &ws.ally2, err)) ||
        (rc = numeric_col(alliances, "alliance", o->ally_year, "year", &ay, err)) ||
        (rc = numeric_col(capabilities, "capability", o->cap_ccode, "ccode", &cc, err)) ||
        (rc = numeric_col(capabilities, "capability", o->cap_year, "year", &cy, err)) ||
        (rc = numeric_col(capabilities, "capability", o->cap_cinc, "cinc", &cinc, err)))
        return rc;
    if (o->cap_region &&
        (rc = numeric_col(capabilities, "capability", o->cap_region, "region", &creg, err)))
        return rc;
    ws.vmax = 0;
    for (int t = 0; t < DF_ALLY_NTYPES; t++) {
        ws.tval[t] = o->type_value[t];
        if (!o->type_col[t]) continue;
        if ((rc = numeric_col(alliances, "alliance", o->type_col[t], col_names[t] + 5,
                              &ws.tcol[t], err)))
            return rc;
        if (ws.tval[t] > ws.vmax) ws.vmax = ws.tval[t];
    }
    if (ws.vmax == 0)
        return df_error(err, DYADFIT_ERR_USAGE, "alliance measures: every alliance "
                        "type has value 0; at least one must be positive");
    ws.self_tie = o->self_tie != 0;
    ws.directed = o->directed != 0;
    ws.have_region = creg != NULL;

    /* ---- values */
    if ((rc = check_ints(ws.d1, nd, "dyad", o->dyad_ccode1, err)) ||
        (rc = check_ints(ws.d2, nd, "dyad", o->dyad_ccode2, err)) ||
        (rc = check_ints(dy, nd, "dyad", o->dyad_year, err)) ||
        (rc = check_ints(ws.ally1, na, "alliance", o->ally_ccode1, err)) ||
        (rc = check_ints(ws.ally2, na, "alliance", o->ally_ccode2, err)) ||
        (rc = check_ints(ay, na, "alliance", o->ally_year, err)) ||
        (rc = check_ints(cc, nc, "capability", o->cap_ccode, err)) ||
        (rc = check_ints(cy, nc, "capability", o->cap_year, err)))
        return rc;
    for (size_t i = 0; i < nd; i++)
        if (ws.d1[i] == ws.d2[i])
            return df_error(err, DYADFIT_ERR_DATA, "alliance measures: dyad table "
                            "row %zu: ccode1 = ccode2 = %.0f", i + 1, ws.d1[i]);
    for (size_t i = 0; i < na; i++) {
        if (ws.ally1[i] == ws.ally2[i])
            return df_error(err, DYADFIT_ERR_DATA, "alliance measures: alliance "
                            "table row %zu: state %.0f allied with itself", i + 1,
                            ws.ally1[i]);
        for (int t = 0; t < DF_ALLY_NTYPES; t++) {
            if (!ws.tcol[t]) continue;
            double v = ws.tcol[t][i];
            if (v != 0.0 && v != 1.0)
                return df_error(err, DYADFIT_ERR_DATA, "alliance measures: alliance "
                                "table row %zu: '%s' is %s; must be 0 or 1", i + 1,
                                o->type_col[t], isnan(v) ? "missing" : "not 0/1");
        }
    }
    for (size_t i = 0; i < nc; i++)
        if (cinc[i] < 0 || isinf(cinc[i]))
            return df_error(err, DYADFIT_ERR_DATA, "alliance measures: capability "
                            "table row %zu: '%s' = %g; must be a share >= 0", i + 1,
                            o->cap_cinc, cinc[i]);

    /* ---- sorted views */
    dk = df_malloc(nd ? nd : 1, sizeof *dk);
    ak = df_malloc(na ? na : 1, sizeof *ak);
    ck = df_malloc(nc ? nc : 1, sizeof *ck);
    if (!dk || !ak || !ck) goto nomem;
    for (size_t i = 0; i < nd; i++) dk[i] = (key){ dy[i], 0, 0, i };
    for (size_t i = 0; i < na; i++) ak[i] = (key){ ay[i], ws.ally1[i], ws.ally2[i], i };
    for (size_t i = 0; i < nc; i++) ck[i] = (key){ cy[i], cc[i], 0, i };
    qsort(dk, nd, sizeof *dk, key_cmp);
    qsort(ak, na, sizeof *ak, key_cmp);
    qsort(ck, nc, sizeof *ck, key_cmp);
    size_t maxN = 0;
    for (size_t i = 0, run = 0; i < nc; i++) {
        if (i > 0 && ck[i].k1 == ck[i - 1].k1 && ck[i].k2 == ck[i - 1].k2) {
            rc = df_error(err, DYADFIT_ERR_DATA, "alliance measures: capability "
                          "table rows %zu and %zu: state %.0f twice in year %.0f",
                          ck[i - 1].row + 1, ck[i].row + 1, ck[i].k2, ck[i].k1);
            goto cleanup;
        }
        run = (i > 0 && ck[i].k1 == ck[i - 1].k1) ? run + 1 : 1;
        if (run > maxN) maxN = run;
    }

    /* ---- result */
    int ncol = 0;
    for (int c = 0; c < C_N; c++) {
        int on = 1;
        if (c <= C_CON) on = o->type_col[c] != NULL;
        if (c == C_SUNW_R || c == C_SW_R) on = ws.have_region;
        ws.col[c] = on ? ncol++ : -1;
    }
    out->n = nd;
    out->ncol = (size_t)ncol;
    out->names = df_malloc((size_t)ncol, sizeof *out->names);
    out->values = df_malloc(nd ? nd * (size_t)ncol : 1, sizeof *out->values);
    out->nmissing = df_calloc((size_t)ncol, sizeof *out->nmissing);
    if (!out->names || !out->values || !out->nmissing) goto nomem;
    if (nd && nd * (size_t)ncol / nd != (size_t)ncol) goto nomem;
    for (int c = 0; c < C_N; c++)
        if (ws.col[c] >= 0) out->names[ws.col[c]] = col_names[c];
    for (size_t i = 0; i < nd * (size_t)ncol; i++) out->values[i] = NAN;

    size_t m = maxN ? maxN : 1;
    ws.codes = df_malloc(m, sizeof *ws.codes);
    ws.w = df_malloc(m, sizeof *ws.w);
    ws.reg = df_malloc(m, sizeof *ws.reg);
    ws.F = df_malloc(m, m);
    ws.T = df_malloc(m, m);
    ws.V = df_malloc(m, m);
    ws.nz = df_malloc(m * m, sizeof *ws.nz);
    ws.nnz = df_malloc(m, sizeof *ws.nnz);
    ws.rid = df_malloc(m, sizeof *ws.rid);
    ws.rw = df_malloc(m * m, sizeof *ws.rw);
    ws.rn = df_malloc(m * m, sizeof *ws.rn);
    ws.rdone = df_malloc(m, m);
    tmp = df_malloc(m, sizeof *tmp);
    if (!ws.codes || !ws.w || !ws.reg || !ws.F || !ws.T || !ws.V || !ws.nz ||
        !ws.nnz || !ws.rid || !ws.rw || !ws.rn || !ws.rdone || !tmp)
        goto nomem;

    /* ---- year by year */
    for (size_t r0 = 0, r1; r0 < nd; r0 = r1) {
        double year = dk[r0].k1;
        for (r1 = r0; r1 < nd && dk[r1].k1 == year; r1++) {}
        out->n_years++;

        size_t c0 = lower_year(ck, nc, year), c1 = c0;
        while (c1 < nc && ck[c1].k1 == year) c1++;
        ws.N = c1 - c0;
        ws.wsum = 0;
        for (size_t s = 0; s < ws.N; s++) {
            size_t row = ck[c0 + s].row;
            ws.codes[s] = ck[c0 + s].k2;
            ws.w[s] = cinc[row];
            ws.reg[s] = creg ? creg[row] : 0;
            ws.wsum += ws.w[s];
            if (isnan(cinc[row])) out->n_cap_missing++;
        }
        size_t a0 = lower_year(ak, na, year), a1 = a0;
        while (a1 < na && ak[a1].k1 == year) a1++;
        year_ties(&ws, ak, a0, a1, out);
        if (ws.have_region) year_regions(&ws, tmp);

        for (size_t r = r0; r < r1; r++) {
            size_t row = dk[r].row;
            long ia = find_code(ws.codes, ws.N, ws.d1[row]);
            long ib = find_code(ws.codes, ws.N, ws.d2[row]);
            if (ia < 0 || ib < 0) { out->n_dyads_outside++; continue; }
            dyad_measures(&ws, (size_t)ia, (size_t)ib, row, out);
        }
    }
    for (size_t j = 0; j < out->ncol; j++)
        for (size_t i = 0; i < nd; i++)
            out->nmissing[j] += isnan(out->values[j * nd + i]) != 0;
    goto cleanup;

nomem:
    rc = df_error(err, DYADFIT_ERR_SYSTEM, "alliance measures: out of memory "
                  "(%zu dyad rows, %zu alliance rows)", nd, na);
cleanup:
    free(dk); free(ak); free(ck);
    free(ws.codes); free(ws.w); free(ws.reg);
    free(ws.F); free(ws.T); free(ws.V);
    free(ws.nz); free(ws.nnz); free(ws.rid); free(ws.rw); free(ws.rn);
    free(ws.rdone); free(tmp);
    if (rc) df_alliance_result_free(out);
    return rc;
}
