/* alloc.c -- checked allocation: refuses sizes whose product overflows or
 * exceeds what any machine could hold, so a corrupt header cannot make us
 * ask for 2^63 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "util.h"

#define DF_ALLOC_MAX ((size_t)1 << 46) /* 64 TiB */

static int too_big(size_t n, size_t size)
{
    return size != 0 && (n > DF_ALLOC_MAX / size);
}

void *df_malloc(size_t n, size_t size)
{
    if (too_big(n, size)) return NULL;
    size_t bytes = n * size;
    return malloc(bytes ? bytes : 1);
}

void *df_calloc(size_t n, size_t size)
{
    if (too_big(n, size)) return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *df_realloc(void *p, size_t n, size_t size)
{
    if (too_big(n, size)) return NULL;
    size_t bytes = n * size;
    return realloc(p, bytes ? bytes : 1);
}

char *df_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (d) memcpy(d, s, len);
    return d;
}

void df_gsl_quiet(void)
{
    static int done = 0;
    if (!done) {
        gsl_set_error_handler_off();
        done = 1;
    }
}
