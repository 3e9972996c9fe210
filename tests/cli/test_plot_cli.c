/*
 * test_plot_cli.c -- dyadfit plot coef / predict / survival through the
 * built command line ($DYADFIT_BIN, default build/dyadfit) on the bundled
 * Leeds data. The SVG is checked structurally in C (no xmllint needed):
 * well-formed (balanced tags, one <svg> root, only known entities), the
 * number of points, intervals, curves and bands per model and term, the
 * term names XML-escaped, tick labels that are nice round numbers covering
 * the data, and the plotted curve equal to `dyadfit predict` at a grid
 * point (read back from the pixel coordinates: 1e-6 on the probability
 * scale, the resolution of two-decimal pixels). Errors: exit code and
 * message for each bad input, and no output file left behind.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"


static char dir[200], m1[300], m2[300], m3[300], errf[300];

#define F1 "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
#define F2 "mid_onset ~ defense * contig + factor(region) + log(cap_ratio) + peaceyrs"



static void setup(void)
{
    if (m1[0]) return;
    snprintf(dir, sizeof dir, "/tmp/dyadfit-plot-%d", (int)getpid());
    tu_sh("rm -rf %s; mkdir -p %s", dir, dir);
    snprintf(m1, sizeof m1, "%s/m1.json", dir);
    snprintf(m2, sizeof m2, "%s/m2.json", dir);
    snprintf(m3, sizeof m3, "%s/odd.json", dir);
    snprintf(errf, sizeof errf, "%s/stderr.txt", dir);
    CU_ASSERT_EQUAL(tu_sh("%s fit logit '" F1 "' data/leeds_dyads.dta --vce cluster dyad "
                       "--save %s > /dev/null", tu_bin(), m1), 0);
    CU_ASSERT_EQUAL(tu_sh("%s fit probit '" F2 "' data/leeds_dyads.dta --save %s > /dev/null",
                       tu_bin(), m2), 0);
    /* names a formula could produce with backquotes, and a missing interval
     * (then estimate -/+ z se) */
    FILE *f = fopen(m3, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("{\"estimator\": \"logit\", \"level\": 0.95, \"coefficients\": [\n"
          "{\"term\": \"a<b\", \"estimate\": 0.5, \"std.error\": 0.1, \"conf.low\": 0.3, \"conf.high\": 0.7},\n"
          "{\"term\": \"x & y\", \"estimate\": -0.2, \"std.error\": 0.1, \"conf.low\": null, \"conf.high\": null},\n"
          "{\"term\": \"log(cap_ratio)\", \"estimate\": 0.1, \"std.error\": 0.05},\n"
          "{\"term\": \"q\\\"uote'd>\", \"estimate\": 1.2, \"std.error\": 0.2}]}\n", f);
    fclose(f);
}

/* ------------------------------------------------------- SVG structure */

/* A small XML well-formedness check: every tag closed in order, one root
 * <svg> element, attribute values quoted, no raw '<' or stray '&' in text
 * or attributes (only the five predefined entities and numeric ones). */
static int entity_ok(const char *p)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", NULL};
    for (const char *const *e = ents; *e; e++)
        if (strncmp(p, *e, strlen(*e)) == 0) return 1;
    if (p[1] == '#') {
        const char *q = p + 2;
        while (isdigit((unsigned char)*q)) q++;
        return q > p + 2 && *q == ';';
    }
    return 0;
}

