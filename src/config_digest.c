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

void config_digest_node(const struct ynode *n, uint8_t out[CONFIG_DIGEST_BYTES])
{
        crypto_generichash_state st;
        char why[256];

        static bool failing; /* said once until libsodium loads again */
        if (dynlib_acquire(&dl_sodium, why, sizeof why) < 0) {
                /* no digest: make it unlike any other, so a reload treats the
                 * service as changed rather than miss a change */
                static uint64_t unique;
                if (!failing)
                        log_warn("config: %s: no digest of the definitions, so a reload takes every service "
                                 "for changed (and restarts it)", why);
                failing = true;
                memset(out, 0xff, CONFIG_DIGEST_BYTES);
                unique++;
                memcpy(out, &unique, sizeof unique);
                return;
        }
        failing = false;
        crypto_generichash_init(&st, NULL, 0, CONFIG_DIGEST_BYTES);
        feed(&st, n, 0);
        crypto_generichash_final(&st, out, CONFIG_DIGEST_BYTES);
        dynlib_release(&dl_sodium);
}
