/* config_secrets: the secrets: key of a service file and the ${secret:NAME}
 * references in its environment. A secret is defined once, in any service file,
 * and shared by name:
 *
 *   secrets:                                   # in one service
 *     jwt_secret: { generate: base64, bytes: 48 }
 *   secrets: [jwt_secret]                      # in another: a list of names ...
 *   secrets: { jwt_secret: }                   # ... or a mapping with empty values
 *
 * The same definition repeated (identical parameters) is accepted; a different
 * one is an error naming both places. Definitions go to svd_config.secrets, the
 * names a service may see to svc_config.secrets; names are resolved across
 * files by config_secrets_validate once everything is loaded. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "config_parse.h"
#include "envfile.h"

static const char *const kind_names[_SECRET_KIND_MAX] = { "password", "hex",       "base64", "uuid",
                                                          "jwt",      "from_file", "value" };

const char *secret_kind_name(enum secret_kind k)
{
        return k < _SECRET_KIND_MAX ? kind_names[k] : NULL;
}

static void secret_config_done(struct secret_config *d)
{
        free(d->name);
        free(d->charset);
        free(d->jwt_secret);
        free(d->jwt_claims);
        free(d->path);
        free(d->value);
        free(d->on_rotate);
}

void config_secrets_done(struct svd_config *c)
{
        for (size_t i = 0; i < c->defaults.n_secret_refs; i++) {
                free(c->defaults.secret_refs[i].name);
                free(c->defaults.secret_refs[i].key);
        }
        free(c->defaults.secret_refs);
        c->defaults.secret_refs = NULL;
        c->defaults.n_secret_refs = 0;
        for (size_t i = 0; i < c->n_secrets; i++)
                secret_config_done(&c->secrets[i]);
        free(c->secrets);
        c->secrets = NULL;
        c->n_secrets = 0;
}

void config_svc_secrets_done(struct svc_config *s)
{
        for (size_t i = 0; i < s->n_secrets; i++)
                free(s->secrets[i].name);
        free(s->secrets);
        s->secrets = NULL;
        s->n_secrets = 0;
}

/* Secret names become file names and ${secret:NAME} keys. */
static bool secret_name_valid(const char *s)
{
        size_t n = strlen(s);

        if (n < 1 || n > 64 || s[0] == '.' || s[0] == '-')
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static bool streq0(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool secret_config_equal(const struct secret_config *a, const struct secret_config *b)
{
        return a->kind == b->kind && a->length == b->length && streq0(a->charset, b->charset) &&
               a->bytes == b->bytes && streq0(a->jwt_secret, b->jwt_secret) &&
               streq0(a->jwt_claims, b->jwt_claims) && a->expires_in == b->expires_in &&
               streq0(a->path, b->path) && streq0(a->value, b->value) && a->allow_weak == b->allow_weak &&
               streq0(a->on_rotate, b->on_rotate);
}

static int add_use_at(struct svc_config *s, const char *name, struct cfg_pos pos)
{
        struct secret_use *nu;

        for (size_t i = 0; i < s->n_secrets; i++)
                if (strcmp(s->secrets[i].name, name) == 0)
                        return 0;
        nu = realloc(s->secrets, (s->n_secrets + 1) * sizeof *nu);
        if (!nu)
                return -ENOMEM;
        s->secrets = nu;
        nu[s->n_secrets] = (struct secret_use){ .name = strdup(name), .index = SIZE_MAX, .pos = pos };
        if (!nu[s->n_secrets].name)
                return -ENOMEM;
        s->n_secrets++;
        return 0;
}

static int add_use(struct cload *l, struct svc_config *s, const char *name, int line, int col)
{
        return add_use_at(s, name, (struct cfg_pos){ l->file, line, col });
}

static struct secret_ref *defaults_ref(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; i < c->defaults.n_secret_refs; i++)
                if (strcmp(c->defaults.secret_refs[i].name, name) == 0)
                        return &c->defaults.secret_refs[i];
        return NULL;
}

/* Keeps where defaults.environment names a secret (the first place). */
static int add_defaults_ref(struct cload *l, const char *name, const struct ynode *n, const char *key)
{
        struct svc_defaults *d = &l->c->defaults;
        struct secret_ref *nr;

        if (defaults_ref(l->c, name))
                return 0;
        if (!(nr = realloc(d->secret_refs, (d->n_secret_refs + 1) * sizeof *nr)))
                return -ENOMEM;
        d->secret_refs = nr;
        nr[d->n_secret_refs] = (struct secret_ref){ .name = strdup(name),
                                                    .key = strdup(key),
                                                    .pos = { l->file, n->line, n->col } };
        d->n_secret_refs++;
        return nr[d->n_secret_refs - 1].name && nr[d->n_secret_refs - 1].key ? 0 : -ENOMEM;
}

/* "10y" is not a duration util knows; JWT lifetimes are written in years. */
static int parse_expiry(const char *v, usec_t *ret)
{
        size_t n = strlen(v);
        unsigned long long years;

        if (n > 1 && v[n - 1] == 'y') {
                _cleanup_(freep) char *num = strndup(v, n - 1);

                if (!num || parse_uint(num, 1000, &years) < 0)
                        return -EINVAL;
                *ret = (usec_t)years * 365 * 86400 * USEC_PER_SEC;
                return 0;
        }
        return parse_duration(v, ret);
}

/* claims: a flat mapping; plain numbers and true/false keep their type. */
static void load_claims(struct cload *l, const struct ynode *n, const char *key, struct secret_config *d)
{
        cJSON *o;
        char sub[KEYLEN];

        if (cp_expect_map(l, n, key) < 0)
                return;
        if (!(o = cJSON_CreateObject())) {
                l->oom = true;
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                const struct ynode *v = n->values[i];
                const char *k = n->items[i]->value;
                unsigned long long u;
                cJSON *item;

                cp_key(sub, key, k);
                if (!cp_is_scalar(v)) {
                        cp_err(l, v, sub, "expected a string, number or boolean");
                        continue;
                }
                if (strcmp(k, "iat") == 0 || strcmp(k, "exp") == 0) {
                        cp_err(l, n->items[i], sub, "set by svd (use expires_in)");
                        continue;
                }
                if (v->plain && parse_uint(v->value, (1ull << 53), &u) >= 0)
                        item = cJSON_CreateNumber((double)u);
                else if (v->plain && (strcmp(v->value, "true") == 0 || strcmp(v->value, "false") == 0))
                        item = cJSON_CreateBool(v->value[0] == 't');
                else
                        item = cJSON_CreateString(v->value);
                if (!item || !cJSON_AddItemToObject(o, k, item))
                        l->oom = true;
        }
        d->jwt_claims = cJSON_PrintUnformatted(o);
        if (!d->jwt_claims)
                l->oom = true;
        cJSON_Delete(o);
}

static void load_jwt(struct cload *l, const struct ynode *n, const char *key, struct secret_config *d)
{
        static const char *const keys[] = { "secret", "claims", "expires_in", NULL };
        char sub[KEYLEN];
        const struct ynode *v;

        if (cp_expect_map(l, n, key) < 0)
                return;
        cp_check_keys(l, n, key, keys);
        cp_key(sub, key, "secret");
        if (!(v = ynode_get(n, "secret")))
                cp_err(l, n, sub, "required key missing (the signing secret's name)");
        else if (cp_is_scalar(v) && !secret_name_valid(v->value))
                cp_err(l, v, sub, "invalid secret name (use 1 to 64 of A-Z a-z 0-9 _ . -)");
        else if (cp_str(l, v, sub, &d->jwt_secret) >= 0)
                d->jwt_secret_pos = (struct cfg_pos){ l->file, v->line, v->col };
        if ((v = ynode_get(n, "claims")))
                load_claims(l, v, cp_key(sub, key, "claims"), d);
        else if (!(d->jwt_claims = strdup("{}")))
                l->oom = true;
        if ((v = ynode_get(n, "expires_in"))) {
                cp_key(sub, key, "expires_in");
                usec_t e;

                if (!cp_is_scalar(v) || parse_expiry(v->value, &e) < 0)
                        cp_err(l, v, sub, "expected a duration (e.g. 1h, 30d, 10y)");
                /* exp is in whole seconds, and 0 means none: 500ms would mint
                 * tokens that never expire */
                else if (e % USEC_PER_SEC)
                        cp_err(l, v, sub,
                               "expected whole seconds (the exp claim has no fraction), or 0 for none");
                else if (e > (usec_t)1000 * 365 * 86400 * USEC_PER_SEC)
                        cp_err(l, v, sub, "must be at most 1000y");
                else
                        d->expires_in = e;
        }
}

/* A password's characters are drawn uniformly from the charset's bytes: a
 * repeated character would be drawn more often than the others (less
 * entropy than its length suggests), a byte of a multi-byte character alone
 * is no character at all, and a control character breaks the value in an
 * env file or a terminal. So: 2 to 95 distinct printable ASCII characters
 * (space included). NULL when cs is one; else what is wrong, in err. */
static const char *charset_problem(const char *cs, char *err, size_t len)
{
        bool seen[128] = { false };
        size_t n = 0;

        for (const unsigned char *c = (const unsigned char *)cs; *c; c++, n++) {
                if (*c < 0x20 || *c > 0x7e) {
                        snprintf(err, len, "character %zu (byte 0x%02x) is not printable ASCII", n + 1, *c);
                        return err;
                }
                if (seen[*c]) {
                        snprintf(err, len, "'%c' appears more than once (it would be drawn more often)", *c);
                        return err;
                }
                seen[*c] = true;
        }
        if (n < 2) {
                snprintf(err, len, "expected at least 2 characters");
                return err;
        }
        return NULL;
}

/* A warning at n when path, which holds a secret, is readable by every user. */
static void warn_readable(struct cload *l, const struct ynode *n, const char *key, const char *path,
                         const char *fix)
{
        struct stat st;

        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0004))
                cfg_warn(l->errs, &(struct cfg_pos){ l->file, n->line, n->col }, key,
                         "%s is readable by every user, and the secret with it (%s)", path, fix);
}