static int xml_ok(const char *s, char *why, size_t nwhy)
{
    char stack[64][64];
    int depth = 0, roots = 0;
    const char *p = s;
    if (strncmp(p, "<?xml", 5) == 0) {
        p = strstr(p, "?>");
        if (!p) return snprintf(why, nwhy, "unterminated declaration"), 0;
        p += 2;
    }
    while (*p) {
        if (*p == '&') {
            if (!entity_ok(p)) return snprintf(why, nwhy, "stray & at %ld", (long)(p - s)), 0;
            p++;
            continue;
        }
        if (*p == '>') return snprintf(why, nwhy, "stray > at %ld", (long)(p - s)), 0;
        if (*p != '<') {
            if (depth == 0 && !isspace((unsigned char)*p))
                return snprintf(why, nwhy, "text outside the root at %ld", (long)(p - s)), 0;
            p++;
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing, *e = n;
        while (isalnum((unsigned char)*e) || *e == ':' || *e == '-' || *e == '_') e++;
        size_t len = (size_t)(e - n);
        if (len == 0 || len >= 64) return snprintf(why, nwhy, "bad tag name at %ld", (long)(p - s)), 0;
        /* attributes: name="value" with no '<' and valid entities inside */
        const char *q = e;
        int self = 0;
        for (;;) {
            while (isspace((unsigned char)*q)) q++;
            if (*q == '>') break;
            if (*q == '/' && q[1] == '>') {
                self = 1;
                q++;
                break;
            }
            if (closing || !(isalpha((unsigned char)*q)))
                return snprintf(why, nwhy, "bad attribute at %ld", (long)(q - s)), 0;
            while (isalnum((unsigned char)*q) || *q == '-' || *q == ':' || *q == '_') q++;
            if (q[0] != '=' || (q[1] != '"' && q[1] != '\''))
                return snprintf(why, nwhy, "unquoted attribute at %ld", (long)(q - s)), 0;
            char quote = q[1];
            q += 2;
            while (*q && *q != quote) {
                if (*q == '<' || (*q == '&' && !entity_ok(q)))
                    return snprintf(why, nwhy, "bad character in attribute at %ld", (long)(q - s)), 0;
                q++;
            }
            if (!*q) return snprintf(why, nwhy, "unterminated attribute"), 0;
            q++;
        }
        if (closing) {
            if (depth == 0 || strlen(stack[depth - 1]) != len || strncmp(stack[depth - 1], n, len))
                return snprintf(why, nwhy, "</%.*s> does not close the open tag", (int)len, n), 0;
            depth--;
        } else if (!self) {
            if (depth == 0 && roots++) return snprintf(why, nwhy, "two root elements"), 0;
            if (depth == 64) return snprintf(why, nwhy, "too deep"), 0;
            memcpy(stack[depth], n, len);
            stack[depth++][len] = 0;
            if (depth == 1 && strcmp(stack[0], "svg") != 0)
                return snprintf(why, nwhy, "root is <%s>, not <svg>", stack[0]), 0;
        } else if (depth == 0) {
            return snprintf(why, nwhy, "empty element outside the root"), 0;
        }
        p = q + 1;
    }
    if (depth) return snprintf(why, nwhy, "<%s> not closed", stack[depth - 1]), 0;
    if (roots != 1) return snprintf(why, nwhy, "no <svg> root"), 0;
    return 1;
}

static void assert_xml(const char *svg)
{
    char why[200] = "";
    int ok = xml_ok(svg, why, sizeof why);
    if (!ok) fprintf(stderr, "  not well-formed: %s\n", why);
    CU_ASSERT(ok);
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* A numeric attribute of the element starting at p. */
static double attr(const char *p, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *end = strchr(p, '>');
    const char *a = strstr(p, key);
    if (!a || (end && a > end)) return NAN;
    return strtod(a + strlen(key), NULL);
}

/* Tick labels of a class ("xtick"): values (U+2212 read as '-') and the
 * x or y attribute of each. Returns how many. */
static size_t ticks(const char *svg, const char *cls, double *v, double *pos, const char *coord,
                    size_t max)
{
    char key[64];
    snprintf(key, sizeof key, "<text class=\"%s\"", cls);
    size_t n = 0;
    for (const char *p = strstr(svg, key); p && n < max; p = strstr(p + 1, key)) {
        const char *t = strchr(p, '>') + 1;
        char buf[64];
        size_t b = 0;
        if (strncmp(t, "\xE2\x88\x92", 3) == 0) {
            buf[b++] = '-';
            t += 3;
        }
        while (*t && *t != '<' && b < sizeof buf - 1) buf[b++] = *t++;
        buf[b] = 0;
        char *end;
        v[n] = strtod(buf, &end);
        CU_ASSERT(*end == 0 && b > 0);
        pos[n++] = attr(p, coord);
    }
    return n;
}

/* Nice: equally spaced by 1, 2 or 5 x 10^e, each tick a whole multiple. */
static void assert_nice(const double *v, size_t n)
{
    CU_ASSERT_FATAL(n >= 3 && n <= 12);
    double step = v[1] - v[0];
    CU_ASSERT(step > 0);
    double e = floor(log10(step) + 1e-9), m = step / pow(10, e);
    int nice = fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
    if (!nice) fprintf(stderr, "  tick step %g is not 1, 2 or 5 x 10^k\n", step);
    CU_ASSERT(nice);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(fabs(v[i] / step - round(v[i] / step)) < 1e-6);
        if (i) CU_ASSERT(fabs(v[i] - v[i - 1] - step) < 1e-9 * (1 + fabs(step)));
    }
}

/* A path in the test folder; eight rotating buffers, so a test can hold
 * several at once. */
static char *out_path(const char *name)
{
    static char p[8][400];
    static int next;
    char *b = p[next++ % 8];
    snprintf(b, 400, "%s/%s", dir, name);
    return b;
}

/* ----------------------------------------------------------- coef plot */

static void test_coef_two_models(void)
{
    setup();
    char *svgp = out_path("coef.svg");
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s plot coef %s %s --drop '(Intercept)' --out %s 2>%s", tu_bin(), m1,
                             m2, svgp, errf), 0);
    char *svg = tu_slurp(svgp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
    assert_xml(svg);
    CU_ASSERT(strstr(svg, "width=\"6.500in\"") != NULL);
    /* m1: 10 terms, m2: 10 terms without the intercept; union 16 rows */
    CU_ASSERT_EQUAL(count(svg, "<circle class=\"pt\""), 20);
    CU_ASSERT_EQUAL(count(svg, "<line class=\"ci\""), 20);
    CU_ASSERT_EQUAL(count(svg, "<text class=\"term\""), 16);
    CU_ASSERT_EQUAL(count(svg, "<circle class=\"key\""), 2);
    CU_ASSERT_EQUAL(count(svg, "<line class=\"zero\""), 1);
    CU_ASSERT(strstr(svg, ">(Intercept)<") == NULL);
    static const char *const terms[] = {">log(cap_ratio)</text>", ">I(peaceyrs^2)</text>",
                                        ">factor(region)2</text>", ">defense:contig</text>",
                                        ">m1</text>", ">m2</text>", NULL};
    for (const char *const *t = terms; *t; t++) {
        if (!strstr(svg, *t)) fprintf(stderr, "  missing %s\n", *t);
        CU_ASSERT(strstr(svg, *t) != NULL);
    }
    /* rows in order of first appearance: m1's terms, then m2's new ones */
    const char *a = strstr(svg, ">defense</text>"), *b = strstr(svg, ">I(peaceyrs^3)</text>"),
               *c = strstr(svg, ">factor(region)2</text>"), *d = strstr(svg, ">defense:contig</text>");
    CU_ASSERT(a && b && c && d && a < b && b < c && c < d);
    /* ticks: nice numbers, with 0, and every estimate between the outer ones */
    double v[64], x[64];
    size_t n = ticks(svg, "xtick", v, x, "x", 64);
    assert_nice(v, n);
    int zero = 0;
    for (size_t i = 0; i < n; i++) zero |= v[i] == 0;
    CU_ASSERT(zero);
    for (const char *p = strstr(svg, "<circle class=\"pt\""); p; p = strstr(p + 1, "<circle class=\"pt\"")) {
        double cx = attr(p, "cx");
        CU_ASSERT(cx >= x[0] - 1e-9 && cx <= x[n - 1] + 1e-9);
    }
    for (const char *p = strstr(svg, "<line class=\"ci\""); p; p = strstr(p + 1, "<line class=\"ci\"")) {
        CU_ASSERT(attr(p, "x1") >= x[0] - 1e-9 && attr(p, "x2") <= x[n - 1] + 1e-9);
        CU_ASSERT(attr(p, "x1") <= attr(p, "x2"));
    }
    free(svg);
}

