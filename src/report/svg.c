/* svg.c -- the SVG primitives of svg.h. Coordinates are written with two
 * decimals (1/100 px is far below any printer's resolution). */
#include <math.h>
#include <string.h>
#include "svg.h"
#include "../util/util.h"

const char *df_svg_colour(size_t i)
{
    static const char *const pal[] = {"#000000", "#E69F00", "#0072B2", "#009E73",
                                      "#D55E00", "#56B4E9", "#CC79A7", "#999999"};
    return pal[i % (sizeof pal / sizeof pal[0])];
}

void df_svg_escape(FILE *f, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            default: fputc(c < 0x20 ? '?' : (int)c, f);   /* XML 1.0 forbids controls */
            }
            p++;
            continue;
        }
        /* a UTF-8 sequence: copy it when well-formed, else one '?' per byte */
        size_t len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        if (c >= 0xF5) len = 0;
        size_t i = 1;
        while (len && i < len && (p[i] & 0xC0) == 0x80) i++;
        if (len && i == len) {
            fwrite(p, 1, len, f);
            p += len;
        } else {
            fputc('?', f);
            p++;
        }
    }
}

void df_svg_begin(df_svg *s, FILE *f, double w, double h, const char *title,
                  const char *desc)
{
    s->f = f;
    s->w = w;
    s->h = h;
    s->font = DF_SVG_FONT;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
               "width=\"%.3fin\" height=\"%.3fin\" viewBox=\"0 0 %.2f %.2f\" "
               "font-family=\"%s\">\n",
            w / 96, h / 96, w, h, s->font);
    fputs("<title>", f);
    df_svg_escape(f, title);
    fputs("</title>\n", f);
    if (desc) {
        fputs("<desc>", f);
        df_svg_escape(f, desc);
        fputs("</desc>\n", f);
    }
    /* an opaque background: viewers and slide software differ in what they
     * put behind a transparent figure */
    fprintf(f, "<rect width=\"%.2f\" height=\"%.2f\" fill=\"#ffffff\"/>\n", w, h);
}

int df_svg_end(df_svg *s, dyadfit_error *err)
{
    fputs("</svg>\n", s->f);
    if (ferror(s->f)) return df_error(err, DYADFIT_ERR_SYSTEM, "cannot write the SVG figure");
    return DYADFIT_OK;
}

static void cls_attr(FILE *f, const char *cls)
{
    if (cls) fprintf(f, " class=\"%s\"", cls);
}

void df_svg_line(df_svg *s, const char *cls, double x1, double y1, double x2, double y2,
                 const char *stroke, double width, const char *dash)
{
    fputs("<line", s->f);
    cls_attr(s->f, cls);
    fprintf(s->f, " x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                  "stroke-width=\"%.2f\"",
            x1, y1, x2, y2, stroke, width);
    if (dash) fprintf(s->f, " stroke-dasharray=\"%s\"", dash);
    fputs("/>\n", s->f);
}

void df_svg_circle(df_svg *s, const char *cls, double cx, double cy, double r,
                   const char *fill, const char *stroke)
{
    fputs("<circle", s->f);
    cls_attr(s->f, cls);
    fprintf(s->f, " cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"", cx, cy, r, fill);
    if (stroke) fprintf(s->f, " stroke=\"%s\" stroke-width=\"1\"", stroke);
    fputs("/>\n", s->f);
}

void df_svg_rect(df_svg *s, const char *cls, double x, double y, double w, double h,
                 const char *fill)
{
    fputs("<rect", s->f);
    cls_attr(s->f, cls);
    fprintf(s->f, " x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n", x, y,
            w, h, fill);
}

static void points(FILE *f, const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) fprintf(f, "%s%.2f,%.2f", i ? " " : "", x[i], y[i]);
}

void df_svg_polyline(df_svg *s, const char *cls, const double *x, const double *y, size_t n,
                     const char *stroke, double width)
{
    fputs("<polyline", s->f);
    cls_attr(s->f, cls);
    fprintf(s->f, " fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" "
                  "stroke-linejoin=\"round\" points=\"",
            stroke, width);
    points(s->f, x, y, n);
    fputs("\"/>\n", s->f);
}

void df_svg_polygon(df_svg *s, const char *cls, const double *x, const double *y, size_t n,
                    const char *fill, double opacity)
{
    fputs("<polygon", s->f);
    cls_attr(s->f, cls);
    fprintf(s->f, " fill=\"%s\" fill-opacity=\"%.3f\" stroke=\"none\" points=\"", fill, opacity);
    points(s->f, x, y, n);
    fputs("\"/>\n", s->f);
}

void df_svg_text(df_svg *s, const char *cls, double x, double y, const char *anchor,
                 double size, double rotate, const char *text)
{
    fputs("<text", s->f);
    cls_attr(s->f, cls);
    fprintf(s->f, " x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\" text-anchor=\"%s\" fill=\"#000000\"",
            x, y, size, anchor);
    if (rotate != 0) fprintf(s->f, " transform=\"rotate(%.1f %.2f %.2f)\"", rotate, x, y);
    fputc('>', s->f);
    df_svg_escape(s->f, text);
    fputs("</text>\n", s->f);
}

double df_svg_text_width(const char *text, double size)
{
    /* Helvetica advance widths, grouped: narrow, ordinary, wide (in em) */
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
        unsigned c = *p;
        if ((c & 0xC0) == 0x80) continue;   /* UTF-8 continuation byte */
        if (strchr("iljtf.,:;'|!()[] I", (int)c)) w += 0.30;
        else if (strchr("mwMW@%", (int)c)) w += 0.86;
        else if (c >= 'A' && c <= 'Z') w += 0.68;
        else w += 0.56;
    }
    return w * size;
}

size_t df_svg_ticks(double lo, double hi, size_t target, double *ticks, size_t max,
                    double *step)
{
    *step = 0;
    if (!isfinite(lo) || !isfinite(hi) || max == 0) return 0;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi - lo <= 1e-300 + 1e-12 * fabs(hi)) {
        double d = lo == 0 ? 1 : 0.1 * fabs(lo);
        lo -= d;
        hi += d;
    }
    if (target < 2) target = 2;
    /* the step: 1, 2 or 5 x 10^e, the smallest at least range/target */
    double raw = (hi - lo) / (double)target;
    double e = floor(log10(raw)), p10 = pow(10, e), m = raw / p10, nice;
    nice = m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10;
    double st = nice * p10;
    /* whole multiples; the small slack keeps 0.30000000000000004 from
     * adding a tick */
    double a = floor(lo / st + 1e-9), b = ceil(hi / st - 1e-9);
    size_t n = 0;
    for (double i = a; i <= b && n < max; i++) {
        double v = i * st;
        /* a multiple of a power of ten written exactly (0.1 * 3, not
         * 0.30000000000000004) */
        ticks[n++] = e < 0 ? (i * nice) / pow(10, -e) : v;
    }
    *step = st;
    return n;
}

void df_svg_number(char *buf, size_t n, double v, double step)
{
    int dec = 0;
    if (step > 0 && step < 1) dec = (int)ceil(-log10(step) - 1e-9);
    if (dec > 12) dec = 12;
    if (fabs(v) < 0.5 * step) v = 0;   /* -0 and 1e-17 print as 0 */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", dec, fabs(v));
    /* U+2212 MINUS SIGN: a hyphen is too short next to figures */
    snprintf(buf, n, "%s%s", v < 0 ? "\xE2\x88\x92" : "", tmp);
}
