/* output.c -- where results go: stdout or --out FILE, written to a temporary
 * file and renamed into place, never onto an input. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dyadfit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

/* Estimator by its command-line name, or -1. */
int cli_estimator(const char *s)
{
    if (strcmp(s, "logit") == 0) return DYADFIT_LOGIT;
    if (strcmp(s, "probit") == 0) return DYADFIT_PROBIT;
    if (strcmp(s, "cloglog") == 0) return DYADFIT_CLOGLOG;
    if (strcmp(s, "relogit") == 0) return DYADFIT_RELOGIT;
    if (strcmp(s, "firth") == 0) return DYADFIT_FIRTH;
    if (strcmp(s, "cox") == 0) return DYADFIT_COX;
    if (strcmp(s, "clogit") == 0) return DYADFIT_CLOGIT;
    if (strcmp(s, "felogit") == 0) return DYADFIT_FELOGIT;
    if (strcmp(s, "weibull") == 0) return DYADFIT_WEIBULL;
    if (strcmp(s, "exponential") == 0) return DYADFIT_EXPONENTIAL;
    return -1;
}

int cli_format(const char *s)
{
    static const char *names[] = {"text", "csv", "json", "markdown", "latex"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) return i;
    if (strcmp(s, "md") == 0) return DYADFIT_FORMAT_MARKDOWN;
    if (strcmp(s, "tex") == 0) return DYADFIT_FORMAT_LATEX;
    return -1;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cli_output_open(cli_output *o, const char *path, const char *const *inputs,
                    size_t ninputs)
{
    return cli_output_open_as(o, "--out", path, inputs, ninputs);
}

int cli_output_open_as(cli_output *o, const char *option, const char *path,
                       const char *const *inputs, size_t ninputs)
{
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    for (size_t i = 0; i < ninputs; i++)
        if (same_file(path, inputs[i]))
            return cli_fail(DYADFIT_ERR_USAGE,
                            "refusing to write %s '%s': it is the input file", option, path);
    o->path = strdup(path);
    o->tmp = malloc(strlen(path) + 16);
    if (!o->path || !o->tmp) return cli_fail(DYADFIT_ERR_SYSTEM, "out of memory");
    sprintf(o->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(o->tmp);
    /* mkstemp makes the file 0600; give the output the usual 0666 & ~umask */
    if (fd >= 0) {
        mode_t mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
    }
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) { close(fd); unlink(o->tmp); }
        free(o->tmp); free(o->path);
        o->tmp = o->path = NULL;
        return cli_fail(DYADFIT_ERR_SYSTEM, "cannot write '%s': %s", path, strerror(e));
    }
    return 0;
}

int cli_output_close(cli_output *o, int ok)
{
    int rc = 0;
    if (o->f == stdout) {
        if (fflush(stdout) != 0) rc = cli_fail(DYADFIT_ERR_SYSTEM, "cannot write output");
        return rc;
    }
    if (!o->f) return 0;
    if (fclose(o->f) != 0 && ok) {
        rc = cli_fail(DYADFIT_ERR_SYSTEM, "cannot write '%s': %s", o->path, strerror(errno));
        ok = 0;
    }
    if (ok && rename(o->tmp, o->path) != 0) {
        rc = cli_fail(DYADFIT_ERR_SYSTEM, "cannot write '%s': %s", o->path, strerror(errno));
        ok = 0;
    }
    if (!ok) unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    o->f = NULL;
    return rc;
}
