/* config_logging: the logging: mapping of a service (and defaults.logging in
 * the main file), and start_when:. Built-in defaults bound every service's
 * logs out of the box: 10M files, 5 kept, gzip, timestamps on, 16 KiB lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

static const char *const logging_keys[] = { "file",     "max_size",  "max_files",  "max_total", "max_age",
                                            "rotate_every", "compress", "timestamps", "max_line",
                                            "rate_limit", "on_full", NULL };

void logging_config_defaults(struct logging_config *o)
{
        memset(o, 0, sizeof(*o));
        o->max_size = 10u << 20;
        o->max_files = 5;
        o->compress = true;
        o->timestamps = true;
        o->max_line = 16u << 10;
}

void logging_config_done(struct logging_config *o)
{
        free(o->file);
        o->file = NULL;
}

int logging_config_copy(struct logging_config *dst, const struct logging_config *src)
{
        *dst = *src;
        dst->file = NULL;
        if (src->file && !(dst->file = strdup(src->file)))
                return -ENOMEM;
        return 0;
}

bool logging_config_equal(const struct logging_config *a, const struct logging_config *b)
{
        return ((!a->file && !b->file) || (a->file && b->file && strcmp(a->file, b->file) == 0)) &&
               a->max_size == b->max_size && a->max_files == b->max_files && a->max_total == b->max_total &&
               a->max_age == b->max_age && a->rotate_daily == b->rotate_daily && a->compress == b->compress &&
               a->timestamps == b->timestamps && a->max_line == b->max_line && a->rate_burst == b->rate_burst &&
               a->rate_interval == b->rate_interval && a->on_full_block == b->on_full_block;
}

static int load_bytes(struct cload *l, const struct ynode *n, const char *key, uint64_t *out)
{
        if (cp_is_scalar(n) && parse_size(n->value, out, NULL) >= 0)
                return 0;
        if (cp_is_scalar(n))
                cp_err(l, n, key, "bad size '%s' (use e.g. 512K, 10M, 1G)", n->value);
        else
                cp_err(l, n, key, "expected a size (e.g. 512K, 10M, 1G), not %s", cp_kind(n));
        return -EINVAL;
}

/* A size that is 0 (none) or within min..max; *out is left alone otherwise. */
static int load_bytes_in(struct cload *l, const struct ynode *n, const char *key, uint64_t min, uint64_t max,
                         uint64_t *out)
{
        char a[32], b[32];
        uint64_t v;

        if (load_bytes(l, n, key, &v) < 0)
                return -EINVAL;
        if (v != 0 && (v < min || v > max)) {
                cp_err(l, n, key, "must be 0 (none) or between %s and %s", format_size(min, a, sizeof a),
                       format_size(max, b, sizeof b));
                return -EINVAL;
        }
        *out = v;
        return 0;
}