/* One definition: exactly one of generate / jwt / from_file / value. */
static int load_definition(struct cload *l, const struct ynode *n, const char *name, const char *key,
                           struct secret_config *d)
{
        static const char *const keys[] = { "generate",  "length", "charset",    "bytes",     "jwt",
                                            "from_file", "value",  "allow_weak", "on_rotate", NULL };
        static const char *const gens[] = { "password", "hex", "base64", "uuid" };
        const char *sources[] = { "generate", "jwt", "from_file", "value" };
        const struct ynode *src = NULL, *v;
        char sub[KEYLEN];
        unsigned long long u;
        size_t n_src = 0;
        int e;

        *d = (struct secret_config){ .pos = { l->file, n->line, n->col }, .jwt_index = SIZE_MAX };
        if (!(d->name = strdup(name)))
                return -ENOMEM;
        cp_check_keys(l, n, key, keys);
        for (size_t i = 0; i < ELEMENTSOF(sources); i++)
                if ((v = ynode_get(n, sources[i]))) {
                        n_src++;
                        if (n_src > 1)
                                cp_err(l, v, cp_key(sub, key, sources[i]),
                                       "a secret has one source: generate, jwt, from_file or value");
                        src = v;
                }
        if (!src) {
                cp_err(l, n, key,
                       "expected one of generate, jwt, from_file or value (or nothing, to use a "
                       "secret defined elsewhere)");
                return -EINVAL;
        }
        if ((v = ynode_get(n, "generate")) && cp_enum(l, v, cp_key(sub, key, "generate"), gens, 4, &e) >= 0)
                d->kind = (enum secret_kind)e;
        if ((v = ynode_get(n, "jwt"))) {
                d->kind = SECRET_JWT;
                load_jwt(l, v, cp_key(sub, key, "jwt"), d);
        }
        if ((v = ynode_get(n, "from_file")) &&
            cp_file_path(l, v, cp_key(sub, key, "from_file"), &d->path) >= 0) {
                d->kind = SECRET_FROM_FILE;
                /* (one not there yet is checked by nobody: it is read at each use) */
                warn_readable(l, v, sub, d->path, "chmod o-r");
        }
        if ((v = ynode_get(n, "value")) && cp_str(l, v, cp_key(sub, key, "value"), &d->value) >= 0) {
                d->kind = SECRET_VALUE;
                /* the service file is the secret's only protection */
                warn_readable(l, v, sub, l->file, "chmod o-r, or use from_file with a file only svd can read");
        }
        d->length = 32;
        d->bytes = 32;
        if ((v = ynode_get(n, "length"))) {
                if (d->kind != SECRET_PASSWORD)
                        cp_err(l, v, cp_key(sub, key, "length"), "only for generate: password (use bytes)");
                else if (cp_uint(l, v, cp_key(sub, key, "length"), 8, 4096, &u) >= 0)
                        d->length = (unsigned)u;
        }
        if ((v = ynode_get(n, "charset"))) {
                if (d->kind != SECRET_PASSWORD)
                        cp_err(l, v, cp_key(sub, key, "charset"), "only for generate: password");
                else if (cp_str(l, v, cp_key(sub, key, "charset"), &d->charset) >= 0) {
                        char err[96];

                        if (charset_problem(d->charset, err, sizeof err))
                                cp_err(l, v, sub, "%s (use 2 to 95 distinct printable ASCII characters)",
                                       err);
                }
        }
        if ((v = ynode_get(n, "bytes"))) {
                if (d->kind != SECRET_HEX && d->kind != SECRET_BASE64)
                        cp_err(l, v, cp_key(sub, key, "bytes"), "only for generate: hex or base64");
                else if (cp_uint(l, v, cp_key(sub, key, "bytes"), 16, 4096, &u) >= 0)
                        d->bytes = (unsigned)u;
        }
        if ((v = ynode_get(n, "allow_weak")))
                cp_bool(l, v, cp_key(sub, key, "allow_weak"), &d->allow_weak);
        if ((v = ynode_get(n, "on_rotate"))) {
                cp_key(sub, key, "on_rotate");
                if (cp_is_scalar(v) && !config_name_valid(v->value))
                        cp_err(l, v, sub, "invalid service name (use 1 to 64 of A-Z a-z 0-9 _ . @ -)");
                else if (cp_str(l, v, sub, &d->on_rotate) >= 0)
                        d->on_rotate_pos = (struct cfg_pos){ l->file, v->line, v->col };
        }
        return l->oom ? -ENOMEM : 0;
}

