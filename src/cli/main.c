/* main.c -- the dyadfit command line: argument parsing and glue only. */
#include <stdio.h>
#include <string.h>
#include "dyadfit.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("dyadfit %s\n", dyadfit_version());
        return 0;
    }
    fprintf(stderr, "usage: dyadfit --version\n");
    return DYADFIT_ERR_USAGE;
}
