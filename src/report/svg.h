/*
 * svg.h -- a tiny SVG 1.1 writer for figures (dyadfit plot): a canvas,
 * lines, polylines and filled polygons, circles, text, and the helpers a
 * figure needs (nice round tick values, number labels, text width
 * estimates, XML escaping). No external library; everything goes to a
 * caller's FILE, and df_svg_end reports a write failure.
 *
 * Coordinates are in CSS pixels (96 per inch) with y growing downwards.
 * Every element may carry a class attribute (cls, NULL for none) so that
 * tests and style sheets can find the points, intervals and ticks.
 */
#ifndef DF_SVG_H
#define DF_SVG_H

#include <stddef.h>
#include <stdio.h>
#include "dyadfit.h"

typedef struct {
    FILE *f;
    double w, h;              /* canvas in px */
    const char *font;         /* font-family list */
} df_svg;

/* The figure's default font: a sans-serif list that resolves on every
 * platform (journals accept Helvetica/Arial figures). */
#define DF_SVG_FONT "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"

/* The Okabe-Ito palette (colour-blind safe), black first. */
const char *df_svg_colour(size_t i);

/* Writes the XML declaration and the <svg> root (width/height in inches,
 * viewBox in px), a <title> and an optional <desc>. */
void df_svg_begin(df_svg *s, FILE *f, double w, double h, const char *title,
                  const char *desc);
/* Closes the root; DYADFIT_ERR_SYSTEM when the stream had an error. */
int df_svg_end(df_svg *s, dyadfit_error *err);

/* Text with XML special characters escaped (& < > " '), control bytes and
 * malformed UTF-8 replaced by '?', so the document stays well-formed. */
void df_svg_escape(FILE *f, const char *text);

void df_svg_line(df_svg *s, const char *cls, double x1, double y1, double x2, double y2,
                 const char *stroke, double width, const char *dash);
void df_svg_circle(df_svg *s, const char *cls, double cx, double cy, double r,
                   const char *fill, const char *stroke);
void df_svg_rect(df_svg *s, const char *cls, double x, double y, double w, double h,
                 const char *fill);
/* An open polyline (fill none) through n points. */
void df_svg_polyline(df_svg *s, const char *cls, const double *x, const double *y, size_t n,
                     const char *stroke, double width);
/* A closed filled polygon (no stroke) through n points. */
void df_svg_polygon(df_svg *s, const char *cls, const double *x, const double *y, size_t n,
                    const char *fill, double opacity);
/* anchor: "start", "middle" or "end"; rotate: degrees about (x, y). */
void df_svg_text(df_svg *s, const char *cls, double x, double y, const char *anchor,
                 double size, double rotate, const char *text);

/* Estimated advance width of text at a font size (sans-serif metrics,
 * per character class), for margins that fit the labels. */
double df_svg_text_width(const char *text, double size);

/* Nice tick values covering [lo, hi]: a step of 1, 2 or 5 times a power of
 * ten giving about `target` intervals; ticks are whole multiples of the
 * step from floor(lo/step) to ceil(hi/step). Writes at most max values,
 * returns how many (0 for a non-finite range), and the step. A zero-width
 * range is widened around its value first. */
size_t df_svg_ticks(double lo, double hi, size_t target, double *ticks, size_t max,
                    double *step);

/* A tick label: as many decimals as the step needs, "0" rather than "-0",
 * and a typographic minus sign (U+2212). buf of at least 32 bytes. */
void df_svg_number(char *buf, size_t n, double v, double step);

#endif
