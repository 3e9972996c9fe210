/* small_csv.c -- the CLI's CSV output read back by the suites that
 * compare it with R's reference files (testutil.h: tu_csv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* Splits one line into TU_CSV_NCOL fields (quoted fields may hold commas and
 * doubled quotes); missing fields are "". */
static void split(const char *line, char **f)
{
    size_t c = 0, len = strlen(line);
    const char *p = line;
    while (c < TU_CSV_NCOL) {
        char *o = calloc(len + 1, 1), *w = o;
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"') *w++ = '"', p++;
                else if (*p == '"') { p++; break; }
                else *w++ = *p;
            }
        }
        while (*p && *p != ',' && *p != '\n' && *p != '\r') *w++ = *p++;
        f[c++] = o;
        if (*p != ',') break;
        p++;
    }
    while (c < TU_CSV_NCOL) f[c++] = calloc(1, 1);
}

int tu_csv_read(const char *path, tu_csv *t)
{
    FILE *fp = fopen(path, "r");
    char line[2048];
    t->n = 0;
    if (!fp) return -1;
    if (!fgets(line, sizeof line, fp)) {
        fclose(fp);
        return -1;
    }
    while (t->n < 512 && fgets(line, sizeof line, fp)) split(line, t->field[t->n++]);
    fclose(fp);
    return 0;
}

void tu_csv_free(tu_csv *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (int c = 0; c < TU_CSV_NCOL; c++) free(t->field[i][c]);
    t->n = 0;
}