/* The saved interval is what is drawn: read the estimate and CI of
 * `defense` in m1 back from the pixels via the tick positions. */
static void test_coef_positions(void)
{
    setup();
    char *svgp = out_path("coef1.svg");
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s plot coef %s --out %s 2>%s", tu_bin(), m1, svgp, errf), 0);
    char *svg = tu_slurp(svgp, NULL), *json = tu_slurp(m1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    assert_xml(svg);
    CU_ASSERT_EQUAL(count(svg, "<circle class=\"pt\""), 11);
    CU_ASSERT_EQUAL(count(svg, "<circle class=\"key\""), 0);   /* one model: no legend */
    double v[64], x[64];
    size_t n = ticks(svg, "xtick", v, x, "x", 64);
    assert_nice(v, n);
    const char *row = strstr(json, "{\"term\": \"defense\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(row);
    double est = strtod(strstr(row, "\"estimate\": ") + 12, NULL);
    double lo = strtod(strstr(row, "\"conf.low\": ") + 12, NULL);
    double hi = strtod(strstr(row, "\"conf.high\": ") + 13, NULL);
    /* the second point and interval are defense's (after the intercept) */
    const char *pt = strstr(strstr(svg, "<circle class=\"pt\"") + 1, "<circle class=\"pt\"");
    const char *ci = strstr(strstr(svg, "<line class=\"ci\"") + 1, "<line class=\"ci\"");
    double scale = (v[n - 1] - v[0]) / (x[n - 1] - x[0]);
    double got_est = v[0] + (attr(pt, "cx") - x[0]) * scale;
    double got_lo = v[0] + (attr(ci, "x1") - x[0]) * scale;
    double got_hi = v[0] + (attr(ci, "x2") - x[0]) * scale;
    /* two-decimal pixels: 0.005 px */
    double tol = 0.006 * fabs(scale);
    CU_ASSERT(fabs(got_est - est) < tol);
    CU_ASSERT(fabs(got_lo - lo) < tol);
    CU_ASSERT(fabs(got_hi - hi) < tol);
    free(svg);
    free(json);
}

static void test_coef_escaping_labels(void)
{
    setup();
    char *lab = out_path("labels.tsv");
    FILE *f = fopen(lab, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("# term\tlabel\nlog(cap_ratio)\tCapability ratio (log)\n\"x & y\",\"Both, x & y\"\n", f);
    fclose(f);
    char *svgp = out_path("odd.svg");
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s plot coef %s %s --name 'Model <A>' --name 'B&B' --labels %s "
                             "--out %s 2>%s", tu_bin(), m3, m1, lab, svgp, errf), 0);
    char *svg = tu_slurp(svgp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
    assert_xml(svg);
    CU_ASSERT(strstr(svg, ">a&lt;b</text>") != NULL);
    CU_ASSERT(strstr(svg, ">Both, x &amp; y</text>") != NULL);
    CU_ASSERT(strstr(svg, ">q&quot;uote&#39;d&gt;</text>") != NULL);
    CU_ASSERT(strstr(svg, ">Capability ratio (log)</text>") != NULL);
    CU_ASSERT(strstr(svg, ">log(cap_ratio)</text>") == NULL);
    CU_ASSERT(strstr(svg, ">Model &lt;A&gt;</text>") != NULL);
    CU_ASSERT(strstr(svg, ">B&amp;B</text>") != NULL);
    /* 4 + 11 points; log(cap_ratio) is shared: 4 + 11 - 1 rows */
    CU_ASSERT_EQUAL(count(svg, "<circle class=\"pt\""), 15);
    CU_ASSERT_EQUAL(count(svg, "<line class=\"ci\""), 15);
    CU_ASSERT_EQUAL(count(svg, "<text class=\"term\""), 14);
    free(svg);
}

/* ------------------------------------------------------ predict plot */

static void test_predict_curves(void)
{
    setup();
    char *svgp = out_path("pp.svg");
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s plot predict %s --x peaceyrs --from 0 --to 40 --points 11 "
                             "--at 'defense=1' --at 'defense=0' --out %s 2>%s",
                             tu_bin(), m1, svgp, errf), 0);
    char *svg = tu_slurp(svgp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
    assert_xml(svg);
    CU_ASSERT_EQUAL(count(svg, "<polyline class=\"fit\""), 2);
    CU_ASSERT_EQUAL(count(svg, "<polygon class=\"band\""), 2);
    CU_ASSERT_EQUAL(count(svg, "<line class=\"key\""), 2);
    CU_ASSERT(strstr(svg, ">defense=1</text>") && strstr(svg, ">defense=0</text>"));
    CU_ASSERT(strstr(svg, ">peaceyrs</text>") && strstr(svg, ">Predicted probability</text>"));
    /* 11 points per curve, 22 per band */
    const char *pl = strstr(svg, "<polyline class=\"fit\"");
    const char *pts = strstr(pl, "points=\"") + 8;
    size_t np = 1;
    for (const char *q = pts; *q != '"'; q++) np += *q == ' ';
    CU_ASSERT_EQUAL(np, 11);
    const char *pg = strstr(svg, "<polygon class=\"band\"");
    const char *bp = strstr(pg, "points=\"") + 8;
    size_t nb = 1;
    for (const char *q = bp; *q != '"'; q++) nb += *q == ' ';
    CU_ASSERT_EQUAL(nb, 22);
    /* x ticks: nice, from 0 to 40 exactly; y ticks nice from 0 */
    double xv[64], xp[64], yv[64], yp[64];
    size_t nx = ticks(svg, "xtick", xv, xp, "x", 64);
    size_t ny = ticks(svg, "ytick", yv, yp, "y", 64);
    assert_nice(xv, nx);
    assert_nice(yv, ny);
    CU_ASSERT(xv[0] == 0 && xv[nx - 1] == 40);
    CU_ASSERT(yv[0] == 0);
    /* the 6th point of the first curve (peaceyrs = 20, defense = 1) against
     * dyadfit predict; y labels sit 0.35 em (3.85 px) below their tick */
    char *csv = out_path("pred.csv");
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s predict %s --at 'defense=1 peaceyrs=20' --format csv > %s",
                             tu_bin(), m1, csv), 0);
    char *pc = tu_slurp(csv, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pc);
    const char *line = strchr(pc, '\n') + 1;
    double want = strtod(strchr(line, ',') + 1, NULL);
    const char *q = pts;
    for (int i = 0; i < 5; i++) q = strchr(q, ' ') + 1;
    double px = strtod(q, NULL), py = strtod(strchr(q, ',') + 1, NULL);
    double y0 = yp[0] - 3.85, y1 = yp[ny - 1] - 3.85;
    double got = yv[0] + (py - y0) / (y1 - y0) * (yv[ny - 1] - yv[0]);
    double tol = 0.006 * fabs((yv[ny - 1] - yv[0]) / (y1 - y0));
    if (fabs(got - want) >= tol) fprintf(stderr, "  plotted %.8g, predict %.8g\n", got, want);
    CU_ASSERT(fabs(got - want) < tol);
    CU_ASSERT(fabs(px - (xp[0] + 0.5 * (xp[nx - 1] - xp[0]))) < 0.01);
    free(pc);
    free(svg);
}

