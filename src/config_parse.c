/* config_parse: the typed readers behind config_load. Each reader takes a node
 * and its dotted key, accepts exactly one shape, and names the expected shape
 * when the node has another: strict typing is what makes a typo an error instead
 * of a silently different service. Services start from the main file's
 * `defaults:` and override per key (per variable for environment). Users and
 * groups are resolved here, where the node positions are still known. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config_parse.h"
#include "envmerge.h"
#include "utf8.h"

const char *cp_key(char *buf, const char *prefix, const char *key)
{
        int n = snprintf(buf, KEYLEN, "%s%s%s", prefix, *prefix ? "." : "", key);

        /* Keys come from the file; a silly-long one is shown cut, with a mark. */
        if (n >= KEYLEN)
                memcpy(buf + KEYLEN - 4, "...", 4);
        return buf;
}

void cp_err(struct cload *l, const struct ynode *n, const char *key, const char *fmt, ...)
{
        struct cfg_pos pos = { .file = l->file, .line = n ? n->line : 1, .col = n ? n->col : 1 };
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        cfg_error(l->errs, &pos, key, "%s", msg);
}

static void oom(struct cload *l)
{
        l->oom = true;
}

static bool in_list(const char *const *list, const char *s)
{
        for (; *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

void cp_check_keys(struct cload *l, const struct ynode *map, const char *prefix, const char *const *known)
{
        char key[KEYLEN];

        for (size_t i = 0; map && map->kind == YNODE_MAPPING && i < map->n; i++) {
                const struct ynode *k = map->items[i];
                const char *best = NULL;
                size_t best_d = 4;

                if (in_list(known, k->value))
                        continue;
                for (const char *const *c = known; *c; c++) {
                        size_t d = config_typo_distance(k->value, *c);

                        if (d < best_d) {
                                best_d = d;
                                best = *c;
                        }
                }
                cp_key(key, prefix, k->value);
                if (best)
                        cp_err(l, k, key, "unknown key (did you mean '%s'?)", best);
                else
                        cp_err(l, k, key, "unknown key");
        }
}

bool cp_is_scalar(const struct ynode *n)
{
        return n && n->kind == YNODE_SCALAR && !ynode_is_null(n);
}

const char *cp_kind(const struct ynode *n)
{
        if (!n || ynode_is_null(n))
                return "nothing";
        return n->kind == YNODE_SEQUENCE ? "a list" : n->kind == YNODE_MAPPING ? "a mapping" : "a string";
}

int cp_expect_map(struct cload *l, const struct ynode *n, const char *key)
{
        if (n && n->kind == YNODE_MAPPING)
                return 0;
        cp_err(l, n, key, "expected a mapping");
        return -EINVAL;
}

int cp_str(struct cload *l, const struct ynode *n, const char *key, char **out)
{
        char *s;

        if (!cp_is_scalar(n)) {
                cp_err(l, n, key, "expected a string");
                return -EINVAL;
        }
        if (!(s = strdup(n->value))) {
                oom(l);
                return -ENOMEM;
        }
        free(*out);
        *out = s;
        return 0;
}

/* Text from the file is shown by svctl, in svd's log lines and in JSON:
 * valid UTF-8 (libyaml checks the file's bytes, but what an escape such as
 * "\x9b" or "\e" makes is only checked here) without control characters
 * (C0, DEL, C1: a newline, an ESC sequence for the terminal). */
static int text_ok(struct cload *l, const struct ynode *n, size_t len, const char *key, const char *what)
{
        size_t bad = utf8_bad(n->value, len, 0);
        uint32_t cp;

        if (bad == len)
                return 0;
        if (utf8_char(n->value + bad, len - bad, &cp) == 0)
                cp_err(l, n, key, "invalid UTF-8 (byte 0x%02x) in %s at byte %zu", (unsigned char)n->value[bad],
                       what, bad + 1);
        else
                cp_err(l, n, key, "control character (U+%04X) in %s at byte %zu", (unsigned)cp, what, bad + 1);
        return -EINVAL;
}

int cp_text(struct cload *l, const struct ynode *n, const char *key, char **out)
{
        if (!cp_is_scalar(n)) {
                cp_err(l, n, key, "expected a string");
                return -EINVAL;
        }
        /* A folded block ("description: >", the usual way to wrap a long
         * line) ends in a line break, as does a one-line "|" block: the
         * text is the line before it. A line break inside is refused. */
        size_t len = strlen(n->value);
        while (len > 0 && n->value[len - 1] == '\n')
                len--;
        if (text_ok(l, n, len, key, "text") < 0)
                return -EINVAL;
        char *s = strndup(n->value, len);
        if (!s) {
                oom(l);
                return -ENOMEM;
        }
        free(*out);
        *out = s;
        return 0;
}

int cp_path_text(struct cload *l, const struct ynode *n, const char *key)
{
        if (!cp_is_scalar(n)) {
                cp_err(l, n, key, "expected a path");
                return -EINVAL;
        }
        /* A quoted "" would resolve to the main file's directory: a socket,
         * a log file or a working directory nobody meant. */
        if (!*n->value) {
                cp_err(l, n, key, "expected a path, not an empty string");
                return -EINVAL;
        }
        /* The kernel would refuse it at the first use, long after the load. */
        if (strlen(n->value) >= PATH_MAX) {
                cp_err(l, n, key, "path longer than %d bytes", PATH_MAX - 1);
                return -EINVAL;
        }
        /* Legal in a file name, but never meant: a pasted newline, a stray
         * tab, a zero-width space. */
        if (text_ok(l, n, strlen(n->value), key, "path") < 0)
                return -EINVAL;
        return cp_visible(l, n, key, "path");
}

int cp_path(struct cload *l, const struct ynode *n, const char *key, char **out)
{
        _cleanup_(freep) char *s = NULL;
        char *p;
        int r;

        if ((r = cp_path_text(l, n, key)) < 0 || (r = cp_str(l, n, key, &s)) < 0)
                return r;
        /* Relative paths are relative to the main file, not svd's cwd. */
        if (!(p = path_join(l->c->dir, s))) {
                oom(l);
                return -ENOMEM;
        }
        free(*out);
        *out = p;
        return 0;
}

int cp_file_text(struct cload *l, const struct ynode *n, const char *key)
{
        int r = cp_path_text(l, n, key);
        const char *last;

        if (r < 0)
                return r;
        last = strrchr(n->value, '/');
        last = last ? last + 1 : n->value;
        if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
                cp_err(l, n, key, "names a directory ('%s'): expected a file", n->value);
                return -EINVAL;
        }
        return 0;
}

int cp_file_path(struct cload *l, const struct ynode *n, const char *key, char **out)
{
        int r = cp_file_text(l, n, key);

        return r < 0 ? r : cp_path(l, n, key, out);
}

int cp_bool(struct cload *l, const struct ynode *n, const char *key, bool *out)
{
        static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", NULL };
        static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", NULL };

        if (cp_is_scalar(n) && in_list(yes, n->value)) {
                *out = true;
                return 0;
        }
        if (cp_is_scalar(n) && in_list(no, n->value)) {
                *out = false;
                return 0;
        }
        cp_err(l, n, key, "expected a boolean (true/false)");
        return -EINVAL;
}

int cp_duration(struct cload *l, const struct ynode *n, const char *key, usec_t *out)
{
        if (cp_is_scalar(n) && parse_duration(n->value, out) >= 0)
                return 0;
        if (cp_is_scalar(n))
                cp_err(l, n, key, "bad duration '%s' (use e.g. 250ms, 10s, 5m, 1h)", n->value);
        else
                cp_err(l, n, key, "expected a duration (e.g. 250ms, 10s, 5m, 1h)");
        return -EINVAL;
}

int cp_duration_in(struct cload *l, const struct ynode *n, const char *key, usec_t min, usec_t max,
                   bool zero_ok, usec_t *out)
{
        char a[32], b[32];
        usec_t v;
        int r;

        if ((r = cp_duration(l, n, key, &v)) < 0)
                return r;
        if ((v >= min && v <= max) || (v == 0 && zero_ok)) {
                *out = v;
                return 0;
        }
        format_duration(min, a, sizeof a);
        format_duration(max, b, sizeof b);
        if (zero_ok)
                cp_err(l, n, key, "must be 0 (off) or between %s and %s", a, b);
        else if (min == 0)
                cp_err(l, n, key, "must be at most %s", b);
        else
                cp_err(l, n, key, "must be between %s and %s", a, b);
        return -EINVAL;
}

int cp_uint(struct cload *l, const struct ynode *n, const char *key, unsigned long long min,
            unsigned long long max, unsigned long long *out)
{
        unsigned long long v;

        if (cp_is_scalar(n) && parse_uint(n->value, max, &v) >= 0 && v >= min) {
                *out = v;
                return 0;
        }
        cp_err(l, n, key, "expected an integer %llu..%llu", min, max);
        return -EINVAL;
}

int cp_enum(struct cload *l, const struct ynode *n, const char *key, const char *const *names, size_t count,
            int *out)
{
        char expected[256] = "";

        for (size_t i = 0; cp_is_scalar(n) && i < count; i++)
                if (strcmp(n->value, names[i]) == 0) {
                        *out = (int)i;
                        return 0;
                }
        for (size_t i = 0; i < count; i++) {
                strncat(expected, names[i], sizeof expected - strlen(expected) - 1);
                if (i + 1 < count)
                        strncat(expected, ", ", sizeof expected - strlen(expected) - 1);
        }
        if (cp_is_scalar(n))
                cp_err(l, n, key, "unknown value '%s' (expected %s)", n->value, expected);
        else
                cp_err(l, n, key, "expected one of %s", expected);
        return -EINVAL;
}

/* A list of non-empty strings. */
int cp_strv(struct cload *l, const struct ynode *n, const char *key, char ***out)
{
        _cleanup_(strv_freep) char **v = NULL;
        char sub[KEYLEN];
        int r = 0;

        if (!n || n->kind != YNODE_SEQUENCE) {
                cp_err(l, n, key, "expected a list of strings");
                return -EINVAL;
        }
        for (size_t i = 0; i < n->n; i++) {
                snprintf(sub, sizeof sub, "%s[%zu]", key, i);
                /* a quoted "" is a real (empty) argument, e.g. --save "" */
                if (!cp_is_scalar(n->items[i])) {
                        cp_err(l, n->items[i], sub, "expected a string");
                        r = -EINVAL;
                } else if (strv_push(&v, n->items[i]->value) < 0) {
                        oom(l);
                        return -ENOMEM;
                }
        }
        if (r < 0)
                return r;
        if (!v && !(v = calloc(1, sizeof *v))) {
                oom(l);
                return -ENOMEM;
        }
        strv_free(*out);
        *out = v;
        v = NULL;
        return 0;
}

/* One io_max entry: "DEVICE KEY=VALUE..." with DEVICE as MAJ:MIN or the path
 * of a block device (resolved now), KEY one of rbps/wbps (a size, e.g. 10M)
 * and riops/wiops (an integer), VALUE also "max". Written to buf in the
 * kernel's form; an error message otherwise. */
static int io_max_line(const char *in, char *buf, size_t len, char *err, size_t errlen)
{
        static const char *const io_limits[] = { "rbps", "wbps", "riops", "wiops", NULL };
        _cleanup_(freep) char *copy = strdup(in);
        char *save = NULL, *dev;
        unsigned maj, min;
        size_t off;
        int n = 0;

        if (!copy)
                return -ENOMEM;
        dev = strtok_r(copy, " \t", &save);
        if (!dev) {
                snprintf(err, errlen, "expected 'DEVICE KEY=VALUE...' (e.g. '8:0 wbps=10M riops=1000')");
                return -EINVAL;
        }
        if (dev[0] == '/') {
                struct stat st;

                if (stat(dev, &st) < 0) {
                        snprintf(err, errlen, "device %s: %s", dev, strerror(errno));
                        return -EINVAL;
                }
                if (!S_ISBLK(st.st_mode)) {
                        snprintf(err, errlen, "%s is not a block device", dev);
                        return -EINVAL;
                }
                maj = major(st.st_rdev);
                min = minor(st.st_rdev);
        } else {
                /* The kernel's MAJ:MIN: 12 and 20 bits. A larger number would
                 * be shifted into another device's dev_t ("8:1048576" is
                 * 9:0), a sign or an overflow wrapped (sscanf's %u). */
                char *colon = strchr(dev, ':');
                unsigned long long a = 0, b = 0;
                bool ok = false;

                if (colon) {
                        *colon = 0;
                        ok = parse_uint(dev, 4095, &a) >= 0 && parse_uint(colon + 1, (1u << 20) - 1, &b) >= 0;
                        *colon = ':';
                }
                if (!ok) {
                        snprintf(err, errlen, "bad device '%s' (use MAJOR:MINOR, e.g. 8:0, or /dev/NAME)", dev);
                        return -EINVAL;
                }
                maj = (unsigned)a;
                min = (unsigned)b;
        }
        /* The kernel takes io.max for a whole disk only: a partition's
         * fails every start with ENODEV, "No such device", about a device
         * that is there. (One not there yet may come: not checked.) */
        char sys[64];
        snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/partition", maj, min);
        if (access(sys, F_OK) == 0) {
                snprintf(err, errlen,
                         "%s is a partition (%u:%u): io.max limits a whole disk only (name the disk it is on)", dev,
                         maj, min);
                return -EINVAL;
        }
        off = (size_t)snprintf(buf, len, "%u:%u", maj, min);
        unsigned seen = 0;
        n = 0;
        for (char *kv; (kv = strtok_r(NULL, " \t", &save)); n++) {
                char *eq = strchr(kv, '=');
                size_t k = 0;
                uint64_t v = 0;
                unsigned long long iops = 0;
                double pct = 0;

                if (eq)
                        *eq = 0;
                while (io_limits[k] && strcmp(io_limits[k], kv) != 0)
                        k++;
                if (!eq || !io_limits[k]) {
                        snprintf(err, errlen, "bad limit '%s' (use rbps=, wbps=, riops= or wiops=)", kv);
                        return -EINVAL;
                }
                if (seen & (1u << k)) {
                        snprintf(err, errlen, "%s given twice", kv);
                        return -EINVAL;
                }
                seen |= 1u << k;
                if (strcmp(eq + 1, "max") == 0) {
                        off += (size_t)snprintf(buf + off, off < len ? len - off : 0, " %s=max", kv);
                        continue;
                }
                if (k < 2 ? parse_size(eq + 1, &v, &pct) < 0 || pct > 0 || v == 0
                          : parse_uint(eq + 1, ULLONG_MAX, &iops) < 0 || (v = iops) == 0) {
                        snprintf(err, errlen, "%s: bad value '%s' (%s, or max)", kv, eq + 1,
                                 k < 2 ? "bytes per second, e.g. 10M" : "operations per second");
                        return -EINVAL;
                }
                off += (size_t)snprintf(buf + off, off < len ? len - off : 0, " %s=%llu", kv,
                                        (unsigned long long)v);
        }
        if (!n) {
                snprintf(err, errlen, "no limit for %s (add e.g. wbps=10M)", dev);
                return -EINVAL;
        }
        return off < len ? 0 : -E2BIG;
}

int cp_io_max(struct cload *l, const struct ynode *n, const char *key, char ***out)
{
        char sub[KEYLEN], line[256], err[160];
        int r = cp_strv(l, n, key, out);

        if (r < 0)
                return r;
        for (size_t i = 0; (*out)[i]; i++) {
                snprintf(sub, sizeof sub, "%s[%zu]", key, i);
                int e = io_max_line((*out)[i], line, sizeof line, err, sizeof err);
                if (e == -ENOMEM) {
                        oom(l);
                        return e;
                }
                if (e < 0) {
                        cp_err(l, n->items[i], sub, "%s", e == -E2BIG ? "too long" : err);
                        r = -EINVAL;
                        continue;
                }
                char *d = strdup(line);
                if (!d) {
                        oom(l);
                        return -ENOMEM;
                }
                free((*out)[i]);
                (*out)[i] = d;
        }
        return r;
}

static bool env_name_valid(const char *s, size_t len)
{
        if (len == 0 || isdigit((unsigned char)s[0]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_')
                        return false;
        return true;
}

/* environment: a NAME: value mapping or a list of "NAME=value"; merged into *env. */
/* A list entry of environment: and its place there, sorted by NAME (the
 * text before '=') then by place. */
struct envref {
        const struct ynode *v;
        size_t len, i;
};

static int cmp_envref(const void *a, const void *b)
{
        const struct envref *x = a, *y = b;
        int c = memcmp(x->v->value, y->v->value, x->len < y->len ? x->len : y->len);

        if (!c && x->len != y->len)
                c = x->len < y->len ? -1 : 1;
        return c ? c : x->i < y->i ? -1 : 1;
}

/* The list form's duplicate keys: [A=1, A=2] is the mapping {A: 1, A: 2},
 * which is refused (config_yaml.c), yet it passed the later value without a
 * word. Each repetition is reported at its entry; by sorting, not a scan of
 * the entries before each (a list may hold 4096 of them). Entries that are
 * not NAME=value were reported already and are skipped. */
static void env_list_duplicates(struct cload *l, const struct ynode *n, const char *key)
{
        _cleanup_(freep) struct envref *sorted = NULL;
        size_t k = 0;
        char sub[KEYLEN];

        if (n->n < 2)
                return;
        if (!(sorted = malloc(n->n * sizeof *sorted))) {
                oom(l);
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                const struct ynode *v = n->items[i];
                const char *eq = cp_is_scalar(v) ? strchr(v->value, '=') : NULL;

                if (eq && env_name_valid(v->value, (size_t)(eq - v->value)))
                        sorted[k++] = (struct envref){ .v = v, .len = (size_t)(eq - v->value), .i = i };
        }
        qsort(sorted, k, sizeof *sorted, cmp_envref);
        for (size_t i = 1, first = 0; i < k; i++) {
                if (sorted[i].len != sorted[first].len ||
                    memcmp(sorted[i].v->value, sorted[first].v->value, sorted[i].len) != 0) {
                        first = i;
                        continue;
                }
                snprintf(sub, sizeof sub, "%s[%zu]", key, sorted[i].i);
                cp_err(l, sorted[i].v, sub, "duplicate variable '%.*s' (first on line %d)",
                       (int)sorted[i].len, sorted[i].v->value, sorted[first].v->line);
        }
}

void cp_env(struct cload *l, const struct ynode *n, const char *key, char ***env)
{
        char sub[KEYLEN];
        /* the entries, added to *env at once (envmerge.h): a file may hold
         * 100,000 of them, and this runs at every load and reload */
        _cleanup_(strv_freep) char **add = NULL;
        size_t n_add = 0;

        if (n && (n->kind == YNODE_MAPPING || n->kind == YNODE_SEQUENCE) &&
            !(add = calloc(n->n + 1, sizeof *add))) {
                oom(l);
                return;
        }
        if (n && n->kind == YNODE_MAPPING) {
                for (size_t i = 0; i < n->n; i++) {
                        const char *name = n->items[i]->value;
                        const struct ynode *v = n->values[i];

                        cp_key(sub, key, name);
                        if (cp_visible(l, n->items[i], sub, "variable name") < 0)
                                continue;
                        if (!env_name_valid(name, strlen(name))) {
                                cp_err(l, n->items[i], sub, "invalid variable name '%s'", name);
                                continue;
                        }
                        if (v->kind != YNODE_SCALAR) {
                                cp_err(l, v, sub, "expected a string");
                                continue;
                        }
                        if (!(add[n_add] = strdup_printf("%s=%s", name, ynode_is_null(v) ? "" : v->value)))
                                oom(l);
                        else
                                n_add++;
                }
        } else if (n && n->kind == YNODE_SEQUENCE) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct ynode *v = n->items[i];
                        const char *eq = cp_is_scalar(v) ? strchr(v->value, '=') : NULL;

                        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
                        /* (the value after '=' is the program's text) */
                        if (eq && cp_visible_len(l, v, (size_t)(eq - v->value), sub, "variable name") < 0)
                                continue;
                        if (!eq || !env_name_valid(v->value, (size_t)(eq - v->value)))
                                cp_err(l, v, sub, "expected NAME=value");
                        else if (!(add[n_add] = strdup(v->value)))
                                oom(l);
                        else
                                n_add++;
                }
                env_list_duplicates(l, n, key);
        } else {
                cp_err(l, n, key, "expected a mapping or a list of NAME=value");
        }
        if (n_add && env_merge(env, add, n_add) < 0)
                oom(l);
}

void cp_backoff(struct cload *l, const struct ynode *n, const char *prefix, struct backoff_config *b)
{
        static const char *const keys[] = { "initial", "max", "factor", "reset_after", NULL };
        char key[KEYLEN], sub[KEYLEN];
        const struct ynode *v, *ini, *max;

        cp_key(key, prefix, "backoff");
        if (cp_expect_map(l, n, key) < 0)
                return;
        cp_check_keys(l, n, key, keys);
        /* A day at most: a longer delay is a missed unit, and would leave a
         * service down (looking merely "waiting") for days. */
        if ((ini = ynode_get(n, "initial")))
                cp_duration_in(l, ini, cp_key(sub, key, "initial"), 0, CP_DAY, false, &b->initial);
        if ((max = ynode_get(n, "max")))
                cp_duration_in(l, max, cp_key(sub, key, "max"), 0, CP_DAY, false, &b->max);
        if ((v = ynode_get(n, "reset_after")))
                cp_duration_in(l, v, cp_key(sub, key, "reset_after"), 0, CP_DAY, false, &b->reset_after);
        if ((v = ynode_get(n, "factor"))) {
                double f;

                /* 1.0 is a constant delay; past 100 the second delay is max */
                if (!cp_is_scalar(v) || parse_double(v->value, &f) < 0 || f < 1.0 || f > 100.0)
                        cp_err(l, v, cp_key(sub, key, "factor"), "expected a number between 1.0 and 100");
                else
                        b->factor = f;
        }
        if (b->initial > b->max) {
                char a[32], m[32];

                cp_err(l,
                       ini   ? ini
                       : max ? max
                             : n,
                       cp_key(sub, key, ini ? "initial" : "max"), "initial (%s) must not exceed max (%s)",
                       format_duration(b->initial, a, sizeof a), format_duration(b->max, m, sizeof m));
        }
}

void cp_start_limit(struct cload *l, const struct ynode *n, const char *prefix, struct start_limit_config *s)
{
        static const char *const keys[] = { "burst", "interval", NULL };
        char key[KEYLEN], sub[KEYLEN];
        const struct ynode *b, *v;
        unsigned long long u;

        cp_key(key, prefix, "start_limit");
        if (cp_expect_map(l, n, key) < 0)
                return;
        cp_check_keys(l, n, key, keys);
        /* The start history is a fixed ring, hence the cap. */
        if ((b = ynode_get(n, "burst")) && cp_uint(l, b, cp_key(sub, key, "burst"), 0, 64, &u) >= 0)
                s->burst = (unsigned)u;
        if ((v = ynode_get(n, "interval")))
                cp_duration_in(l, v, cp_key(sub, key, "interval"), 0, CP_DAY, false, &s->interval);
        /* No two starts are ever less than 0 apart: a limit that looks set but
         * never fires. burst: 0 is how to say "no limit". */
        if (s->burst > 0 && s->interval == 0) {
                const struct ynode *at = v ? v : b;

                cp_err(l, at ? at : n, cp_key(sub, key, v ? "interval" : "burst"),
                       "interval 0 with burst %u would never limit anything (use burst: 0 for no limit)",
                       s->burst);
        }
}

/* A stop signal must end a process that does not catch it. One that stops
 * or continues it, or that is ignored by default, would leave every stop to
 * the SIGKILL after stop.timeout. */
static bool ends_process(int sig)
{
        switch (sig) {
        case SIGSTOP:
        case SIGCONT:
        case SIGTSTP:
        case SIGTTIN:
        case SIGTTOU:
        case SIGCHLD:
        case SIGWINCH:
        case SIGURG:
                return false;
        default:
                return true;
        }
}

void cp_stop(struct cload *l, const struct ynode *n, const char *prefix, struct stop_config *s)
{
        static const char *const keys[] = { "signal", "timeout", NULL };
        char key[KEYLEN], sub[KEYLEN];
        const struct ynode *v;
        int sig;

        cp_key(key, prefix, "stop");
        if (cp_expect_map(l, n, key) < 0)
                return;
        cp_check_keys(l, n, key, keys);
        if ((v = ynode_get(n, "signal"))) {
                cp_key(sub, key, "signal");
                if (!cp_is_scalar(v))
                        cp_err(l, v, sub, "expected a signal name");
                else if (parse_signal(v->value, &sig) < 0)
                        cp_err(l, v, sub, "unknown signal '%s' (use e.g. SIGTERM, SIGINT, 15)", v->value);
                else if (!ends_process(sig))
                        cp_err(l, v, sub, "%s does not end a process (use e.g. SIGTERM, SIGINT, SIGQUIT)",
                               signal_name(sig));
                else
                        s->signal = sig;
        }
        /* A shutdown (and a reload) waits this long for the service: an hour
         * at most, so a poweroff is never held for days. */
        if ((v = ynode_get(n, "timeout")))
                cp_duration_in(l, v, cp_key(sub, key, "timeout"), 0, 3600 * USEC_PER_SEC, false,
                               &s->timeout);
}

void cp_defaults_builtin(struct svc_defaults *d)
{
        d->restart = RESTART_ON_FAILURE;
        d->backoff = (struct backoff_config){ 1 * USEC_PER_SEC, 60 * USEC_PER_SEC, 2.0, 300 * USEC_PER_SEC };
        d->start_limit = (struct start_limit_config){ 5, 10 * USEC_PER_SEC };
        d->stop = (struct stop_config){ SIGTERM, 10 * USEC_PER_SEC };
        logging_config_defaults(&d->logging);
}

int cp_defaults(struct cload *l, const struct ynode *n)
{
        static const char *const keys[] = { "restart",     "backoff",     "stop",
                                            "start_limit", "environment", "user",
                                            "group",       "working_dir", "logging", NULL };
        struct svc_defaults *d = &l->c->defaults;
        const struct ynode *v;
        const char *names[_RESTART_MAX];
        int e;

        for (int i = 0; i < _RESTART_MAX; i++)
                names[i] = restart_policy_name((enum restart_policy)i);
        if (!n || ynode_is_null(n) || cp_expect_map(l, n, "defaults") < 0)
                return l->oom ? -ENOMEM : 0;
        cp_check_keys(l, n, "defaults", keys);
        if ((v = ynode_get(n, "restart")) && cp_enum(l, v, "defaults.restart", names, _RESTART_MAX, &e) >= 0)
                d->restart = (enum restart_policy)e;
        if ((v = ynode_get(n, "backoff")))
                cp_backoff(l, v, "defaults", &d->backoff);
        if ((v = ynode_get(n, "start_limit")))
                cp_start_limit(l, v, "defaults", &d->start_limit);
        if ((v = ynode_get(n, "stop")))
                cp_stop(l, v, "defaults", &d->stop);
        if ((v = ynode_get(n, "environment"))) {
                cp_env(l, v, "defaults.environment", &d->environment);
                cp_defaults_secret_refs(l, v); /* config_secrets.c */
        }
        if ((v = ynode_get(n, "working_dir")))
                cp_path(l, v, "defaults.working_dir", &d->working_dir);
        if ((v = ynode_get(n, "logging")))
                cp_logging(l, v, "defaults.logging", &d->logging);
        cp_creds(l, NULL, ynode_get(n, "user"), "defaults.user", ynode_get(n, "group"), "defaults.group");
        if ((v = ynode_get(n, "user")) && cp_is_scalar(v) && !(d->user = strdup(v->value)))
                oom(l);
        if ((v = ynode_get(n, "group")) && cp_is_scalar(v) && !(d->group = strdup(v->value)))
                oom(l);
        return l->oom ? -ENOMEM : 0;
}
