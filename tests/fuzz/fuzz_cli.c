/*
 * fuzz_cli.c -- libFuzzer target for the command line (issue 9).
 *
 * The input is a command line, one argument per line ('\n' separates; a
 * NUL byte ends the input): the first line is the command (fit, describe,
 * predict, ...), the rest its arguments. It runs through the real CLI
 * (src/cli, main.c compiled with -Dmain=dyadfit_cli_main) in a scratch
 * directory holding fixtures the arguments can name:
 *   d.csv       60 rows: y (0/1), x1, x2 (one missing), g (1..4), s (string),
 *               unit, year, start, stop, event, w (weights)
 *   logit.json  a saved logit fit of y ~ x1 + x2 + factor(g) on d.csv
 *   cox.json    a saved Cox fit of Surv(start, stop, event) ~ x1 + x2
 *   weib.json   a saved Weibull fit of Surv(stop, event) ~ x1
 * Arguments with '/' have it replaced by '_', so every path stays inside the
 * scratch directory; stdin is /dev/null and stdout goes to /dev/null (run
 * with -close_fd_mask=2 to silence the CLI's messages: run.sh does).
 *
 * Findings: crashes, leaks, hangs (sanitizers, -timeout), and violations of
 * the CLI's contract, which abort:
 *   - the exit code is one of 0..5 (success, usage, data, spec, estim, system);
 *   - the fixtures are never modified (nothing the user gave is overwritten);
 *   - no temporary file is left behind (FILE.tmpXXXXXX from output.c,
 *     dyadfit-stream-* caches from --stream, with TMPDIR set to the directory).
 * Files the command wrote are removed after each input, the directory at
 * exit.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dyadfit_cli_main(int argc, char **argv);

#define MAXARGS 48
#define MAXARG 512

#include "fuzz_check.h"

typedef struct {
    const char *name;
    char *bytes;
    size_t len;
} fixture;

static char dir[256];
static fixture fx[4] = {{"d.csv", 0, 0}, {"logit.json", 0, 0}, {"cox.json", 0, 0},
                        {"weib.json", 0, 0}};
enum { NFX = sizeof fx / sizeof fx[0] };

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            char *nb = realloc(b, cap);
            if (!nb) { free(b); fclose(f); return NULL; }
            b = nb;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    *len = n;
    return b;
}

/* line: arguments separated by '\n' (empty ones kept) */
static int run(const char *line)
{
    static char buf[MAXARGS * MAXARG + 16];
    char *argv[MAXARGS + 2];
    int argc = 0;
    snprintf(buf, sizeof buf, "dyadfit\n%s", line);
    for (char *p = buf; p && argc < MAXARGS; ) {
        argv[argc++] = p;
        p = strchr(p, '\n');
        if (p) *p++ = 0;
    }
    argv[argc] = NULL;
    return dyadfit_cli_main(argc, argv);
}

static void make_fixtures(void)
{
    FILE *f = fopen("d.csv", "w");
    CHECK(f != NULL);
    fputs("y,x1,x2,g,s,unit,year,start,stop,event,w\n", f);
    for (int i = 0; i < 60; i++) {
        int y = (i * 7 % 11) < 4 + (i % 3);
        double x1 = 0.5 + (i * 13 % 17) / 4.0;
        int unit = i / 6 + 1, year = 1990 + i % 6;
        fprintf(f, "%d,%.3f,", y, x1);
        if (i == 9) fputs(",", f); else fprintf(f, "%d,", i * 5 % 9 - 4);
        fprintf(f, "%d,%s,%d,%d,%d,%d,%d,%.2f\n", i % 4 + 1, (const char *[]){"a", "b", "c"}[i * 11 % 3],
                unit, year, year - 1990, year - 1989, y, 0.5 + (i % 5) * 0.75);
    }
    CHECK(fclose(f) == 0);
    CHECK(run("fit\nlogit\ny ~ x1 + x2 + factor(g)\nd.csv\n--save\nlogit.json\n--quiet") == 0);
    CHECK(run("fit\ncox\nSurv(start, stop, event) ~ x1 + x2\nd.csv\n--save\ncox.json\n--quiet") == 0);
    CHECK(run("fit\nweibull\nSurv(stop, event) ~ x1\nd.csv\n--save\nweib.json\n--quiet") == 0);
    for (int j = 0; j < NFX; j++) {
        fx[j].bytes = slurp(fx[j].name, &fx[j].len);
        CHECK(fx[j].bytes != NULL);
    }
}

/* the scratch directory goes at exit (libFuzzer's -fork jobs are separate
 * processes, each with its own) */
static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
        }
        closedir(d);
    }
    if (chdir("/") == 0) rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/dev/shm/dyadfit-fuzzcli-%ld", (long)getpid());
    mkdir(dir, 0700);
    if (chdir(dir) != 0) {
        perror(dir);
        abort();
    }
    atexit(remove_dir);
    setenv("TMPDIR", dir, 1);
    CHECK(freopen("/dev/null", "r", stdin) != NULL);
    CHECK(freopen("/dev/null", "w", stdout) != NULL);
    make_fixtures();
    return 0;
}

static int is_fixture(const char *name)
{
    for (int j = 0; j < NFX; j++)
        if (strcmp(name, fx[j].name) == 0) return 1;
    return 0;
}

/* The fixtures are unchanged; no temporary is left; what the command wrote
 * is removed (directories it could not have made: mkdir is not a CLI
 * action, but remove them too in case). */
static void check_and_clean(void)
{
    for (int j = 0; j < NFX; j++) {
        size_t len = 0;
        char *b = slurp(fx[j].name, &len);
        CHECK(b != NULL);
        CHECK(len == fx[j].len && memcmp(b, fx[j].bytes, len) == 0);
        free(b);
    }
    DIR *d = opendir(".");
    CHECK(d != NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || is_fixture(n)) continue;
        CHECK(strstr(n, ".tmp") == NULL || strlen(strstr(n, ".tmp")) != 10);
        CHECK(strncmp(n, "dyadfit-stream-", 15) != 0);
        if (unlink(n) != 0) rmdir(n);
    }
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[MAXARGS * MAXARG];
    if (size >= sizeof line) return 0;
    size_t n = 0;
    for (size_t i = 0; i < size && data[i]; i++)
        line[n++] = data[i] == '/' ? '_' : (char)data[i];
    line[n] = 0;
    /* an output named like a temporary (X.tmpXXXXXX) would look like one left behind */
    if (n == 0 || strstr(line, ".tmp")) return 0;
    fflush(stdout);
    int rc = run(line);
    CHECK(rc >= 0 && rc <= 5);
    check_and_clean();
    return 0;
}