static void define(struct cload *l, struct svc_config *s, const struct ynode *k, const struct ynode *v,
                   const char *key)
{
        struct svd_config *c = l->c;
        struct secret_config d, *nd;
        int r = load_definition(l, v, k->value, key, &d);

        if (r < 0) {
                secret_config_done(&d);
                l->oom |= r == -ENOMEM;
                return;
        }
        for (size_t i = 0; i < c->n_secrets; i++) {
                if (strcmp(c->secrets[i].name, d.name) != 0)
                        continue;
                if (!secret_config_equal(&c->secrets[i], &d))
                        cp_err(l, v, key, "secret '%s' is defined differently in %s:%d:%d", d.name,
                               c->secrets[i].pos.file, c->secrets[i].pos.line, c->secrets[i].pos.col);
                secret_config_done(&d);
                if (add_use(l, s, k->value, k->line, k->col) < 0)
                        l->oom = true;
                return;
        }
        nd = realloc(c->secrets, (c->n_secrets + 1) * sizeof *nd);
        if (!nd) {
                secret_config_done(&d);
                l->oom = true;
                return;
        }
        c->secrets = nd;
        c->secrets[c->n_secrets++] = d;
        if (add_use(l, s, k->value, k->line, k->col) < 0)
                l->oom = true;
}

