/* config_yaml: libyaml's event stream folded into an owned node tree. Working on
 * events (not libyaml's document API) lets us keep every mark, refuse aliases and
 * bound depth while building, and convert libyaml's error conventions into
 * cfg_errors lines here, so no other module needs to know libyaml exists. The
 * whole file is read first (bounded) so reader errors, which carry only a byte
 * offset, can still be given a line and column. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "dl_yaml.h"

#include "config_yaml.h"

struct yload {
        yaml_parser_t parser;
        const char *path;
        const unsigned char *buf;
        size_t len;
        struct cfg_errors *errs;
};

void ynode_free(struct ynode *n)
{
        if (!n)
                return;
        for (size_t i = 0; i < n->n; i++) {
                ynode_free(n->items[i]);
                if (n->values)
                        ynode_free(n->values[i]);
        }
        free(n->items);
        free(n->values);
        free(n->value);
        free(n);
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        for (size_t i = 0; i < map->n; i++)
                if (strcmp(map->items[i]->value, key) == 0)
                        return map->values[i];
        return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
        return n && n->kind == YNODE_SCALAR && n->plain &&
               (!*n->value || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
                strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}

static void yerr(struct yload *l, size_t line0, size_t col0, const char *msg)
{
        struct cfg_pos pos = { .file = l->path, .line = (int)line0 + 1, .col = (int)col0 + 1 };

        cfg_error(l->errs, &pos, "yaml", "%s", msg);
}

static void yerr_mark(struct yload *l, const yaml_mark_t *m, const char *msg)
{
        yerr(l, m->line, m->column, msg);
}

/* Whether the character at m (line and column, counted as libyaml does:
 * characters, not UTF-8's continuation bytes) is a tab. */
static bool at_tab(const struct yload *l, const yaml_mark_t *m)
{
        size_t i = 0, line = 0, col = 0;

        for (; i < l->len && line < m->line; i++)
                if (l->buf[i] == '\n')
                        line++;
        for (; i < l->len && l->buf[i] != '\n'; i++) {
                if ((l->buf[i] & 0xc0) == 0x80)
                        continue;
                if (col++ == m->column)
                        return l->buf[i] == '\t';
        }
        return false;
}

/* The column (counted as at_tab's) of a byte-order mark on m's line at or
 * before m, or -1. libyaml skips one at the start of the file and takes one
 * elsewhere for part of the text: a file that is two joined together (cat
 * a.yaml b.yaml), or an editor's paste, fails with "did not find expected
 * key" at a line that looks right, the mark being invisible. */
static long bom_before(const struct yload *l, const yaml_mark_t *m)
{
        size_t i = 0, line = 0;
        long col = 0;

        for (; i < l->len && line < m->line; i++)
                if (l->buf[i] == '\n')
                        line++;
        for (; i < l->len && l->buf[i] != '\n' && (size_t)col <= m->column; i++) {
                if ((l->buf[i] & 0xc0) == 0x80)
                        continue;
                if (l->len - i >= 3 && memcmp(l->buf + i, "\xef\xbb\xbf", 3) == 0)
                        return col;
                col++;
        }
        return -1;
}

static void report_parser_error(struct yload *l)
{
        const yaml_parser_t *p = &l->parser;
        const char *problem = p->problem ? p->problem : "cannot parse";
        long bom;

        if (p->error == YAML_READER_ERROR) {
                /* Only a byte offset is known: count lines up to it, and
                 * characters, as libyaml's marks do (not UTF-8's
                 * continuation bytes). */
                size_t line = 0, col = 0, off = p->problem_offset < l->len ? p->problem_offset : l->len;

                for (size_t i = 0; i < off; i++) {
                        if (l->buf[i] == '\n') {
                                line++;
                                col = 0;
                        } else if ((l->buf[i] & 0xc0) != 0x80) {
                                col++;
                        }
                }
                yerr(l, line, col, problem);
        } else if (p->error == YAML_MEMORY_ERROR) {
                yerr(l, 0, 0, "out of memory");
        } else if ((p->error == YAML_SCANNER_ERROR || p->error == YAML_PARSER_ERROR) &&
                   (bom = bom_before(l, &p->problem_mark)) >= 0) {
                yerr(l, p->problem_mark.line, (size_t)bom,
                     "a byte-order mark (U+FEFF) inside the file: YAML allows one only at its start "
                     "(two files joined together?)");
        } else if (p->error == YAML_SCANNER_ERROR && at_tab(l, &p->problem_mark)) {
                /* libyaml's "found character that cannot start any token"
                 * does not say which: an editor's tab, most of the time */
                yerr_mark(l, &p->problem_mark, "a tab character (YAML indents with spaces, not tabs)");
        } else {
                yerr_mark(l, &p->problem_mark, problem);
        }
}

