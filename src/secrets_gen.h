/* secrets_gen: the value generators (password, hex, base64, uuid), JWT minting
 * (HS256 with libsodium's HMAC-SHA256) and the weak-value check. Pure apart
 * from randombytes; every value is written into memory from sodium_malloc
 * (secrets_buf), so a secret never sits in the ordinary heap. libsodium's
 * conventions are turned into -errno here. Nothing in this file logs. */
#ifndef SVD_SECRETS_GEN_H
#define SVD_SECRETS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* A secret value: sodium_malloc'd (guard pages, mlocked), NUL-terminated for
 * convenience, wiped and freed by secrets_buf_free. */
struct secrets_buf {
        unsigned char *p;
        size_t len;
};
int secrets_buf_alloc(struct secrets_buf *b, size_t len);
int secrets_buf_dup(struct secrets_buf *b, const void *data, size_t len);
void secrets_buf_free(struct secrets_buf *b);
/* sodium_malloc goes on without locking its memory when mlock fails
 * (RLIMIT_MEMLOCK used up, without CAP_IPC_LOCK): secrets_buf_alloc checks
 * it. The mlock errno of the first failure, reported once per process (0
 * after that, and while every lock held). */
int secrets_gen_lock_failure(void);

#define SECRETS_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* Library init (sodium_init); -EIO if libsodium cannot start. */
int secrets_gen_init(void);

/* length characters drawn uniformly from charset (NULL = SECRETS_ALNUM). */
int secrets_gen_password(struct secrets_buf *out, unsigned length, const char *charset);
/* bytes random bytes, hex (2*bytes chars) or base64 with padding. */
int secrets_gen_hex(struct secrets_buf *out, unsigned bytes);
int secrets_gen_base64(struct secrets_buf *out, unsigned bytes);
/* A random (version 4) UUID, 36 characters. */
int secrets_gen_uuid(struct secrets_buf *out);
/* Generates a value for a password/hex/base64/uuid definition. -EINVAL for
 * the other kinds. */
int secrets_gen_value(const struct secret_config *d, struct secrets_buf *out);

/* An HS256 JWT: header {"alg":"HS256","typ":"JWT"}, payload = claims_json
 * (an object) + iat (now_sec) + exp (now_sec + expires_sec, omitted when 0),
 * signed with key (the signing secret's bytes as they are). */
int secrets_jwt_mint(const char *claims_json, uint64_t now_sec, uint64_t expires_sec, const void *key,
                     size_t key_len, struct secrets_buf *out);

/* Whether token's HS256 signature matches key (0) or not (-EBADMSG). */
int secrets_jwt_verify(const void *token, size_t len, const void *key, size_t key_len);

/* Why a value is weak, or NULL: a publicly known default ("changeme",
 * Supabase's example JWT secret, ...) or, for a JWT signing secret, fewer
 * than 32 bytes. */
const char *secrets_weak_reason(const void *value, size_t len, bool jwt_signing);

#endif
