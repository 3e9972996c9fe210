/* cli.h -- shared pieces of the command line (glue only: every computation
 * lives in the library). */
#ifndef DF_CLI_H
#define DF_CLI_H

#include <stdio.h>
#include "dyadfit.h"

/* Prints "dyadfit: message" to stderr and returns code (the exit status). */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Estimator by its command-line name (logit, ..., exponential), or -1. */
int cli_estimator(const char *s);

/* Parses a --format value; returns -1 when unknown. */
int cli_format(const char *s);

/* Output to stdout, or to a temporary file beside `path` that
 * cli_output_close renames onto path on success (never a partial file).
 * Refuses a path that is one of the inputs. */
typedef struct {
    FILE *f;
    char *path;
    char *tmp;
} cli_output;
int cli_output_open(cli_output *o, const char *path, const char *const *inputs,
                    size_t ninputs);
/* The same for an output named by another option (e.g. --save). */
int cli_output_open_as(cli_output *o, const char *option, const char *path,
                       const char *const *inputs, size_t ninputs);
int cli_output_close(cli_output *o, int ok);

/* --quiet, --threads and the progress line on stderr (progress.c) */
/* Options every data-reading command takes: --quiet (-q) and --threads N.
 * When argv[*i] is one of them, consumes it (and its value, advancing *i)
 * and returns 0, or DYADFIT_ERR_USAGE after printing why; returns -1 when
 * argv[*i] is something else. --threads N (1..1024) calls
 * dyadfit_set_threads. */
int cli_progress_option(int argc, char **argv, int *i);

/* Installs the progress callback when stderr is a terminal and --quiet was
 * not given: a single line updated in place ("reading F: 1,200,000 rows",
 * "fitting: iteration 3, log likelihood -10721.72"), shown only once a
 * second has passed since cli_progress_start. Between the two, Ctrl-C
 * stops a fit at its next iteration (DYADFIT_ERR_INTERRUPTED, exit 6) and a
 * second Ctrl-C ends the process. cli_progress_end clears the line, if one
 * was drawn, and removes the callbacks. */
void cli_progress_start(void);
void cli_progress_end(void);

/* The options' lines for a command's --help. */
#define CLI_PROGRESS_USAGE \
"  --threads N                threads to use (default: OMP_NUM_THREADS, else\n" \
"                             all cores); estimates do not depend on it\n" \
"  --quiet, -q                no progress line on a terminal's stderr\n"


int cmd_fit(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_btscs(int argc, char **argv);
int cmd_separation(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_margins(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_alliances(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_lrtest(int argc, char **argv);
int cmd_fitstat(int argc, char **argv);

#endif