static int next_event(struct yload *l, yaml_event_t *ev)
{
        if (!yaml_parser_parse(&l->parser, ev)) {
                report_parser_error(l);
                return -EINVAL;
        }
        return 0;
}

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *m)
{
        struct ynode *n = calloc(1, sizeof *n);

        if (!n)
                return NULL;
        n->kind = kind;
        n->line = (int)m->line + 1;
        n->col = (int)m->column + 1;
        return n;
}

static int node_append(struct ynode *parent, size_t *cap, struct ynode *item, struct ynode *value)
{
        if (parent->n == *cap) {
                size_t nc = *cap ? *cap * 2 : 4;
                struct ynode **ni = realloc(parent->items, nc * sizeof *ni);

                if (!ni)
                        return -ENOMEM;
                parent->items = ni;
                if (parent->kind == YNODE_MAPPING) {
                        struct ynode **nv = realloc(parent->values, nc * sizeof *nv);

                        if (!nv)
                                return -ENOMEM;
                        parent->values = nv;
                }
                *cap = nc;
        }
        parent->items[parent->n] = item;
        if (parent->kind == YNODE_MAPPING)
                parent->values[parent->n] = value;
        parent->n++;
        return 0;
}

static const char *event_anchor(const yaml_event_t *ev)
{
        switch (ev->type) {
        case YAML_SCALAR_EVENT:
                return (const char *)ev->data.scalar.anchor;
        case YAML_SEQUENCE_START_EVENT:
                return (const char *)ev->data.sequence_start.anchor;
        case YAML_MAPPING_START_EVENT:
                return (const char *)ev->data.mapping_start.anchor;
        default:
                return NULL;
        }
}

static const char *event_tag(const yaml_event_t *ev)
{
        switch (ev->type) {
        case YAML_SCALAR_EVENT:
                return (const char *)ev->data.scalar.tag;
        case YAML_SEQUENCE_START_EVENT:
                return (const char *)ev->data.sequence_start.tag;
        case YAML_MAPPING_START_EVENT:
                return (const char *)ev->data.mapping_start.tag;
        default:
                return NULL;
        }
}

/* A tag changes what a YAML reader takes the value to be (!!binary decodes
 * base64, !!str makes false a string) while svd reads every value as
 * written: refused, named as written ("!!str", not libyaml's expansion). */
static void report_tag(struct yload *l, const yaml_mark_t *m, const char *path, const char *tag)
{
        static const char core[] = "tag:yaml.org,2002:";
        struct cfg_pos pos = { .file = l->path, .line = (int)m->line + 1, .col = (int)m->column + 1 };
        bool is_core = strncmp(tag, core, sizeof core - 1) == 0;

        cfg_error(l->errs, &pos, *path ? path : "yaml",
                  "YAML tag '%s%s' not supported (values are read as written)", is_core ? "!!" : "",
                  is_core ? tag + sizeof core - 1 : tag);
}

static int parse_node(struct yload *l, yaml_event_t *ev, const char *path, int depth, struct ynode **ret);

/* A mapping's key and its place there, sorted by text then by place. */
struct keyref {
        const struct ynode *key;
        size_t i;
};

static int cmp_key(const void *a, const void *b)
{
        const struct keyref *x = a, *y = b;
        int c = strcmp(x->key->value, y->key->value);

        return c ? c : x->i < y->i ? -1 : 1;
}

/* A repeated key silently overriding the first is a classic source of "my
 * setting is ignored": each repetition is reported, the first kept. Found
 * by sorting the keys, not by comparing each with those before it: a file
 * of 100,000 keys took a minute to load. */
static int drop_duplicates(struct yload *l, struct ynode *n, const char *path)
{
        _cleanup_(freep) struct keyref *sorted = NULL;
        _cleanup_(freep) bool *dup = NULL;
        size_t k = 0;
        char sub[512];

        if (n->n < 2)
                return 0;
        if (!(sorted = malloc(n->n * sizeof *sorted)) || !(dup = calloc(n->n, sizeof *dup)))
                return -ENOMEM;
        for (size_t i = 0; i < n->n; i++)
                sorted[i] = (struct keyref){ .key = n->items[i], .i = i };
        qsort(sorted, n->n, sizeof *sorted, cmp_key);
        for (size_t i = 1, first = 0; i < n->n; i++) {
                const struct ynode *key = sorted[i].key;

                if (strcmp(key->value, sorted[first].key->value) != 0) {
                        first = i;
                        continue;
                }
                struct cfg_pos pos = { .file = l->path, .line = key->line, .col = key->col };

                snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key->value);
                cfg_error(l->errs, &pos, sub, "duplicate key '%s' (first on line %d)", key->value,
                          sorted[first].key->line);
                dup[sorted[i].i] = true;
        }
        for (size_t i = 0; i < n->n; i++) {
                if (dup[i]) {
                        ynode_free(n->items[i]);
                        ynode_free(n->values[i]);
                        continue;
                }
                n->items[k] = n->items[i];
                n->values[k++] = n->values[i];
        }
        n->n = k;
        return 0;
}