static void test_predict_defaults(void)
{
    setup();
    /* no --at: one curve, no legend; range: the observed range of peaceyrs */
    char *svgp = out_path("pp1.svg");
    CU_ASSERT_EQUAL_FATAL(tu_sh("%s plot predict %s --x peaceyrs --points 5 --out %s 2>%s", tu_bin(),
                             m2, svgp, errf), 0);
    char *svg = tu_slurp(svgp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
    assert_xml(svg);
    CU_ASSERT_EQUAL(count(svg, "<polyline class=\"fit\""), 1);
    CU_ASSERT_EQUAL(count(svg, "<polygon class=\"band\""), 1);
    CU_ASSERT_EQUAL(count(svg, "class=\"key\""), 0);
    double xv[64], xp[64];
    size_t nx = ticks(svg, "xtick", xv, xp, "x", 64);
    assert_nice(xv, nx);
    free(svg);
}

/* ------------------------------------------------------------- errors */

static char *err_text(void)
{
    static char buf[2048];
    FILE *f = fopen(errf, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
    return buf;
}

static void expect_error(int want_rc, const char *want_msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void expect_error(int want_rc, const char *want_msg, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *svgp = out_path("err.svg");
    remove(svgp);
    int rc = tu_sh("%s plot %s > /dev/null 2>%s", tu_bin(), args, errf);
    const char *msg = err_text();
    if (rc != want_rc || !strstr(msg, want_msg))
        fprintf(stderr, "  plot %s: rc %d (want %d), message: %s", args, rc, want_rc, msg);
    CU_ASSERT_EQUAL(rc, want_rc);
    CU_ASSERT(strstr(msg, want_msg) != NULL);
    CU_ASSERT(access(svgp, F_OK) != 0);   /* never a partial figure */
}

static void test_errors(void)
{
    setup();
    char *o = out_path("err.svg");
    char bad[400], garbage[400];
    snprintf(bad, sizeof bad, "%s/nonesuch.json", dir);
    snprintf(garbage, sizeof garbage, "%s/garbage.json", dir);
    FILE *f = fopen(garbage, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("{\"coefficients\": [ {\"term\": ", f);
    fclose(f);
    expect_error(1, "--out F.svg is required", "coef %s", m1);
    expect_error(1, "unknown plot 'bars'", "bars %s --out %s", m1, o);
    expect_error(1, "usage: dyadfit plot", "%s", "");
    expect_error(2, "cannot open saved fit", "coef %s --out %s", bad, o);
    expect_error(2, "is not a saved fit", "coef %s --out %s", garbage, o);
    expect_error(2, "is not a saved fit", "predict %s --x peaceyrs --out %s", garbage, o);
    expect_error(1, "no saved fit given", "coef --out %s", o);
    expect_error(1, "unknown option '--x' for plot coef", "coef %s --x peaceyrs --out %s", m1, o);
    expect_error(1, "--drop: no term 'nonesuch'", "coef %s --drop nonesuch --out %s", m1, o);
    expect_error(1, "it is the input file", "coef %s --out %s", m1, m1);
    expect_error(1, "plot predict needs --x", "predict %s --out %s", m1, o);
    expect_error(1, "plot predict takes one saved fit", "predict %s %s --x peaceyrs --out %s",
                 m1, m2, o);
    expect_error(1, "--x: 'nonesuch' is not a variable of the model", "predict %s --x nonesuch "
                 "--out %s", m1, o);
    /* a column of the data the model does not use */
    expect_error(1, "--x: 'year' is not a variable of the model", "predict %s --x year "
                 "--out %s", m1, o);
    expect_error(1, "enters the model as factor(region)", "predict %s --x region --out %s", m2, o);
    expect_error(1, "sets the --x variable 'peaceyrs'", "predict %s --x peaceyrs --at "
                 "'defense=1 peaceyrs=3' --out %s", m1, o);
    expect_error(1, "'nonesuch' is not a variable of the model", "predict %s --x peaceyrs --at 'nonesuch=1' "
                 "--out %s", m1, o);
    expect_error(1, "an empty range", "predict %s --x peaceyrs --from 5 --to 5 --out %s", m1, o);
    expect_error(1, "--from: 'abc' is not a number", "predict %s --x peaceyrs --from abc "
                 "--out %s", m1, o);
    expect_error(1, "--points", "predict %s --x peaceyrs --points 1 --out %s", m1, o);
    expect_error(3, "not available for this estimator (logit)", "survival %s --out %s", m1, o);
    /* the labels file: missing, malformed */
    expect_error(2, "cannot open labels file", "coef %s --labels %s --out %s", m1, bad, o);
    snprintf(bad, sizeof bad, "%s/bad.tsv", dir);
    f = fopen(bad, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("defense\tDefense pact\nno separator here\n", f);
    fclose(f);
    expect_error(2, "line 2", "coef %s --labels %s --out %s", m1, bad, o);
}

static void test_survival_cox(void)
{
    setup();
    char *cox = out_path("cox.json");
    int rc = tu_sh("%s fit cox 'Surv(peaceyrs, mid_onset) ~ defense + contig' data/leeds_dyads.dta "
                "--save %s > /dev/null 2>%s", tu_bin(), cox, errf);
    if (rc != 0) {
        /* if the Cox fit cannot be saved from this data, fake the file's head */
        FILE *f = fopen(cox, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs("{\"estimator\": \"cox\", \"formula\": \"Surv(t, d) ~ x\", \"data\": {\"path\": "
              "\"x.dta\", \"sha256\": \"0\"}, \"coefficients\": [{\"term\": \"x\", \"estimate\": "
              "0.1}], \"vcov\": [[0.01]]}\n", f);
        fclose(f);
    }
    /* survival curves of a Cox fit (tests/cli/test_coxpost_cli.c checks the
     * numbers); a logit fit has none */
    if (rc == 0) {
        CU_ASSERT_EQUAL(tu_sh("%s plot survival %s --at 'defense=1' --at 'defense=0' --out %s 2>%s",
                              tu_bin(), cox, out_path("surv.svg"), errf), 0);
        char *svg = tu_slurp(out_path("surv.svg"), NULL);
        CU_ASSERT(svg && strstr(svg, "<title>Survival probability</title>") &&
                  strstr(svg, ">defense=1</text>") && strstr(svg, ">defense=0</text>"));
        free(svg);
    }
    expect_error(3, "not available for this estimator (logit)", "survival %s --out %s", m1,
                 out_path("err.svg"));
    /* a coefficient plot of a Cox fit works: it needs only the coefficients */
    if (rc == 0)
        CU_ASSERT_EQUAL(tu_sh("%s plot coef %s --out %s 2>%s", tu_bin(), cox, out_path("coxcoef.svg"),
                           errf), 0);
}

static void test_cleanup(void)
{
    if (dir[0]) tu_sh("rm -rf %s", dir);
}

int main(void)
{
    static const tu_test tests[] = {
        {"coef plot of two models: structure, rows, nice ticks", test_coef_two_models},
        {"coef plot draws the saved estimate and interval", test_coef_positions},
        {"coef plot escapes names, reads labels and legend names", test_coef_escaping_labels},
        {"predicted probability curves match dyadfit predict", test_predict_curves},
        {"predict plot defaults (one curve, observed range)", test_predict_defaults},
        {"errors: usage, data, variables, survival", test_errors},
        {"survival curves of a Cox fit; not for logit", test_survival_cox},
        {"cleanup", test_cleanup},
        {NULL, NULL}};
    return tu_run("plot_cli", tests);
}
