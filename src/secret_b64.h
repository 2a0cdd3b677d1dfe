/* secret_b64: a secret value's bytes as "value_base64" (proto.h says when),
 * with libsodium's constant-time base64 (standard alphabet, padded): a
 * value's encoding takes the same time whatever its bytes. Header-only so
 * that svd calls libsodium through its loaded table (include dl_sodium.h
 * first) and svctl, which links it, directly (include sodium.h first). */
#ifndef SVD_SECRET_B64_H
#define SVD_SECRET_B64_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* malloc'd, NUL-terminated; NULL if out of memory. */
static inline char *secret_b64_encode(const void *data, size_t len)
{
        if (len > SIZE_MAX / 4 * 3 - 3)
                return NULL;
        size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
        char *out = malloc(n);
        if (out)
                sodium_bin2base64(out, n, data, len, sodium_base64_VARIANT_ORIGINAL);
        return out;
}

/* Strict: every character of s (no whitespace, no URL-safe alphabet),
 * padding as required, unused bits zero. *ret is malloc'd and
 * NUL-terminated (the caller wipes it); -EINVAL or -ENOMEM. */
static inline int secret_b64_decode(const char *s, unsigned char **ret, size_t *ret_len)
{
        size_t n = strlen(s), cap = n / 4 * 3 + 3, len = 0;
        const char *end = NULL;
        unsigned char *out = malloc(cap);
        if (!out)
                return -ENOMEM;
        if (sodium_base642bin(out, cap - 1, s, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
            end != s + n) {
                explicit_bzero(out, cap);
                free(out);
                return -EINVAL;
        }
        out[len] = 0;
        *ret = out;
        *ret_len = len;
        return 0;
}

#endif
