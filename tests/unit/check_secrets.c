/* check_secrets: the store format (roundtrip, tamper, wrong key, truncation,
 * a rotation kept pending in it), the generators (length, charset,
 * hex/base64/uuid shapes), JWT minting against a token computed
 * independently (Python's hmac/hashlib), the
 * weak-value check, and the secrets: config syntax (definitions shared by
 * name, conflicting definitions naming both places, unknown references). */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "secrets_gen.h"
#include "secrets_store.h"
#include "secret_b64.h"
#include "util.h"

static void put(struct secrets_table *t, const char *name, const char *v, uint64_t created)
{
        struct secrets_buf b;

        ck_assert_int_eq(secrets_buf_dup(&b, v, strlen(v)), 0);
        ck_assert_int_eq(secrets_table_put(t, name, created, &b), 0);
}

START_TEST(test_store_roundtrip)
{
        unsigned char key[SECRETS_KEY_BYTES], *blob;
        struct secrets_table t = { 0 }, u = { 0 };
        size_t len;

        ck_assert_int_eq(secrets_gen_init(), 0);
        randombytes_buf(key, sizeof key);
        put(&t, "postgres_password", "s3cr3t-value", 1700000000);
        put(&t, "jwt_secret", "another value with spaces", 1700000001);
        put(&t, "empty", "", 5);
        ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), 0);
        /* no plaintext in the sealed blob */
        ck_assert_ptr_null(memmem(blob, len, "s3cr3t", 6));
        ck_assert_ptr_null(memmem(blob, len, "postgres_password", 17));
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), 0);
        ck_assert_uint_eq(u.n, 3);
        struct secrets_entry *e = secrets_table_find(&u, "jwt_secret");
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->created, 1700000001);
        ck_assert_uint_eq(e->value.len, strlen("another value with spaces"));
        ck_assert_mem_eq(e->value.p, "another value with spaces", e->value.len);
        ck_assert_uint_eq(secrets_table_find(&u, "empty")->value.len, 0);
        free(blob);
        secrets_table_clear(&t);
        secrets_table_clear(&u);
}
END_TEST

START_TEST(test_store_tamper_and_wrong_key)
{
        unsigned char key[SECRETS_KEY_BYTES], other[SECRETS_KEY_BYTES], *blob;
        struct secrets_table t = { 0 }, u = { 0 };
        size_t len;

        ck_assert_int_eq(secrets_gen_init(), 0);
        randombytes_buf(key, sizeof key);
        memcpy(other, key, sizeof key);
        other[0] ^= 1;
        put(&t, "a", "value-a", 1);
        put(&t, "b", "value-b", 2);
        ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), 0);
        ck_assert_int_eq(secrets_store_open(blob, len, other, &u, NULL), -EKEYREJECTED);
        /* every byte after the header is covered by the MAC (nonce included) */
        for (size_t i = 9 + SECRETS_SALT_BYTES; i < len; i++) {
                blob[i] ^= 0x40;
                ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), -EKEYREJECTED);
                blob[i] ^= 0x40;
        }
        blob[0] ^= 1;
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), -EBADMSG);
        blob[0] ^= 1;
        ck_assert_int_eq(secrets_store_open(blob, 20, key, &u, NULL), -EBADMSG);
        ck_assert_int_eq(secrets_store_open(blob, len - 1, key, &u, NULL), -EKEYREJECTED);
        ck_assert_uint_eq(u.n, 0);
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), 0);
        ck_assert_uint_eq(u.n, 2);
        free(blob);
        secrets_table_clear(&t);
        secrets_table_clear(&u);
}
END_TEST

/* The header (version, mode, KDF parameters, salt, nonce) is associated
 * data: a flipped bit anywhere in it is refused, in host key mode (where
 * the salt is not part of the key) and in passphrase mode alike. */
START_TEST(test_store_header_authenticated)
{
        unsigned char key[SECRETS_KEY_BYTES], *blob;
        struct secrets_table t = { 0 }, u = { 0 };
        size_t len;

        ck_assert_int_eq(secrets_gen_init(), 0);
        randombytes_buf(key, sizeof key);
        put(&t, "a", "value-a", 1);
        for (int mode = 0; mode <= 1; mode++) {
                t.mode = (uint8_t)mode;
                t.kdf_ops = 2;
                t.kdf_mem_kib = 65536;
                randombytes_buf(t.salt, sizeof t.salt);
                ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), 0);
                ck_assert_mem_eq(blob, "SVDSEC02", 8);
                for (size_t i = 0; i < 57; i++)
                        for (unsigned bit = 1; bit < 256; bit <<= 1) {
                                blob[i] ^= (unsigned char)bit;
                                ck_assert_msg(secrets_store_open(blob, len, key, &u, NULL) < 0,
                                              "mode %d: header byte %zu ^ 0x%02x accepted", mode, i, bit);
                                blob[i] ^= (unsigned char)bit;
                        }
                ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), 0);
                ck_assert_uint_eq(u.version, 2);
                ck_assert_uint_eq(u.mode, (unsigned)mode);
                ck_assert_uint_eq(u.kdf_ops, mode ? 2 : 0);
                ck_assert_uint_eq(u.kdf_mem_kib, mode ? 65536 : 0);
                free(blob);
        }
        /* KDF parameters out of bounds are refused before any key is derived */
        t.kdf_ops = 17;
        ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), -EINVAL);
        secrets_table_clear(&t);
        secrets_table_clear(&u);
}
END_TEST

/* A store of the format before (SVDSEC01: secretbox, header not covered)
 * still opens, and is written in the current one. */
START_TEST(test_store_v1_migrates)
{
        unsigned char key[SECRETS_KEY_BYTES], rec[64], *p = rec, *blob, v1[256];
        struct secrets_table u = { 0 };
        size_t len, n;

        ck_assert_int_eq(secrets_gen_init(), 0);
        randombytes_buf(key, sizeof key);
        *p++ = 2;
        memcpy(p, "pw", 2);
        p += 2;
        memset(p, 0, 8);
        p[7] = 42; /* created */
        p += 8;
        memset(p, 0, 4);
        p[3] = 5;
        p += 4;
        memcpy(p, "hello", 5);
        p += 5;
        n = (size_t)(p - rec);
        memcpy(v1, "SVDSEC01", 8);
        v1[8] = 1;
        randombytes_buf(v1 + 9, 16 + crypto_secretbox_NONCEBYTES);
        crypto_secretbox_easy(v1 + 49, rec, n, v1 + 25, key);
        len = 49 + crypto_secretbox_MACBYTES + n;
        ck_assert_int_eq(secrets_store_open(v1, len, key, &u, NULL), 0);
        ck_assert_uint_eq(u.version, 1);
        ck_assert_uint_eq(u.mode, 1);
        ck_assert_uint_eq(u.kdf_ops, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
        ck_assert_uint_eq(u.kdf_mem_kib, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024);
        ck_assert_mem_eq(u.salt, v1 + 9, 16);
        ck_assert_uint_eq(secrets_table_find(&u, "pw")->created, 42);
        ck_assert_mem_eq(secrets_table_find(&u, "pw")->value.p, "hello", 5);
        ck_assert_int_eq(secrets_store_seal(&u, NULL, key, &blob, &len), 0);
        ck_assert_mem_eq(blob, "SVDSEC02", 8);
        ck_assert_mem_eq(blob + 17, v1 + 9, 16); /* the same salt: the same passphrase key */
        secrets_table_clear(&u);
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), 0);
        ck_assert_uint_eq(u.version, 2);
        ck_assert_uint_eq(u.kdf_ops, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
        free(blob);
        secrets_table_clear(&u);
}
END_TEST

/* A rotation waiting for its job goes into the same sealed records; a store
 * without one (an older svd's) opens with none; an older svd's copy of the
 * records it kept as plain values comes back as the pending rotation. */
START_TEST(test_store_pending)
{
        unsigned char key[SECRETS_KEY_BYTES], *blob;
        struct secrets_table t = { 0 }, u = { 0 }, old = { 0 };
        struct secrets_pending p = { 0 }, q = { 0 };
        struct secrets_entry *e;
        size_t len;

        ck_assert_int_eq(secrets_gen_init(), 0);
        randombytes_buf(key, sizeof key);
        put(&t, "api_pw", "new-value", 1700000100);
        put(&t, "other", "other-value", 1600000000);
        p.secret = strdup("api_pw");
        p.job = strdup("rot");
        p.started = 1700000100;
        put(&p.old, "api_pw", "old-value", 1600000001);
        put(&p.old, "api_jwt", "old.jwt.value", 1600000002);
        ck_assert_int_eq(secrets_store_seal(&t, &p, key, &blob, &len), 0);
        ck_assert_ptr_null(memmem(blob, len, "old-value", 9));
        ck_assert_ptr_null(memmem(blob, len, "pending", 7));
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, &q), 0);
        ck_assert_uint_eq(u.n, 2); /* the pending part is not among the values */
        ck_assert_ptr_null(secrets_table_find(&u, "pending:rotation"));
        ck_assert_str_eq(q.secret, "api_pw");
        ck_assert_str_eq(q.job, "rot");
        ck_assert_uint_eq(q.started, 1700000100);
        ck_assert_uint_eq(q.old.n, 2);
        ck_assert_ptr_nonnull(e = secrets_table_find(&q.old, "api_pw"));
        ck_assert_uint_eq(e->created, 1600000001);
        ck_assert_uint_eq(e->value.len, 9);
        ck_assert_mem_eq(e->value.p, "old-value", 9);
        ck_assert_ptr_nonnull(secrets_table_find(&q.old, "api_jwt"));
        /* p NULL: the pending part is dropped, the values open */
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), 0);
        ck_assert_uint_eq(u.n, 2);
        free(blob);

        /* without a pending part (as every store before it): none, and a
         * stale one in *q is cleared */
        ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), 0);
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, &q), 0);
        ck_assert_uint_eq(u.n, 2);
        ck_assert_ptr_null(q.secret);
        ck_assert_uint_eq(q.old.n, 0);
        free(blob);

        /* as an older svd writes it back: the same names as plain values */
        put(&old, "api_pw", "new-value", 1700000100);
        put(&old, "pending:rotation", "api_pw\nrot", 1700000100);
        put(&old, "pending:old:api_pw", "old-value", 1600000001);
        put(&old, "future:thing", "skipped", 1); /* a newer svd's: skipped */
        ck_assert_int_eq(secrets_store_seal(&old, NULL, key, &blob, &len), 0);
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, &q), 0);
        ck_assert_uint_eq(u.n, 1);
        ck_assert_str_eq(q.secret, "api_pw");
        ck_assert_uint_eq(q.old.n, 1);
        free(blob);

        /* previous values without their rotation: dropped */
        secrets_table_clear(&old);
        put(&old, "a", "x", 1);
        put(&old, "pending:old:a", "y", 1);
        ck_assert_int_eq(secrets_store_seal(&old, NULL, key, &blob, &len), 0);
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, &q), 0);
        ck_assert_uint_eq(u.n, 1);
        ck_assert_ptr_null(q.secret);
        ck_assert_uint_eq(q.old.n, 0);
        free(blob);

        /* a malformed rotation record is a damaged store; nothing changes */
        const char *bad[] = { "api_pw", "\nrot", "api_pw\n", "a\nb\nc" };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                secrets_table_clear(&old);
                put(&old, "pending:rotation", bad[i], 1);
                ck_assert_int_eq(secrets_store_seal(&old, NULL, key, &blob, &len), 0);
                ck_assert_int_eq(secrets_store_open(blob, len, key, &u, &q), -EPROTO);
                ck_assert_uint_eq(u.n, 1);
                free(blob);
        }

        secrets_table_clear(&t);
        secrets_table_clear(&u);
        secrets_table_clear(&old);
        secrets_pending_clear(&p);
        secrets_pending_clear(&q);
}
END_TEST

/* A store is never written larger than secrets_file_read takes back
 * (16 MiB): the write fails instead (nothing replaced), rather than leave
 * a store the next svd cannot read. */
START_TEST(test_store_too_large)
{
        unsigned char key[SECRETS_KEY_BYTES], *blob = NULL, *raw;
        struct secrets_table t = { 0 }, u = { 0 };
        size_t len = 0, n;
        char name[32];

        ck_assert_int_eq(secrets_gen_init(), 0);
        randombytes_buf(key, sizeof key);
        ck_assert_ptr_nonnull(raw = malloc(64u << 10));
        memset(raw, 'v', 64u << 10);
        /* 255 values of 64 KiB: under 16 MiB sealed */
        for (n = 0; n < 255; n++) {
                struct secrets_buf b;

                snprintf(name, sizeof name, "v%zu", n);
                ck_assert_int_eq(secrets_buf_dup(&b, raw, 64u << 10), 0);
                ck_assert_int_eq(secrets_table_put(&t, name, 1, &b), 0);
        }
        ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), 0);
        ck_assert_uint_le(len, 16u << 20);
        ck_assert_int_eq(secrets_store_open(blob, len, key, &u, NULL), 0);
        ck_assert_uint_eq(u.n, 255);
        free(blob);
        blob = NULL;
        /* two more: over it */
        for (; n < 257; n++) {
                struct secrets_buf b;

                snprintf(name, sizeof name, "v%zu", n);
                ck_assert_int_eq(secrets_buf_dup(&b, raw, 64u << 10), 0);
                ck_assert_int_eq(secrets_table_put(&t, name, 1, &b), 0);
        }
        len = 0;
        ck_assert_int_eq(secrets_store_seal(&t, NULL, key, &blob, &len), -EFBIG);
        ck_assert_ptr_null(blob);
        ck_assert_uint_eq(len, 0);
        free(raw);
        secrets_table_clear(&t);
        secrets_table_clear(&u);
}
END_TEST

START_TEST(test_store_files)
{
        char dir[] = "/tmp/check_secrets.XXXXXX", path[256], kpath[256];
        struct secrets_buf k1, k2;
        unsigned char *data;
        size_t len;
        struct stat st;

        ck_assert_int_eq(secrets_gen_init(), 0);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/f", dir);
        snprintf(kpath, sizeof kpath, "%s/key", dir);
        ck_assert_int_eq(secrets_file_write_atomic(path, "hello", 5, 0600), 0);
        ck_assert_int_eq(secrets_file_read(path, &data, &len), 0);
        ck_assert_uint_eq(len, 5);
        ck_assert_mem_eq(data, "hello", 5);
        free(data);
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_uint_eq(st.st_mode & 0777, 0600);
        ck_assert_int_eq(secrets_key_load(kpath, false, &k1), -ENOENT);
        ck_assert_int_eq(secrets_key_load(kpath, true, &k1), 0);
        ck_assert_int_eq(stat(kpath, &st), 0);
        ck_assert_uint_eq(st.st_mode & 0777, 0400);
        ck_assert_int_eq(secrets_key_load(kpath, true, &k2), 0);
        ck_assert_mem_eq(k1.p, k2.p, SECRETS_KEY_BYTES);
        secrets_buf_free(&k1);
        secrets_buf_free(&k2);
        chmod(kpath, 0444);
        ck_assert_int_eq(secrets_key_load(kpath, false, &k1), -EPERM);
        unlink(kpath);
        /* a FIFO is refused at once: its open does not wait for a writer */
        ck_assert_int_eq(mkfifo(kpath, 0600), 0);
        ck_assert_int_eq(secrets_file_read(kpath, &data, &len), -EINVAL);
        ck_assert_int_eq(secrets_key_load(kpath, false, &k1), -EBADMSG);
        unlink(kpath);
        unlink(path);
        rmdir(dir);
}
END_TEST

static bool matches(const char *re, const char *s)
{
        regex_t r;
        bool ok;

        ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
        ok = regexec(&r, s, 0, NULL, 0) == 0;
        regfree(&r);
        return ok;
}

