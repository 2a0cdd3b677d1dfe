/* secrets_gen: generators, JWT minting and the weak-value check (see
 * secrets_gen.h). Randomness is randombytes_buf / randombytes_uniform (no
 * modulo bias); encodings are libsodium's constant-time bin2hex/bin2base64.
 * The JWT's header and payload hold no secret and are built with cJSON; the
 * signature and the token live in sodium memory only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include "dl_sodium.h"

#include "secrets_gen.h"

/* The first mlock failure (secrets_gen_lock_failure); once one failed,
 * the next allocations are not checked (the limit stays used up, and the
 * warning is given once). */
static int lock_err;
static bool lock_reported;

int secrets_gen_lock_failure(void)
{
        if (!lock_err || lock_reported)
                return 0;
        lock_reported = true;
        return lock_err;
}

/* Every buffer holds libsodium loaded: sodium_free() must be the instance
 * that allocated it (its guard canary is drawn at sodium_init()). */
int secrets_buf_alloc(struct secrets_buf *b, size_t len)
{
        char why[256];

        if (dynlib_acquire(&dl_sodium, why, sizeof why) < 0)
                return -ENOMEM;
        unsigned char *p = sodium_malloc(len + 1);

        if (!p) {
                dynlib_release(&dl_sodium);
                return -ENOMEM;
        }
        /* sodium_malloc ignores its own mlock's failure: a second lock of
         * the same pages succeeds if that one did (locks do not stack) */
        if (!lock_err && sodium_mlock(p, len + 1) < 0)
                lock_err = errno ? errno : ENOMEM;
        memset(p, 0, len + 1);
        b->p = p;
        b->len = len;
        return 0;
}

int secrets_buf_dup(struct secrets_buf *b, const void *data, size_t len)
{
        int r = secrets_buf_alloc(b, len);

        if (r >= 0 && len)
                memcpy(b->p, data, len);
        return r;
}

void secrets_buf_free(struct secrets_buf *b)
{
        if (!b || !b->p)
                return;
        /* sodium_free wipes the region (and checks the guard canary) */
        sodium_free(b->p);
        b->p = NULL;
        b->len = 0;
        dynlib_release(&dl_sodium);
}

int secrets_gen_init(void)
{
        char why[256];

        if (dynlib_acquire(&dl_sodium, why, sizeof why) < 0)
                return -ELIBACC;
        int r = sodium_init() < 0 ? -EIO : 0;
        dynlib_release(&dl_sodium);
        return r;
}

int secrets_gen_password(struct secrets_buf *out, unsigned length, const char *charset)
{
        const char *cs = charset ? charset : SECRETS_ALNUM;
        size_t n = strlen(cs);
        struct secrets_buf b;
        int r;

        if (length == 0 || n < 2)
                return -EINVAL;
        if ((r = secrets_buf_alloc(&b, length)) < 0)
                return r;
        for (unsigned i = 0; i < length; i++)
                b.p[i] = (unsigned char)cs[randombytes_uniform((uint32_t)n)];
        *out = b;
        return 0;
}

static int gen_encoded(struct secrets_buf *out, unsigned bytes, bool base64)
{
        size_t enc_len = base64 ? sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_ORIGINAL)
                                : (size_t)bytes * 2 + 1;
        unsigned char *raw = sodium_malloc(bytes ? bytes : 1);
        struct secrets_buf b;
        int r;

        if (!raw)
                return -ENOMEM;
        if ((r = secrets_buf_alloc(&b, enc_len - 1)) < 0) {
                sodium_free(raw);
                return r;
        }
        randombytes_buf(raw, bytes);
        if (base64)
                sodium_bin2base64((char *)b.p, enc_len, raw, bytes, sodium_base64_VARIANT_ORIGINAL);
        else
                sodium_bin2hex((char *)b.p, enc_len, raw, bytes);
        sodium_free(raw);
        b.len = strlen((char *)b.p);
        *out = b;
        return 0;
}

int secrets_gen_hex(struct secrets_buf *out, unsigned bytes)
{
        return bytes ? gen_encoded(out, bytes, false) : -EINVAL;
}

int secrets_gen_base64(struct secrets_buf *out, unsigned bytes)
{
        return bytes ? gen_encoded(out, bytes, true) : -EINVAL;
}

int secrets_gen_uuid(struct secrets_buf *out)
{
        unsigned char u[16];
        struct secrets_buf b;
        int r;

        if ((r = secrets_buf_alloc(&b, 36)) < 0)
                return r;
        randombytes_buf(u, sizeof u);
        u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
        u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
        snprintf((char *)b.p, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                 u[14], u[15]);
        sodium_memzero(u, sizeof u);
        *out = b;
        return 0;
}

