/* progress.c -- --quiet, --threads, the progress line and Ctrl-C (see cli.h).
 *
 * The line is drawn on stderr with a carriage return and padded with blanks
 * over the previous text, so it needs nothing of the terminal but \r. It
 * appears only after a delay (one second; DYADFIT_PROGRESS_DELAY seconds
 * when set, for tests), so quick runs print nothing, and is redrawn at most
 * every 100 ms. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

/* Ctrl-C during a command's work: the first stops the fit at its next
 * iteration (dyadfit_set_interrupt; exit 6, outputs not written), a second
 * ends the process at once, as without the handler. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    if (interrupted) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupted = 1;
}

static int on_interrupt(void *ctx)
{
    (void)ctx;
    return interrupted != 0;
}

typedef struct {
    double start, last;  /* seconds (monotonic) */
    double delay;
    size_t width;        /* characters of the line on screen, 0: none */
    char stage[32];
} progress_state;

static int quiet;
static progress_state state;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* 1200000 -> "1,200,000" */
static void thousands(double x, char *buf, size_t n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", x < 0 ? 0 : x);
    size_t len = strlen(digits), o = 0;
    for (size_t k = 0; k < len && o + 2 < n; k++) {
        if (k && (len - k) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[k];
    }
    buf[o] = 0;
}

static void draw(const char *line)
{
    size_t len = strlen(line);
    fprintf(stderr, "\r%s", line);
    if (state.width > len) fprintf(stderr, "%*s", (int)(state.width - len), "");
    fflush(stderr);
    state.width = len;
}

static void on_progress(void *ctx, const char *stage, double done,
                        double total, const char *detail)
{
    (void)ctx;
    double t = now();
    int same = strncmp(stage, state.stage, sizeof state.stage - 1) == 0;
    if (t - state.start < state.delay || (same && t - state.last < 0.1)) return;
    state.last = t;
    snprintf(state.stage, sizeof state.stage, "%s", stage);

    char line[512], n[32], m[32];
    thousands(done, n, sizeof n);
    if (strcmp(stage, "reading") == 0 || strcmp(stage, "scanning") == 0) {
        if (total > 0) {
            thousands(total, m, sizeof m);
            snprintf(line, sizeof line, "%s %s: %s of %s rows", stage, detail, n, m);
        } else {
            snprintf(line, sizeof line, "%s %s: %s rows", stage, detail, n);
        }
    } else if (strcmp(stage, "fitting") == 0) {
        snprintf(line, sizeof line, "fitting: iteration %s, %s", n, detail);
    } else {
        snprintf(line, sizeof line, "%s: %s%s%s", stage, n, *detail ? ", " : "", detail);
    }
    draw(line);
}

int cli_progress_option(int argc, char **argv, int *i)
{
    const char *o = argv[*i];
    if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
        quiet = 1;
        return 0;
    }
    if (strcmp(o, "--threads") != 0) return -1;
    if (*i + 1 >= argc)
        return cli_fail(DYADFIT_ERR_USAGE, "--threads needs a value: a count from 1 to %d",
                        DYADFIT_MAX_THREADS);
    const char *v = argv[++*i];
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 1 || n > DYADFIT_MAX_THREADS)
        return cli_fail(DYADFIT_ERR_USAGE, "--threads: '%s' is not a count from 1 to %d",
                        v, DYADFIT_MAX_THREADS);
    dyadfit_set_threads((int)n);
    return 0;
}

void cli_progress_start(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, NULL);
    dyadfit_set_interrupt(on_interrupt, NULL);
    memset(&state, 0, sizeof state);
    if (quiet || !isatty(STDERR_FILENO)) return;
    const char *d = getenv("DYADFIT_PROGRESS_DELAY");
    char *end;
    state.delay = 1.0;
    if (d && *d) {
        double x = strtod(d, &end);
        if (!*end && x >= 0) state.delay = x;
    }
    state.start = now();
    dyadfit_set_progress(on_progress, NULL);
}

void cli_progress_end(void)
{
    dyadfit_set_interrupt(NULL, NULL);
    signal(SIGINT, SIG_DFL);
    dyadfit_set_progress(NULL, NULL);
    if (state.width) {
        fprintf(stderr, "\r%*s\r", (int)state.width, "");
        fflush(stderr);
        state.width = 0;
    }
}