START_TEST(test_generators)
{
        struct secrets_buf b, c;

        ck_assert_int_eq(secrets_gen_init(), 0);
        ck_assert_int_eq(secrets_gen_password(&b, 32, NULL), 0);
        ck_assert_uint_eq(b.len, 32);
        ck_assert_uint_eq(strlen((char *)b.p), 32);
        ck_assert(matches("^[A-Za-z0-9]{32}$", (char *)b.p));
        ck_assert_int_eq(secrets_gen_password(&c, 32, NULL), 0);
        ck_assert_str_ne((char *)b.p, (char *)c.p);
        secrets_buf_free(&b);
        secrets_buf_free(&c);
        ck_assert_int_eq(secrets_gen_password(&b, 200, "ab"), 0);
        ck_assert(matches("^[ab]{200}$", (char *)b.p));
        ck_assert(strchr((char *)b.p, 'a') && strchr((char *)b.p, 'b'));
        secrets_buf_free(&b);
        ck_assert_int_eq(secrets_gen_password(&b, 0, NULL), -EINVAL);
        ck_assert_int_eq(secrets_gen_hex(&b, 16), 0);
        ck_assert(matches("^[0-9a-f]{32}$", (char *)b.p));
        ck_assert_uint_eq(b.len, 32);
        secrets_buf_free(&b);
        ck_assert_int_eq(secrets_gen_base64(&b, 48), 0);
        ck_assert_uint_eq(b.len, 64);
        ck_assert(matches("^[A-Za-z0-9+/]{64}$", (char *)b.p));
        secrets_buf_free(&b);
        ck_assert_int_eq(secrets_gen_base64(&b, 16), 0);
        ck_assert(matches("^[A-Za-z0-9+/]{22}==$", (char *)b.p));
        secrets_buf_free(&b);
        for (int i = 0; i < 50; i++) {
                ck_assert_int_eq(secrets_gen_uuid(&b), 0);
                ck_assert(matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                                  (char *)b.p));
                secrets_buf_free(&b);
        }
}
END_TEST

START_TEST(test_jwt_known_vector)
{
        /* python3: hmac.new(key, header.payload, sha256), base64url without padding */
        static const char want[] =
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                "eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjIwMTUzNjAwMDB9."
                "Tts-wqhTCkQ7OCBsi9ZpY7Gsz0J3P5XYL0tJ5l2GoXA";
        static const char key[] = "0123456789abcdef0123456789abcdef-key";
        struct secrets_buf t;

        ck_assert_int_eq(secrets_gen_init(), 0);
        ck_assert_int_eq(secrets_jwt_mint("{\"role\":\"anon\",\"iss\":\"supabase\"}", 1700000000, 315360000,
                                          key, strlen(key), &t),
                         0);
        ck_assert_str_eq((char *)t.p, want);
        ck_assert_uint_eq(t.len, strlen(want));
        secrets_buf_free(&t);
        ck_assert_int_eq(secrets_jwt_mint("[1]", 1, 0, key, strlen(key), &t), -EINVAL);
}
END_TEST

START_TEST(test_weak)
{
        ck_assert_ptr_nonnull(secrets_weak_reason("postgres", 8, false));
        ck_assert_ptr_nonnull(secrets_weak_reason("ChangeMe", 8, false));
        ck_assert_ptr_nonnull(secrets_weak_reason("", 0, false));
        const char *sup = "super-secret-jwt-token-with-at-least-32-characters-long";
        ck_assert_str_eq(secrets_weak_reason(sup, strlen(sup), true), "is a publicly known default");
        const char *pg = "your-super-secret-and-long-postgres-password";
        ck_assert_ptr_nonnull(secrets_weak_reason(pg, strlen(pg), false));
        ck_assert_ptr_null(secrets_weak_reason("x7Qm2pLk9Rt", 11, false));
        ck_assert_str_eq(secrets_weak_reason("x7Qm2pLk9Rt", 11, true),
                         "is shorter than 32 bytes (a JWT signing secret)");
        ck_assert_ptr_null(secrets_weak_reason("x7Qm2pLk9Rtx7Qm2pLk9Rtx7Qm2pLk9Rt", 33, true));
        /* a prefix of a known value is not that value */
        ck_assert_ptr_null(secrets_weak_reason("postgres1", 9, false));
}
END_TEST

/* ---- config syntax ---- */
static char cdir[64];

static void wfile(const char *rel, const char *text)
{
        char p[256];
        FILE *f;

        snprintf(p, sizeof p, "%s/%s", cdir, rel);
        ck_assert_ptr_nonnull(f = fopen(p, "w"));
        fputs(text, f);
        fclose(f);
}

