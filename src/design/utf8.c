/* utf8.c -- UTF-8 validation and the Windows-1252 fallback for report
 * strings (see utf8.h). A string is converted as a whole: text that is not
 * valid UTF-8 is almost always a single-byte code page throughout. */
#include <stdlib.h>
#include <string.h>
#include "utf8.h"

/* Windows-1252 0x80..0x9F; 0 where the code page defines nothing. */
static const unsigned short cp1252[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t seq_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;       /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;        /* overlong */
        if (c == 0xED) hi = 0x9F;        /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;        /* overlong */
        if (c == 0xF4) hi = 0x8F;        /* above U+10FFFF */
    } else return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return n;
}

int df_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t n = seq_len(p);
        if (!n) return 0;
        p += n;
    }
    return 1;
}

static size_t encode(unsigned cp, char buf[5])
{
    size_t n;
    if (cp < 0x80) { buf[0] = (char)cp; n = 1; }
    else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    buf[n] = 0;
    return n;
}

size_t df_utf8_next(const char *s, int valid, char buf[5])
{
    const unsigned char *p = (const unsigned char *)s;
    if (!*p) { buf[0] = 0; return 0; }
    if (valid) {
        size_t n = seq_len(p);
        if (!n) n = 1;                   /* cannot happen when valid */
        memcpy(buf, p, n);
        buf[n] = 0;
        return n;
    }
    unsigned cp = *p;
    if (cp >= 0x80 && cp < 0xA0) cp = cp1252[cp - 0x80] ? cp1252[cp - 0x80] : 0xFFFD;
    encode(cp, buf);
    return 1;
}

void df_utf8_put(const char *s, FILE *out)
{
    if (!s) return;
    if (df_utf8_valid(s)) {
        fputs(s, out);
        return;
    }
    char buf[5];
    size_t n;
    while ((n = df_utf8_next(s, 0, buf)) > 0) {
        fputs(buf, out);
        s += n;
    }
}

char *df_utf8_dup(const char *s)
{
    size_t len = strlen(s ? s : "");
    char *o = malloc(3 * len + 1), *q = o;   /* a byte gives at most 3 */
    if (!o) return NULL;
    int valid = df_utf8_valid(s);
    char buf[5];
    size_t n;
    for (; s && (n = df_utf8_next(s, valid, buf)) > 0; s += n) {
        size_t m = strlen(buf);
        memcpy(q, buf, m);
        q += m;
    }
    *q = 0;
    return o;
}
