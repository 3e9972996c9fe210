/* error.c -- error messages and the code table. */
#include <stdarg.h>
#include <stdio.h>
#include "util.h"

int df_error(dyadfit_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *dyadfit_strerror(int code)
{
    switch (code) {
    case DYADFIT_OK: return "success";
    case DYADFIT_ERR_USAGE: return "usage error";
    case DYADFIT_ERR_DATA: return "input data error";
    case DYADFIT_ERR_SPEC: return "model specification error";
    case DYADFIT_ERR_ESTIM: return "estimation error";
    case DYADFIT_ERR_SYSTEM: return "system error";
    case DYADFIT_ERR_INTERRUPTED: return "interrupted";
    default: return "unknown error";
    }
}

const char *dyadfit_version(void) { return DYADFIT_VERSION; }
