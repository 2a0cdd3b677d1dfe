/* config_digest: see config_digest.h. Each node is encoded as a kind byte
 * followed by, for a scalar, its plain flag and length-prefixed text, for a
 * collection, its length and then its items (a mapping's key then value), so
 * no two different trees share an encoding. The encoding goes through four
 * FNV-1a lanes (64 bits each, each its own offset basis): change detection,
 * not security (whoever writes the files is root), and no library needed, so
 * a reload tells unchanged services apart whether libsodium loads or not. */
#include <string.h>

#include "config_digest.h"

#define FP_LANES (CONFIG_DIGEST_BYTES / 8)
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

struct fp {
        uint64_t h[FP_LANES];
};

static void fp_update(struct fp *st, const unsigned char *p, size_t n)
{
        for (int i = 0; i < FP_LANES; i++) {
                uint64_t h = st->h[i];
                for (size_t k = 0; k < n; k++)
                        h = (h ^ p[k]) * FNV_PRIME;
                st->h[i] = h;
        }
}

static void put_u64(struct fp *st, uint64_t v)
{
        unsigned char b[8];

        for (int i = 0; i < 8; i++)
                b[i] = (unsigned char)(v >> (8 * i));
        fp_update(st, b, sizeof b);
}

static void feed(struct fp *st, const struct ynode *n, unsigned depth)
{
        unsigned char tag;

        if (!n || depth > CONFIG_YAML_MAX_DEPTH) {
                tag = 'n';
                fp_update(st, &tag, 1);
                return;
        }
        switch (n->kind) {
        case YNODE_SCALAR:
                tag = n->plain ? 'p' : 'q';
                fp_update(st, &tag, 1);
                put_u64(st, strlen(n->value));
                fp_update(st, (const unsigned char *)n->value, strlen(n->value));
                return;
        case YNODE_MAPPING:
                tag = 'm';
                fp_update(st, &tag, 1);
                put_u64(st, n->n);
                for (size_t i = 0; i < n->n; i++) {
                        feed(st, n->items[i], depth + 1);
                        feed(st, n->values[i], depth + 1);
                }
                return;
        case YNODE_SEQUENCE:
                tag = 's';
                fp_update(st, &tag, 1);
                put_u64(st, n->n);
                for (size_t i = 0; i < n->n; i++)
                        feed(st, n->items[i], depth + 1);
                return;
        }
}

static void fp_begin(struct fp *st)
{
        for (int i = 0; i < FP_LANES; i++)
                st->h[i] = FNV_OFFSET ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
}

/* Each lane through a 64-bit finaliser (MurmurHash3's fmix64), so every
 * input bit reaches every output bit. */
static void fp_end(struct fp *st, uint8_t out[CONFIG_DIGEST_BYTES])
{
        for (int i = 0; i < FP_LANES; i++) {
                uint64_t h = st->h[i];
                h ^= h >> 33;
                h *= 0xff51afd7ed558ccdULL;
                h ^= h >> 33;
                h *= 0xc4ceb9fe1a85ec53ULL;
                h ^= h >> 33;
                for (int b = 0; b < 8; b++)
                        out[8 * i + b] = (unsigned char)(h >> (8 * b));
        }
}

void config_digest_node(const struct ynode *n, uint8_t out[CONFIG_DIGEST_BYTES])
{
        struct fp st;

        fp_begin(&st);
        feed(&st, n, 0);
        fp_end(&st, out);
}

/* logging: and resources:, which a reload applies to the running service */
static bool is_logging(const struct ynode *k)
{
        return k && k->kind == YNODE_SCALAR &&
               (strcmp(k->value, "logging") == 0 || strcmp(k->value, "resources") == 0);
}

/* A mapping's encoding (feed) over the items other than logging: and
 * resources:, so a file without them and a file with them differ in nothing
 * else. */
void config_digest_restart(const struct ynode *root, uint8_t out[CONFIG_DIGEST_BYTES])
{
        unsigned char tag = 'm';
        struct fp st;
        size_t n = 0;

        if (!root || root->kind != YNODE_MAPPING) {
                config_digest_node(root, out);
                return;
        }
        fp_begin(&st);
        for (size_t i = 0; i < root->n; i++)
                n += !is_logging(root->items[i]);
        fp_update(&st, &tag, 1);
        put_u64(&st, n);
        for (size_t i = 0; i < root->n; i++)
                if (!is_logging(root->items[i])) {
                        feed(&st, root->items[i], 1);
                        feed(&st, root->values[i], 1);
                }
        fp_end(&st, out);
}

/* NULL and "" differ: a NULL is 'n', a text 't', its length, its bytes. */
static void put_text(struct fp *st, const char *v)
{
        unsigned char tag = v ? 't' : 'n';

        fp_update(st, &tag, 1);
        if (!v)
                return;
        put_u64(st, strlen(v));
        fp_update(st, (const unsigned char *)v, strlen(v));
}

void config_digest_defaults(const struct svc_config *s, const struct ynode *root, uint8_t out[CONFIG_DIGEST_BYTES])
{
        struct fp st;
        uint64_t factor;
        size_t n = 0;

        fp_begin(&st);
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
        fp_end(&st, out);
}

void config_digest_hex(const uint8_t d[CONFIG_DIGEST_BYTES], char out[2 * CONFIG_DIGEST_BYTES + 1])
{
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < CONFIG_DIGEST_BYTES; i++) {
                out[2 * i] = hex[d[i] >> 4];
                out[2 * i + 1] = hex[d[i] & 15];
        }
        out[2 * CONFIG_DIGEST_BYTES] = 0;
}

static void put_size(struct fp *st, const struct cfg_size *z)
{
        uint64_t pct;

        memcpy(&pct, &z->pct, sizeof pct);
        put_u64(st, z->set ? 1 + z->percent : 0);
        put_u64(st, !z->set ? 0 : z->percent ? pct : z->bytes);
}

void config_digest_resources(const struct resources_config *r, uint8_t out[CONFIG_DIGEST_BYTES])
{
        const struct cfg_size *sizes[] = { &r->memory_max, &r->memory_high, &r->memory_low, &r->memory_min,
                                           &r->memory_swap_max };
        struct fp st;
        uint64_t cpus;
        size_t n = 0;

        fp_begin(&st);
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
                put_size(&st, sizes[i]);
        memcpy(&cpus, &r->cpus, sizeof cpus);
        put_u64(&st, cpus);
        put_u64(&st, r->cpu_weight);
        put_u64(&st, r->pids_max);
        put_u64(&st, r->io_weight);
        put_text(&st, r->cpuset_cpus);
        while (r->io_max && r->io_max[n])
                n++;
        put_u64(&st, n);
        for (size_t i = 0; i < n; i++)
                put_text(&st, r->io_max[i]);
        fp_end(&st, out);
}
