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

int cmd_fit(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_btscs(int argc, char **argv);
int cmd_separation(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_margins(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_alliances(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif
