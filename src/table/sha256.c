/* sha256.c -- SHA-256 of a file's bytes with OpenSSL's EVP interface, read
 * in 1 MiB blocks (the file is usually in the page cache after parsing). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "table.h"
#include "../util/util.h"

#define DF_SHA_BLOCK ((size_t)1 << 20)

int df_sha256_file(const char *path, char hex[65], dyadfit_error *err)
{
    int rc = DYADFIT_OK, fd = -1;
    unsigned char *buf = NULL, md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = NULL;

    hex[0] = '\0';
    if ((fd = open(path, O_RDONLY)) < 0) {
        rc = df_error(err, DYADFIT_ERR_DATA, "cannot open '%s': %s", path,
                      strerror(errno));
        goto cleanup;
    }
    if (!(buf = malloc(DF_SHA_BLOCK)) || !(ctx = EVP_MD_CTX_new())) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "out of memory");
        goto cleanup;
    }
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "SHA-256 is unavailable");
        goto cleanup;
    }
    for (;;) {
        ssize_t n = read(fd, buf, DF_SHA_BLOCK);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = df_error(err, DYADFIT_ERR_DATA, "cannot read '%s': %s", path,
                          strerror(errno));
            goto cleanup;
        }
        if (n == 0) break;
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
            rc = df_error(err, DYADFIT_ERR_SYSTEM, "SHA-256 failed on '%s'",
                          path);
            goto cleanup;
        }
    }
    if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
        rc = df_error(err, DYADFIT_ERR_SYSTEM, "SHA-256 failed on '%s'", path);
        goto cleanup;
    }
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < mdlen; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';

cleanup:
    EVP_MD_CTX_free(ctx);
    free(buf);
    if (fd >= 0) close(fd);
    return rc;
}