static int load(struct svd_config **c, struct cfg_errors *e)
{
        char p[256];

        snprintf(p, sizeof p, "%s/svd.yaml", cdir);
        return config_load(p, c, e);
}

static void setup_dir(void)
{
        char p[128];

        snprintf(cdir, sizeof cdir, "/tmp/check_secrets_cfg.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(cdir));
        snprintf(p, sizeof p, "%s/services", cdir);
        mkdir(p, 0755);
        wfile("svd.yaml", "services_dir: services\nstate_dir: st\nrun_dir: run\nlog_dir: log\n");
}

/* After each test (in its forked child): setup_dir's tree goes. */
static void teardown_dir(void)
{
        char cmd[96];

        if (!cdir[0])
                return;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", cdir);
        ck_assert_int_eq(system(cmd), 0);
        cdir[0] = '\0';
}

static bool has_error(const struct cfg_errors *e, const char *needle)
{
        for (size_t i = 0; i < e->n; i++)
                if (strstr(e->msgs[i], needle))
                        return true;
        return false;
}

START_TEST(test_config_shared)
{
        struct svd_config *c = NULL;
        struct cfg_errors e = { 0 };

        setup_dir();
        wfile("services/auth.yaml",
              "command: [/bin/true]\n"
              "secrets:\n"
              "  jwt_secret: { generate: base64, bytes: 48 }\n"
              "  anon_key: { jwt: { secret: jwt_secret, claims: { role: anon, n: 5 }, expires_in: 10y } }\n"
              "environment: { DB: \"postgres://a:${secret:pw}@h/db\" }\n");
        wfile("services/db.yaml", "command: [/bin/true]\n"
                                  "secrets:\n"
                                  "  pw: { generate: password, length: 24, on_rotate: rot }\n");
        wfile("services/rot.yaml", "command: [/bin/true]\ntype: oneshot\n");
        wfile("services/web.yaml", "command: [/bin/true]\nsecrets: [anon_key]\n");
        ck_assert_int_eq(load(&c, &e), 0);
        ck_assert_uint_eq(c->n_secrets, 3);
        const struct svc_config *a = config_find_svc(c, "auth");
        ck_assert_uint_eq(a->n_secrets, 3); /* jwt_secret, anon_key, pw (from environment) */
        const struct secret_config *jwt = &c->secrets[a->secrets[2].index];
        ck_assert_str_eq(a->secrets[0].name, "pw");
        ck_assert_str_eq(jwt->name, "anon_key");
        ck_assert_int_eq(jwt->kind, SECRET_JWT);
        ck_assert_str_eq(jwt->jwt_claims, "{\"role\":\"anon\",\"n\":5}");
        ck_assert_uint_eq(jwt->expires_in, (usec_t)10 * 365 * 86400 * USEC_PER_SEC);
        ck_assert_str_eq(c->secrets[jwt->jwt_index].name, "jwt_secret");
        /* the on_rotate job sees the secret it installs */
        ck_assert_uint_eq(config_find_svc(c, "rot")->n_secrets, 1);
        ck_assert_uint_eq(config_find_svc(c, "web")->n_secrets, 1);
        config_free(c);
}
END_TEST

/* An on_rotate job that already uses the secret it installs keeps every
 * other secret it uses: adding the (existing) use used to point the job's
 * last secret at the rotated one, so the job got pw's value for tok. */
START_TEST(test_config_rotate_job_uses)
{
        struct svd_config *c = NULL;
        struct cfg_errors e = { 0 };

        setup_dir();
        wfile("services/db.yaml", "command: [/bin/true]\n"
                                  "secrets:\n"
                                  "  pw: { generate: password, on_rotate: rot }\n"
                                  "  tok: { generate: hex }\n");
        wfile("services/rot.yaml", "command: [/bin/true]\ntype: oneshot\nsecrets: [pw, tok]\n");
        ck_assert_int_eq(load(&c, &e), 0);
        const struct svc_config *rot = config_find_svc(c, "rot");
        ck_assert_uint_eq(rot->n_secrets, 2);
        for (size_t i = 0; i < rot->n_secrets; i++) {
                ck_assert_uint_lt(rot->secrets[i].index, c->n_secrets);
                ck_assert_str_eq(c->secrets[rot->secrets[i].index].name, rot->secrets[i].name);
        }
        config_free(c);
}
END_TEST

START_TEST(test_config_errors)
{
        struct svd_config *c = NULL;
        struct cfg_errors e = { 0 };

        setup_dir();
        wfile("services/a.yaml", "command: [/bin/true]\n"
                                 "secrets:\n"
                                 "  pw: { generate: password, length: 24 }\n");
        wfile("services/b.yaml", "command: [/bin/true]\n"
                                 "secrets:\n"
                                 "  pw: { generate: password, length: 32 }\n"
                                 "  k: { jwt: { secret: nope } }\n"
                                 "  two: { generate: hex, value: x }\n"
                                 "environment:\n  - \"X=${secret:missing}\"\n");
        ck_assert_int_eq(load(&c, &e), -EINVAL);
        for (size_t i = 0; i < e.n; i++)
                fprintf(stderr, "%s\n", e.msgs[i]);
        ck_assert(has_error(&e, "b.yaml:3:7: secrets.pw: secret 'pw' is defined differently in "));
        ck_assert(has_error(&e, "a.yaml:3:7"));
        ck_assert(has_error(&e, "jwt.secret: no service defines secret 'nope'"));
        ck_assert(has_error(&e, "a secret has one source"));
        ck_assert(has_error(&e, "no service defines secret 'missing'"));
        cfg_errors_free(&e);
}
END_TEST

START_TEST(test_base64)
{
        /* secret_b64.h with libsodium linked directly, as in svctl */
        /* RFC 4648's vectors, then every byte value */
        const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
        const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
        unsigned char all[256], *out;
        size_t len;

        for (size_t i = 0; i < 7; i++) {
                _cleanup_(freep) char *e = secret_b64_encode(plain[i], strlen(plain[i]));
                ck_assert_str_eq(e, enc[i]);
                ck_assert_int_eq(secret_b64_decode(enc[i], &out, &len), 0);
                ck_assert_uint_eq(len, strlen(plain[i]));
                ck_assert_mem_eq(out, plain[i], len);
                ck_assert_int_eq(out[len], 0);
                free(out);
        }
        for (size_t i = 0; i < sizeof all; i++)
                all[i] = (unsigned char)i;
        for (size_t n = 0; n <= sizeof all; n += 37) {
                _cleanup_(freep) char *e = secret_b64_encode(all + (sizeof all - n), n);
                ck_assert_int_eq(secret_b64_decode(e, &out, &len), 0);
                ck_assert_uint_eq(len, n);
                ck_assert_mem_eq(out, all + (sizeof all - n), n);
                free(out);
        }
        /* strict: length, alphabet (no URL-safe, no spaces), padding, unused bits */
        const char *bad[] = { "Zg",     "Zg=",  "Z===", "====", "Zg=a", "Z=g=",
                              "Zm9v\n", "Zm-_", "Zm 9", "Zh==", "Zm9=" };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
                ck_assert_msg(secret_b64_decode(bad[i], &out, &len) == -EINVAL, "%s", bad[i]);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("secrets");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, NULL, teardown_dir);

        tcase_add_test(tc, test_store_roundtrip);
        tcase_add_test(tc, test_store_tamper_and_wrong_key);
        tcase_add_test(tc, test_store_header_authenticated);
        tcase_add_test(tc, test_store_v1_migrates);
        tcase_add_test(tc, test_store_pending);
        tcase_add_test(tc, test_store_too_large);
        tcase_add_test(tc, test_store_files);
        tcase_add_test(tc, test_generators);
        tcase_add_test(tc, test_jwt_known_vector);
        tcase_add_test(tc, test_weak);
        tcase_add_test(tc, test_config_shared);
        tcase_add_test(tc, test_config_rotate_job_uses);
        tcase_add_test(tc, test_config_errors);
        tcase_add_test(tc, test_base64);
        suite_add_tcase(s, tc);
        return check_run(s);
}