/* A ${...} other than ${secret:NAME} in an environment value at n: svd
 * expands nothing else, so "${PATH}" or a mistyped "${secrets:db}" reaches
 * the service as written. A warning, not an error: a program may want the
 * text; but a Compose user expects it expanded. */
static void warn_literal(struct cload *l, const char *val, const struct ynode *n, const char *key)
{
        for (const char *p = val; (p = strstr(p, "${")); p += 2) {
                if (strncmp(p, "${secret:", 9) == 0)
                        continue;
                const char *end = strchr(p, '}');
                size_t len = end ? (size_t)(end - p) + 1 : strlen(p);

                cfg_warn(l->errs, &(struct cfg_pos){ l->file, n->line, n->col }, key,
                         "'%.*s%s' is passed as written (svd expands only ${secret:NAME})",
                         (int)(len > 64 ? 64 : len), p, len > 64 ? "..." : "");
                return;
        }
}

/* ${secret:NAME} in one environment value; bad syntax is an error here (at
 * n: none when NULL, it was reported at its node). With s NULL the value is
 * defaults.environment's: each name is kept with its place (the uses are
 * each service's). With n NULL (a value a service has from the defaults)
 * the use is placed where the defaults name it. */
static void scan_refs(struct cload *l, struct svc_config *s, const char *val, const struct ynode *n,
                      const char *key)
{
        if (n)
                warn_literal(l, val, n, key);
        for (const char *p = val; (p = strstr(p, "${secret:"));) {
                const char *name = p + 9, *end = strchr(name, '}');
                char buf[80];

                if (!end || end == name || (size_t)(end - name) >= sizeof buf) {
                        if (n)
                                cp_err(l, n, key, "expected ${secret:NAME}");
                        return;
                }
                memcpy(buf, name, (size_t)(end - name));
                buf[end - name] = 0;
                if (!secret_name_valid(buf)) {
                        if (n)
                                cp_err(l, n, key, "invalid secret name '%s'", buf);
                } else if (!s) {
                        if (n && add_defaults_ref(l, buf, n, key) < 0)
                                l->oom = true;
                } else if (n) {
                        if (add_use(l, s, buf, n->line, n->col) < 0)
                                l->oom = true;
                } else {
                        const struct secret_ref *d = defaults_ref(l->c, buf);

                        if (add_use_at(s, buf, d ? d->pos : s->pos) < 0)
                                l->oom = true;
                }
                p = end + 1;
        }
}