static int parse_children(struct yload *l, struct ynode *n, const char *path, int depth)
{
        yaml_event_type_t end = n->kind == YNODE_MAPPING ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        size_t cap = 0;
        char sub[512];
        int r;

        for (;;) {
                yaml_event_t ev;
                struct ynode *key = NULL, *val = NULL;

                if ((r = next_event(l, &ev)) < 0)
                        return r;
                if (ev.type == end) {
                        yaml_event_delete(&ev);
                        return n->kind == YNODE_MAPPING ? drop_duplicates(l, n, path) : 0;
                }
                /* Bounded like the file and its depth: what svd does with a
                 * list or mapping is not always linear in its length (a
                 * depends_on of 100,000 names held a load for a minute), and
                 * no setting needs this many. */
                if (n->n == CONFIG_YAML_MAX_ITEMS) {
                        struct cfg_pos pos = { .file = l->path,
                                               .line = (int)ev.start_mark.line + 1,
                                               .col = (int)ev.start_mark.column + 1 };

                        cfg_error(l->errs, &pos, *path ? path : "yaml", "more than %d entries",
                                  CONFIG_YAML_MAX_ITEMS);
                        yaml_event_delete(&ev);
                        return -EINVAL;
                }
                if (n->kind == YNODE_SEQUENCE) {
                        snprintf(sub, sizeof sub, "%s[%zu]", path, n->n);
                        if ((r = parse_node(l, &ev, sub, depth + 1, &val)) < 0)
                                return r;
                        if ((r = node_append(n, &cap, val, NULL)) < 0) {
                                ynode_free(val);
                                return r;
                        }
                        continue;
                }
                if (ev.type != YAML_SCALAR_EVENT) {
                        yerr_mark(l, &ev.start_mark, "mapping keys must be plain strings");
                        yaml_event_delete(&ev);
                        return -EINVAL;
                }
                if ((r = parse_node(l, &ev, path, depth + 1, &key)) < 0)
                        return r;
                snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key->value);
                if ((r = next_event(l, &ev)) < 0 || (r = parse_node(l, &ev, sub, depth + 1, &val)) < 0) {
                        ynode_free(key);
                        return r;
                }
                /* "key:" with nothing after it: libyaml marks the empty value
                 * wherever the next token starts (end of line, a comma of a
                 * flow mapping); an error about it points at its key. */
                if (val->kind == YNODE_SCALAR && val->plain && !*val->value) {
                        val->line = key->line;
                        val->col = key->col;
                }
                if ((r = node_append(n, &cap, key, val)) < 0) {
                        ynode_free(key);
                        ynode_free(val);
                        return r;
                }
        }
}

/* Consumes *ev (always deleted) and whatever events belong to its node. */
static int parse_node(struct yload *l, yaml_event_t *ev, const char *path, int depth, struct ynode **ret)
{
        _cleanup_(ynode_freep) struct ynode *n = NULL;
        int r = 0;

        if (ev->type == YAML_ALIAS_EVENT || event_anchor(ev)) {
                yerr_mark(l, &ev->start_mark, "anchors and aliases are not supported");
                r = -EINVAL;
        } else if (event_tag(ev)) {
                report_tag(l, &ev->start_mark, path, event_tag(ev));
                r = -EINVAL;
        } else if (depth > CONFIG_YAML_MAX_DEPTH) {
                yerr_mark(l, &ev->start_mark, "nesting too deep");
                r = -EINVAL;
        } else if (ev->type == YAML_SCALAR_EVENT) {
                n = node_new(YNODE_SCALAR, &ev->start_mark);
                if (!n) {
                        r = -ENOMEM;
                } else if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length)) {
                        /* named by its key: the value is wrong, not the YAML */
                        struct cfg_pos pos = { .file = l->path, .line = n->line, .col = n->col };

                        cfg_error(l->errs, &pos, *path ? path : "yaml", "NUL character in string");
                        r = -EINVAL;
                } else {
                        n->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
                        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                        if (!n->value)
                                r = -ENOMEM;
                }
        } else if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
                n = node_new(ev->type == YAML_MAPPING_START_EVENT ? YNODE_MAPPING : YNODE_SEQUENCE,
                             &ev->start_mark);
                if (!n)
                        r = -ENOMEM;
        } else {
                yerr_mark(l, &ev->start_mark, "unexpected event");
                r = -EINVAL;
        }
        yaml_event_delete(ev);
        if (r < 0)
                return r;
        if (n->kind != YNODE_SCALAR && (r = parse_children(l, n, path, depth)) < 0)
                return r;
        *ret = n;
        n = NULL;
        return 0;
}

