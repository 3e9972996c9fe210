/*
 * utf8.h -- text in the results is UTF-8. Strings from old data files may
 * hold Latin-1 / Windows-1252 bytes (a CSV label "caf\xe9"); the writers
 * pass valid UTF-8 through and convert anything else as Windows-1252.
 */
#ifndef DF_UTF8_H
#define DF_UTF8_H

#include <stdio.h>

/* 1 when s (NULL counts as "") is well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), else 0. */
int df_utf8_valid(const char *s);

/* Writes s unchanged when it is valid UTF-8; otherwise each byte is read
 * as Windows-1252 (a superset of Latin-1's printable range) and written as
 * UTF-8, the five bytes that code page leaves undefined as U+FFFD. */
void df_utf8_put(const char *s, FILE *out);

/* The next character of s (valid or converted as above) as UTF-8 into
 * buf (5 bytes), for writers that escape character by character; returns
 * the bytes of s consumed (0 at the end). `valid` is df_utf8_valid(s) of
 * the whole string. */
size_t df_utf8_next(const char *s, int valid, char buf[5]);

/* s as UTF-8 (converted as df_utf8_put does), malloc'ed; NULL when out
 * of memory. */
char *df_utf8_dup(const char *s);

/* The note the JSON writer adds when a string had to be converted. */
#define DF_UTF8_NOTE "text that was not valid UTF-8 (e.g. Latin-1 labels) " \
                     "was read as Windows-1252 / Latin-1 and converted to UTF-8"

#endif
