/*
 * test_utf8.c -- src/design/utf8.c: which byte strings are UTF-8 (RFC 3629
 * table 3-7: overlong forms, surrogates and code points above U+10FFFF
 * refused), and the Windows-1252 conversion of those that are not, byte by
 * byte against the code page's published table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "design/utf8.h"

static void test_valid(void)
{
    const char *ok[] = {"", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac",
                        "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf",
                        "C\xc3\xb4te d'Ivoire"};
    const char *bad[] = {"caf\xe9", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
                         "\xed\xa0\x80", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80",
                         "\xf5\x80\x80\x80", "\xff", "\x80", "\xc3", "\xe2\x82",
                         "ok\xc3\xa9 then \xe9"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) CU_ASSERT(df_utf8_valid(ok[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CU_ASSERT(!df_utf8_valid(bad[i]));
    CU_ASSERT(df_utf8_valid(NULL));
}

static void expect_dup(const char *in, const char *want)
{
    char *o = df_utf8_dup(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    if (strcmp(o, want)) fprintf(stderr, "\n  converted '%s', want '%s'", o, want);
    CU_ASSERT_STRING_EQUAL(o, want);
    CU_ASSERT(df_utf8_valid(o));
    free(o);
}

static void test_convert(void)
{
    expect_dup("caf\xc3\xa9", "caf\xc3\xa9");              /* valid: unchanged */
    expect_dup("C\xf4te d'Ivoire", "C\xc3\xb4te d'Ivoire"); /* Latin-1 o-circumflex */
    expect_dup("caf\xe9", "caf\xc3\xa9");
    expect_dup("\xff", "\xc3\xbf");                         /* y-diaeresis */
    expect_dup("\xa0", "\xc2\xa0");                         /* no-break space */
    expect_dup("\x80", "\xe2\x82\xac");                     /* euro sign */
    expect_dup("\x99", "\xe2\x84\xa2");                     /* trade mark */
    expect_dup("\x9f", "\xc5\xb8");                         /* Y-diaeresis */
    /* the five bytes Windows-1252 leaves undefined: U+FFFD */
    const char *undef = "\x81\x8d\x8f\x90\x9d";
    for (int i = 0; i < 5; i++) {
        char in[2] = {undef[i], 0};
        expect_dup(in, "\xef\xbf\xbd");
    }
    /* a string with one bad byte is converted as a whole */
    expect_dup("\xc3\xa9\xe9", "\xc3\x83\xc2\xa9\xc3\xa9");
    expect_dup(NULL, "");
}

static void test_put(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    df_utf8_put("na\xefve \x80", f);
    df_utf8_put("|ok\xc3\xa9", f);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "na\xc3\xafve \xe2\x82\xac|ok\xc3\xa9");
    free(buf);
}

int main(void)
{
    static const tu_test tests[] = {
        {"which strings are UTF-8", test_valid},
        {"Windows-1252 to UTF-8", test_convert},
        {"writing", test_put},
        {NULL, NULL}};
    return tu_run("utf8", tests);
}