void cp_logging(struct cload *l, const struct ynode *n, const char *prefix, struct logging_config *o)
{
        char key[KEYLEN];
        const struct ynode *v;
        unsigned long long u;
        int e;

        if (cp_expect_map(l, n, prefix) < 0)
                return;
        o->pos = (struct cfg_pos){ l->file, n->line, n->col };
        cp_check_keys(l, n, prefix, logging_keys);
        if ((v = ynode_get(n, "file"))) {
                if (strcmp(prefix, "logging") != 0)
                        cp_err(l, v, cp_key(key, prefix, "file"), "only a service can name its own log file");
                else {
                        free(o->file);
                        o->file = NULL;
                        if (cp_file_path(l, v, cp_key(key, prefix, "file"), &o->file) >= 0)
                                o->file_pos = (struct cfg_pos){ l->file, v->line, v->col };
                }
        }
        /* Under 1K a file would rotate (and spawn a compressor) every few
         * lines; past the maxima the limit is a missed unit, never reached. */
        if ((v = ynode_get(n, "max_size")))
                load_bytes_in(l, v, cp_key(key, prefix, "max_size"), 1u << 10, LOG_SIZE_MAX, &o->max_size);
        if ((v = ynode_get(n, "max_total")))
                load_bytes_in(l, v, cp_key(key, prefix, "max_total"), 1u << 10, LOG_TOTAL_MAX,
                              &o->max_total);
        if ((v = ynode_get(n, "max_files")) && cp_uint(l, v, cp_key(key, prefix, "max_files"), 0, 1000, &u) >= 0)
                o->max_files = (unsigned)u;
        if ((v = ynode_get(n, "max_age")))
                cp_duration_in(l, v, cp_key(key, prefix, "max_age"), USEC_PER_SEC, 366 * CP_DAY, true,
                               &o->max_age);
        if ((v = ynode_get(n, "rotate_every"))) {
                static const char *const every[] = { "never", "daily" };
                if (cp_enum(l, v, cp_key(key, prefix, "rotate_every"), every, 2, &e) >= 0)
                        o->rotate_daily = e == 1;
        }
        if ((v = ynode_get(n, "compress")))
                cp_bool(l, v, cp_key(key, prefix, "compress"), &o->compress);
        if ((v = ynode_get(n, "timestamps")))
                cp_bool(l, v, cp_key(key, prefix, "timestamps"), &o->timestamps);
        if ((v = ynode_get(n, "max_line"))) {
                uint64_t b = 0;
                /* 0 is no exception: a line is never unbounded */
                if (load_bytes(l, v, cp_key(key, prefix, "max_line"), &b) >= 0) {
                        if (b < 80 || b > (1u << 20))
                                cp_err(l, v, cp_key(key, prefix, "max_line"), "must be between 80 and 1M");
                        else
                                o->max_line = (size_t)b;
                }
        }
        if ((v = ynode_get(n, "rate_limit")) && cp_expect_map(l, v, cp_key(key, prefix, "rate_limit")) >= 0) {
                static const char *const rk[] = { "burst", "interval", NULL };
                char sub[KEYLEN];
                cp_check_keys(l, v, cp_key(sub, prefix, "rate_limit"), rk);
                const struct ynode *b = ynode_get(v, "burst"), *i = ynode_get(v, "interval");
                if (b && cp_uint(l, b, cp_key(key, sub, "burst"), 1, 100000000, &u) >= 0)
                        o->rate_burst = (unsigned)u;
                o->rate_interval = 30 * USEC_PER_SEC;
                /* 0 would start a new window at every line: no limit at all */
                if (i)
                        cp_duration_in(l, i, cp_key(key, sub, "interval"), 10 * USEC_PER_MSEC, CP_DAY, false,
                                       &o->rate_interval);
                if (!b)
                        cp_err(l, v, cp_key(key, sub, "burst"), "required key missing");
        }
        if ((v = ynode_get(n, "on_full"))) {
                static const char *const modes[] = { "drop", "block" };
                if (cp_enum(l, v, cp_key(key, prefix, "on_full"), modes, 2, &e) >= 0)
                        o->on_full_block = e == 1;
        }
}

void cp_start_when(struct cload *l, const struct ynode *n, struct start_when_config *o)
{
        static const char *const keys[] = { "memory_available", "memory_pressure_below", NULL };
        const struct ynode *v;

        if (cp_expect_map(l, n, "start_when") < 0)
                return;
        o->pos = (struct cfg_pos){ l->file, n->line, n->col };
        cp_check_keys(l, n, "start_when", keys);
        if ((v = ynode_get(n, "memory_available"))) {
                uint64_t bytes = 0;
                double pct = 0;
                if (!cp_is_scalar(v))
                        cp_err(l, v, "start_when.memory_available", "expected a size (e.g. 6G or 50%%), not %s",
                               cp_kind(v));
                else if (parse_size(v->value, &bytes, &pct) < 0)
                        cp_err(l, v, "start_when.memory_available", "bad size '%s' (use e.g. 6G or 50%%)",
                               v->value);
                else
                        o->memory_available = (struct cfg_size){ .set = true, .percent = pct > 0, .pct = pct,
                                                                 .bytes = bytes, .pos = { l->file, v->line, v->col } };
        }
        if ((v = ynode_get(n, "memory_pressure_below"))) {
                /* a percentage, with or without its sign: 10 or 10% */
                char num[32];
                size_t len = cp_is_scalar(v) ? strlen(v->value) : 0;
                double d;
                if (len && v->value[len - 1] == '%')
                        len--;
                if (!len || len >= sizeof(num) ||
                    (memcpy(num, v->value, len), num[len] = '\0', parse_double(num, &d) < 0) || d <= 0 || d > 100)
                        cp_err(l, v, "start_when.memory_pressure_below",
                               "expected a percentage of stalled time, 0 < x <= 100, e.g. 10 or 10%% (PSI some "
                               "avg10), not %s%s%s",
                               cp_is_scalar(v) ? "'" : "", cp_is_scalar(v) ? v->value : cp_kind(v),
                               cp_is_scalar(v) ? "'" : "");
                else
                        o->memory_pressure_max = d;
        }
        /* (a key given with a bad value has had its own error) */
        if (!ynode_get(n, "memory_available") && !ynode_get(n, "memory_pressure_below"))
                cp_err(l, n, "start_when", "one of memory_available, memory_pressure_below is required");
}
