/* cox_plot.h -- survival curves of a saved Cox fit as figure data
 * (cox_plot.c), drawn with df_plot_predict_svg (plot.h). */
#ifndef DF_COX_PLOT_H
#define DF_COX_PLOT_H

#include "plot.h"

/* S(t | x) at every event time (df_post_survival) as step curves from
 * time 0 (S = 1), one per profile in at (nat; none: every variable at its
 * mean, "at means") and stratum, labelled "PROFILE[ | STRATUM]", with the
 * log(-log S) interval as the band (1 where S = 1). f must be an attached
 * Cox fit. *curves (free with df_plot_curves_free(*curves, *nc)) and
 * *note (free it) are set on success. */
int df_plot_survival_data(const df_post_fit *f, const df_post_opts *o,
                          const char *const *at, size_t nat, df_plot_curve **curves,
                          size_t *nc, char **note, dyadfit_error *err);

#endif
