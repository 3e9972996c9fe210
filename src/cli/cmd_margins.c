/* cmd_margins.c -- `dyadfit margins`: average marginal effects, effects at
 * a profile, first differences and risk ratios (parsing shared with
 * predict, in cmd_predict.c). */
#include "cli.h"

int cli_post_margins(int argc, char **argv);

int cmd_margins(int argc, char **argv) { return cli_post_margins(argc, argv); }