static int read_fd(int fd, unsigned char **ret, size_t *ret_len)
{
        _cleanup_(freep) unsigned char *buf = NULL;
        size_t len = 0;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -ENOTSUP; /* "not a regular file" (load) */
        if (st.st_size > CONFIG_YAML_MAX_BYTES)
                return -EFBIG;
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        /* Read at most what fstat promised (+1 to notice growth). Once all of
         * it is there, a short read is the file's end: no second read just to
         * see 0 (a round trip on a network file system). A short read before
         * that (a shrinking file, an interrupted network read) reads on. */
        while (len <= (size_t)st.st_size) {
                size_t want = (size_t)st.st_size + 1 - len;
                ssize_t k = read(fd, buf + len, want);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len += (size_t)k;
                if (k == 0 || ((size_t)k < want && len == (size_t)st.st_size))
                        break;
        }
        if (len > (size_t)st.st_size)
                return -EFBIG;
        *ret = buf;
        *ret_len = len;
        buf = NULL;
        return 0;
}

/* O_NONBLOCK: a FIFO named like a config file must not block svd (at a
 * reload, PID 1's loop) in open() until a writer comes; read_fd refuses it.
 * O_NOCTTY: nor may a terminal become PID 1's controlling one. */
#define CONFIG_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)

static int read_file(int dirfd, const char *path, unsigned char **ret, size_t *ret_len)
{
        _cleanup_(closep) int fd = openat(dirfd, path, CONFIG_OPEN_FLAGS);

        if (fd < 0)
                return -errno;
        return read_fd(fd, ret, ret_len);
}

static int load(int fd, int dirfd, const char *name, const char *path, struct ynode **ret,
                struct cfg_errors *errs);

int config_yaml_load(const char *path, struct ynode **ret, struct cfg_errors *errs)
{
        return load(-1, AT_FDCWD, path, path, ret, errs);
}

int config_yaml_load_at(int dirfd, const char *name, const char *path, struct ynode **ret,
                        struct cfg_errors *errs)
{
        return load(-1, dirfd, name, path, ret, errs);
}

int config_yaml_load_fd(int fd, const char *path, struct ynode **ret, struct cfg_errors *errs)
{
        return load(fd, AT_FDCWD, NULL, path, ret, errs);
}

/* From fd when it is >= 0 (left open), else from name below dirfd. */
static int load(int fd, int dirfd, const char *name, const char *path, struct ynode **ret,
                struct cfg_errors *errs)
{
        _cleanup_(freep) unsigned char *buf = NULL;
        _cleanup_(ynode_freep) struct ynode *root = NULL;
        struct yload l = { .path = path, .errs = errs };
        yaml_event_t ev;
        bool done = false;
        int r;

        r = fd >= 0 ? read_fd(fd, &buf, &l.len) : read_file(dirfd, name, &buf, &l.len);
        if (r < 0) {
                struct cfg_pos pos = { .file = path };

                cfg_error(errs, &pos, NULL, "cannot read: %s",
                          r == -EFBIG     ? "file too large"
                          : r == -ENOTSUP ? "not a regular file"
                                          : strerror(-r));
                return r;
        }
        l.buf = buf;
        char why[256];
        if ((r = dynlib_acquire(&dl_yaml, why, sizeof why)) < 0) {
                struct cfg_pos pos = { .file = path };

                cfg_error(errs, &pos, NULL, "%s", why);
                return r;
        }
        if (!yaml_parser_initialize(&l.parser)) {
                dynlib_release(&dl_yaml);
                return -ENOMEM;
        }
        yaml_parser_set_input_string(&l.parser, buf, l.len);
        while (!done) {
                if ((r = next_event(&l, &ev)) < 0)
                        break;
                switch (ev.type) {
                case YAML_STREAM_END_EVENT:
                        done = true;
                        /* fall through */
                case YAML_STREAM_START_EVENT:
                case YAML_DOCUMENT_END_EVENT:
                        yaml_event_delete(&ev);
                        break;
                case YAML_DOCUMENT_START_EVENT:
                        if (root) {
                                yerr_mark(&l, &ev.start_mark, "expected a single document");
                                r = -EINVAL;
                                done = true;
                        }
                        yaml_event_delete(&ev);
                        break;
                default:
                        r = parse_node(&l, &ev, "", 0, &root);
                        if (r < 0)
                                done = true;
                        break;
                }
        }
        yaml_parser_delete(&l.parser);
        dynlib_release(&dl_yaml);
        if (r < 0)
                return r;
        *ret = root;
        root = NULL;
        return 0;
}