int secrets_gen_value(const struct secret_config *d, struct secrets_buf *out)
{
        switch (d->kind) {
        case SECRET_PASSWORD:
                return secrets_gen_password(out, d->length, d->charset);
        case SECRET_HEX:
                return secrets_gen_hex(out, d->bytes);
        case SECRET_BASE64:
                return secrets_gen_base64(out, d->bytes);
        case SECRET_UUID:
                return secrets_gen_uuid(out);
        default:
                return -EINVAL;
        }
}

/* base64url without padding of len bytes into dst (room for it + NUL). */
static size_t b64url(char *dst, size_t cap, const void *src, size_t len)
{
        sodium_bin2base64(dst, cap, src, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        return strlen(dst);
}

static size_t b64url_len(size_t len)
{
        return sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int secrets_jwt_mint(const char *claims_json, uint64_t now_sec, uint64_t expires_sec, const void *key,
                     size_t key_len, struct secrets_buf *out)
{
        static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        cJSON *claims = cJSON_Parse(claims_json ? claims_json : "{}");
        _cleanup_(freep) char *payload = NULL;
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        struct secrets_buf b;
        size_t hl, pl, cap, off;
        int r;

        if (!cJSON_IsObject(claims)) {
                cJSON_Delete(claims);
                return -EINVAL;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(claims, "iat");
        cJSON_DeleteItemFromObjectCaseSensitive(claims, "exp");
        if (!cJSON_AddNumberToObject(claims, "iat", (double)now_sec) ||
            (expires_sec && !cJSON_AddNumberToObject(claims, "exp", (double)(now_sec + expires_sec)))) {
                cJSON_Delete(claims);
                return -ENOMEM;
        }
        payload = cJSON_PrintUnformatted(claims);
        cJSON_Delete(claims);
        if (!payload)
                return -ENOMEM;
        hl = b64url_len(sizeof header - 1);
        pl = b64url_len(strlen(payload));
        cap = hl + pl + b64url_len(sizeof mac) + 2;
        if ((r = secrets_buf_alloc(&b, cap)) < 0)
                return r;
        off = b64url((char *)b.p, hl, header, sizeof header - 1);
        b.p[off++] = '.';
        off += b64url((char *)b.p + off, pl, payload, strlen(payload));
        /* HMAC over "header.payload"; the key may have any length */
        crypto_auth_hmacsha256_init(&st, key, key_len);
        crypto_auth_hmacsha256_update(&st, b.p, off);
        crypto_auth_hmacsha256_final(&st, mac);
        sodium_memzero(&st, sizeof st);
        b.p[off++] = '.';
        off += b64url((char *)b.p + off, cap - off, mac, sizeof mac);
        sodium_memzero(mac, sizeof mac);
        b.len = off;
        *out = b;
        return 0;
}

int secrets_jwt_verify(const void *token, size_t len, const void *key, size_t key_len)
{
        const char *t = token, *dot = memrchr(t, '.', len);
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        char enc[64];
        crypto_auth_hmacsha256_state st;
        int r;

        if (!dot)
                return -EBADMSG;
        crypto_auth_hmacsha256_init(&st, key, key_len);
        crypto_auth_hmacsha256_update(&st, token, (size_t)(dot - t));
        crypto_auth_hmacsha256_final(&st, mac);
        sodium_memzero(&st, sizeof st);
        b64url(enc, sizeof enc, mac, sizeof mac);
        r = strlen(enc) == len - (size_t)(dot - t) - 1 && sodium_memcmp(enc, dot + 1, strlen(enc)) == 0
                    ? 0
                    : -EBADMSG;
        sodium_memzero(mac, sizeof mac);
        sodium_memzero(enc, sizeof enc);
        return r;
}

/* Values published in documentation, examples and default configs. */
static const char *const known_defaults[] = {
        "super-secret-jwt-token-with-at-least-32-characters-long",
        "your-super-secret-jwt-token-with-at-least-32-characters-long",
        "your-super-secret-and-long-postgres-password",
        "this_password_is_insecure_and_should_be_updated",
        "postgres",
        "password",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "admin",
        "root",
        "123456",
        "12345678",
        "qwerty",
        "letmein",
        "default",
        "example",
        "test",
        "supabase",
};

const char *secrets_weak_reason(const void *value, size_t len, bool jwt_signing)
{
        if (len == 0)
                return "is empty";
        for (size_t i = 0; i < ELEMENTSOF(known_defaults); i++)
                if (strlen(known_defaults[i]) == len && strncasecmp(known_defaults[i], value, len) == 0)
                        return "is a publicly known default";
        if (jwt_signing && len < 32)
                return "is shorter than 32 bytes (a JWT signing secret)";
        return NULL;
}