/* References in an environment: node (mapping values or NAME=value items). */
static void scan_env(struct cload *l, struct svc_config *s, const struct ynode *env, const char *prefix)
{
        char key[KEYLEN];

        if (env && (env->kind == YNODE_MAPPING || env->kind == YNODE_SEQUENCE))
                for (size_t i = 0; i < env->n; i++) {
                        const struct ynode *v = env->kind == YNODE_MAPPING ? env->values[i] : env->items[i];

                        if (cp_is_scalar(v))
                                scan_refs(l, s, v->value, v,
                                          env->kind == YNODE_MAPPING ? cp_key(key, prefix, env->items[i]->value)
                                                                     : prefix);
                }
}

void cp_defaults_secret_refs(struct cload *l, const struct ynode *env)
{
        scan_env(l, NULL, env, "defaults.environment");
}

void cp_secrets(struct cload *l, const struct ynode *root, struct svc_config *s)
{
        const struct ynode *n = ynode_get(root, "secrets");
        char key[KEYLEN];

        scan_env(l, s, ynode_get(root, "environment"), "environment");
        if (!n || ynode_is_null(n))
                return;
        if (n->kind == YNODE_SEQUENCE) {
                for (size_t i = 0; i < n->n; i++) {
                        snprintf(key, sizeof key, "secrets[%zu]", i);
                        if (!cp_is_scalar(n->items[i]) || !secret_name_valid(n->items[i]->value))
                                cp_err(l, n->items[i], key,
                                       "expected a secret name (1 to 64 of A-Z a-z 0-9 _ . -)");
                        else if (add_use(l, s, n->items[i]->value, n->items[i]->line, n->items[i]->col) < 0)
                                l->oom = true;
                }
                return;
        }
        if (n->kind != YNODE_MAPPING) {
                cp_err(l, n, "secrets", "expected a list of names or a mapping of definitions");
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                const struct ynode *k = n->items[i], *v = n->values[i];

                cp_key(key, "secrets", k->value);
                if (!secret_name_valid(k->value)) {
                        cp_err(l, k, key, "invalid secret name (use 1 to 64 of A-Z a-z 0-9 _ . -)");
                        continue;
                }
                if (ynode_is_null(v) || (v->kind == YNODE_MAPPING && v->n == 0)) {
                        if (add_use(l, s, k->value, k->line, k->col) < 0)
                                l->oom = true;
                } else if (v->kind != YNODE_MAPPING)
                        cp_err(l, v, key,
                               "expected a definition mapping, or nothing to use a shared secret");
                else
                        define(l, s, k, v, key);
        }
}

