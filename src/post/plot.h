/*
 * plot.h -- figures from saved fits (dyadfit plot), written as SVG through
 * report/svg.h: a coefficient plot of one or more models, and predicted
 * probabilities over a covariate with a confidence band.
 *
 * Journal defaults: 6.5 in wide, sans-serif 11 px (8.25 pt) type, light
 * grey grid lines, the Okabe-Ito colour-blind-safe palette (black first),
 * no frame, no background shading. Data elements carry classes: "pt"
 * (estimate), "ci" (interval), "fit" (curve), "band" (interval band),
 * "term" (row label), "xtick"/"ytick" (tick labels), "key" (legend mark).
 */
#ifndef DF_PLOT_H
#define DF_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include "post.h"

/* ------------------------------------------------------ coefficient plot */

/* The coefficients of one saved fit as saved: estimate and the saved
 * conf.low/conf.high (profile intervals of firth fits stay profile
 * intervals); a missing or null bound is estimate -/+ z std.error. */
typedef struct {
    char *name;               /* legend entry */
    size_t k;
    char **term;
    double *est, *lo, *hi;
    double level;             /* NaN when not saved */
} df_plot_model;

/* Reads the "coefficients" of a saved fit. name NULL: the file name
 * without folder and ".json". DYADFIT_ERR_DATA naming the file for an
 * unreadable or malformed file. */
int df_plot_model_load(const char *path, const char *name, df_plot_model *m,
                       dyadfit_error *err);
void df_plot_model_free(df_plot_model *m);

/* Display labels for terms, read from a file of lines "term<TAB>label" or
 * "term,label" (the term may be double-quoted, "" inside quotes for a
 * quote); blank lines and lines starting with '#' are skipped. */
typedef struct {
    size_t n;
    char **term, **label;
} df_plot_labels;

int df_plot_labels_read(const char *path, df_plot_labels *l, dyadfit_error *err);
void df_plot_labels_free(df_plot_labels *l);

typedef struct {
    const char *const *drop;  /* terms left out (exact names) */
    size_t ndrop;
    const df_plot_labels *labels;   /* NULL: terms as named */
    double width;             /* inches; 0: 6.5 */
} df_plot_coef_opts;

/* One row per term (the union over the models, in order of first
 * appearance), the models' estimates side by side with their intervals, a
 * dashed line at 0 and a legend when there are several models.
 * DYADFIT_ERR_USAGE for a --drop term in no model or nothing left. */
int df_plot_coef_svg(const df_plot_model *m, size_t nm, const df_plot_coef_opts *o,
                     FILE *out, dyadfit_error *err);

/* ------------------------------------------------ predicted probabilities */

typedef struct {
    char *label;              /* the --at profile, or NULL for the only curve */
    size_t n;
    double *x, *p, *lo, *hi;
} df_plot_curve;

typedef struct {
    const char *x;            /* the covariate */
    double from, to;          /* NaN: the observed minimum / maximum */
    size_t points;            /* grid points; 0: 41 */
    df_post_opts post;        /* others (default means), level */
} df_plot_predict_opts;

/* Predicted probability (df_post_predict, delta-method or simulation
 * interval) on an even grid of o->x from `from` to `to`, one curve per
 * profile in at (nat; none: one curve with the other variables as o->post
 * says). f must be attached. DYADFIT_ERR_USAGE when x is not a numeric
 * variable of the model, a profile sets x, or the range is empty.
 * The note (how intervals were made) is returned in *note (free it). */
int df_plot_predict_data(const df_post_fit *f, const df_plot_predict_opts *o,
                         const char *const *at, size_t nat, df_plot_curve **curves,
                         char **note, dyadfit_error *err);
void df_plot_curves_free(df_plot_curve *c, size_t n);

/* The figure: bands, then lines, a legend when there are several curves.
 * xlabel NULL: "x"; desc goes into the SVG's <desc>. */
int df_plot_predict_svg(const df_plot_curve *c, size_t nc, const char *xlabel,
                        const char *ylabel, const char *desc, double width, FILE *out,
                        dyadfit_error *err);

#endif
