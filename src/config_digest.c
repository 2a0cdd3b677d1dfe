/* config_digest: see config_digest.h. Each node is encoded as a kind byte
 * followed by, for a scalar, its plain flag and length-prefixed text, for a
 * collection, its length and then its items (a mapping's key then value), so
 * no two different trees share an encoding. */
#include <string.h>

#include "dl_sodium.h"

#include "config_digest.h"
#include "log.h"

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
        unsigned char b[8];

        for (int i = 0; i < 8; i++)
                b[i] = (unsigned char)(v >> (8 * i));
        crypto_generichash_update(st, b, sizeof b);
}

static void feed(crypto_generichash_state *st, const struct ynode *n, unsigned depth)
{
        unsigned char tag;

        if (!n || depth > CONFIG_YAML_MAX_DEPTH) {
                tag = 'n';
                crypto_generichash_update(st, &tag, 1);
                return;
        }
        switch (n->kind) {
        case YNODE_SCALAR:
                tag = n->plain ? 'p' : 'q';
                crypto_generichash_update(st, &tag, 1);
                put_u64(st, strlen(n->value));
                crypto_generichash_update(st, (const unsigned char *)n->value, strlen(n->value));
                return;
        case YNODE_MAPPING:
                tag = 'm';
                crypto_generichash_update(st, &tag, 1);
                put_u64(st, n->n);
                for (size_t i = 0; i < n->n; i++) {
                        feed(st, n->items[i], depth + 1);
                        feed(st, n->values[i], depth + 1);
                }
                return;
        case YNODE_SEQUENCE:
                tag = 's';
                crypto_generichash_update(st, &tag, 1);
                put_u64(st, n->n);
                for (size_t i = 0; i < n->n; i++)
                        feed(st, n->items[i], depth + 1);
                return;
        }
}

/* Starts a digest; false (out made unlike any other digest, so a reload
 * treats the service as changed rather than miss a change) when libsodium
 * cannot be loaded. */
static bool digest_begin(crypto_generichash_state *st, uint8_t out[CONFIG_DIGEST_BYTES])
{
        char why[256];

        static bool failing; /* said once until libsodium loads again */
        if (dynlib_acquire(&dl_sodium, why, sizeof why) < 0) {
                static uint64_t unique;
                if (!failing)
                        log_warn("config: %s: no digest of the definitions, so a reload takes every service "
                                 "for changed (and restarts it)", why);
                failing = true;
                memset(out, 0xff, CONFIG_DIGEST_BYTES);
                unique++;
                memcpy(out, &unique, sizeof unique);
                return false;
        }
        failing = false;
        crypto_generichash_init(st, NULL, 0, CONFIG_DIGEST_BYTES);
        return true;
}

static void digest_end(crypto_generichash_state *st, uint8_t out[CONFIG_DIGEST_BYTES])
{
        crypto_generichash_final(st, out, CONFIG_DIGEST_BYTES);
        dynlib_release(&dl_sodium);
}

void config_digest_node(const struct ynode *n, uint8_t out[CONFIG_DIGEST_BYTES])
{
        crypto_generichash_state st;

        if (!digest_begin(&st, out))
                return;
        feed(&st, n, 0);
        digest_end(&st, out);
}

/* NULL and "" differ: a NULL is 'n', a text 't', its length, its bytes. */
static void put_text(crypto_generichash_state *st, const char *v)
{
        unsigned char tag = v ? 't' : 'n';

        crypto_generichash_update(st, &tag, 1);
        if (!v)
                return;
        put_u64(st, strlen(v));
        crypto_generichash_update(st, (const unsigned char *)v, strlen(v));
}

void config_digest_defaults(const struct svc_config *s, const struct ynode *root, uint8_t out[CONFIG_DIGEST_BYTES])
{
        crypto_generichash_state st;
        uint64_t factor;
        size_t n = 0;

        if (!digest_begin(&st, out))
                return;
        put_u64(&st, (uint64_t)s->restart);
        put_u64(&st, s->backoff.initial);
        put_u64(&st, s->backoff.max);
        memcpy(&factor, &s->backoff.factor, sizeof factor);
        put_u64(&st, factor);
        put_u64(&st, s->backoff.reset_after);
        put_u64(&st, s->start_limit.burst);
        put_u64(&st, s->start_limit.interval);
        put_u64(&st, (uint64_t)s->stop.signal);
        put_u64(&st, s->stop.timeout);
        while (s->environment && s->environment[n])
                n++;
        put_u64(&st, n);
        for (size_t i = 0; i < n; i++)
                put_text(&st, s->environment[i]);
        /* its own (relative) working_dir moves with the main file's
         * directory, and its own user's name follows the user database:
         * reload.c tells those apart (paths, user) */
        put_text(&st, ynode_get(root, "working_dir") ? NULL : s->working_dir);
        bool own_user = ynode_get(root, "user");
        put_text(&st, own_user ? NULL : s->user);
        put_text(&st, own_user ? NULL : s->group);
        digest_end(&st, out);
}
