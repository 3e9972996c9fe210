/* strings.c -- string helpers shared by the layers. */
#include <string.h>
#include "util.h"

/* Levenshtein distance (insert, delete, substitute), used to suggest the
 * name a user probably meant; (size_t)-1 for names over 64 bytes. */
size_t df_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[65];
    if (la > 64 || lb > 64) return (size_t)-1;
    for (size_t j = 0; j <= lb; j++) d[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = d[0];
        d[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = d[j], sub = prev + (a[i - 1] != b[j - 1]);
            size_t del = d[j] + 1, ins = d[j - 1] + 1;
            d[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return d[lb];
}