/* How long a generated value comes out, in bytes, with what it is in how
 * (for a message); 0 for a kind svd does not generate. */
static size_t generated_len(const struct secret_config *d, char *how, size_t len)
{
        switch (d->kind) {
        case SECRET_PASSWORD:
                snprintf(how, len, "a password of %u characters", d->length);
                return d->length;
        case SECRET_HEX:
                snprintf(how, len, "hex of %u bytes", d->bytes);
                return (size_t)d->bytes * 2;
        case SECRET_BASE64:
                snprintf(how, len, "base64 of %u bytes", d->bytes);
                return ((size_t)d->bytes + 2) / 3 * 4;
        case SECRET_UUID:
                snprintf(how, len, "a UUID");
                return 36;
        default:
                return 0;
        }
}

/* A generated signing secret shorter than the consumers' start accepts
 * (secrets_weak_reason: 32 bytes) would be refused to each of them. */
static void check_signing_len(const struct svd_config *c, const struct secret_config *d,
                              struct cfg_errors *errs, const char *key)
{
        const struct secret_config *sd = &c->secrets[d->jwt_index];
        char how[64];
        size_t n = generated_len(sd, how, sizeof how);

        if (n && n < 32 && !sd->allow_weak)
                cfg_error(errs, &d->jwt_secret_pos, key,
                          "'%s' is generated %zu bytes long (%s): a JWT signing secret needs at least 32 "
                          "(raise its %s, or set allow_weak: true on it)",
                          sd->name, n, how, sd->kind == SECRET_PASSWORD ? "length" : "bytes");
}

static ssize_t find_secret(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_secrets; i++)
                if (strcmp(c->secrets[i].name, name) == 0)
                        return (ssize_t)i;
        return -1;
}

/* A ${secret:NAME} in an env_file for a secret the service does not
 * declare would reach it as literal text: refused here when the file can
 * be read now (else when the service starts, svc_env.c). The file's other
 * values may be secrets too: its bytes are wiped. */
static void check_env_files(const struct svd_config *c, struct cfg_errors *errs)
{
        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];
                char why[PATH_MAX + 256];
                char *buf = NULL;
                size_t len = 0;

                if (!s->env_file || envfile_load(s->env_file, &buf, &len, why, sizeof why) < 0)
                        continue;
                if (envfile_check_refs(s, s->env_file, buf, len, why, sizeof why) < 0)
                        cfg_error(errs, &s->env_file_pos, "env_file", "%s", why);
                envfile_free(buf, len);
        }
}

int config_secrets_validate(struct svd_config *c, struct cfg_errors *errs)
{
        struct cload l = { .c = c, .errs = errs };

        for (size_t i = 0; i < c->n_svcs; i++) {
                struct svc_config *s = &c->svcs[i];

                /* References that came from defaults.environment (no node). */
                l.file = s->file;
                for (char **e = s->environment; e && *e; e++)
                        scan_refs(&l, s, *e, NULL, NULL);
                for (size_t j = 0; j < s->n_secrets; j++) {
                        ssize_t k = find_secret(c, s->secrets[j].name);
                        struct secret_ref *d = defaults_ref(c, s->secrets[j].name);

                        /* named by defaults.environment only: said once, there */
                        if (k < 0 && d && s->secrets[j].pos.file == d->pos.file &&
                            s->secrets[j].pos.line == d->pos.line && s->secrets[j].pos.col == d->pos.col) {
                                if (!d->reported)
                                        cfg_error(errs, &d->pos, d->key, "no service defines secret '%s'",
                                                  d->name);
                                d->reported = true;
                        } else if (k < 0)
                                cfg_error(errs, &s->secrets[j].pos, "secrets",
                                          "no service defines secret '%s'", s->secrets[j].name);
                        s->secrets[j].index = k < 0 ? SIZE_MAX : (size_t)k;
                }
        }
        for (size_t i = 0; i < c->n_secrets; i++) {
                struct secret_config *d = &c->secrets[i];
                char key[KEYLEN];
                ssize_t k;

                /* at the value, with its full key path */
                snprintf(key, sizeof key, "secrets.%s.jwt.secret", d->name);
                if (d->kind == SECRET_JWT && d->jwt_secret) {
                        k = find_secret(c, d->jwt_secret);
                        if (k < 0)
                                cfg_error(errs, &d->jwt_secret_pos, key, "no service defines secret '%s'",
                                          d->jwt_secret);
                        else if (c->secrets[k].kind == SECRET_JWT)
                                cfg_error(errs, &d->jwt_secret_pos, key, "'%s' is itself a JWT", d->jwt_secret);
                        else {
                                d->jwt_index = (size_t)k;
                                check_signing_len(c, d, errs, key);
                        }
                }
                snprintf(key, sizeof key, "secrets.%s.on_rotate", d->name);
                if (d->on_rotate) {
                        ssize_t si = config_svc_index(c, d->on_rotate);

                        if (si < 0)
                                cfg_error(errs, &d->on_rotate_pos, key, "unknown service '%s'", d->on_rotate);
                        else if (c->svcs[si].type != SVC_ONESHOT)
                                cfg_error(errs, &d->on_rotate_pos, key, "'%s' is not a oneshot service",
                                          d->on_rotate);
                        else if (d->kind == SECRET_FROM_FILE || d->kind == SECRET_VALUE)
                                cfg_error(errs, &d->on_rotate_pos, key,
                                          "only a generated secret is rotated by svd");
                        else {
                                /* the job sees the value it has to install */
                                l.file = c->svcs[si].file;
                                /* (it may use it already: then the use is
                                 * not added, and only its index is set) */
                                if (add_use(&l, &c->svcs[si], d->name, d->pos.line, d->pos.col) < 0)
                                        return -ENOMEM;
                                for (size_t j = 0; j < c->svcs[si].n_secrets; j++)
                                        if (strcmp(c->svcs[si].secrets[j].name, d->name) == 0)
                                                c->svcs[si].secrets[j].index = i;
                        }
                }
        }
        check_env_files(c, errs);
        return l.oom ? -ENOMEM : 0;
}
