/* svc_env: the environment a service's process gets (svc.h): svd's own
 * variables (PATH, USER, HOME, SHELL, SVD_*, NOTIFY_SOCKET, WATCHDOG_*), then the
 * service's environment:, then its env_file, then ${secret:NAME}. Shared by
 * the main process and exec health checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envfile.h"
#include "envmerge.h"
#include "notify.h"
#include "safedir.h"
#include "secrets.h"
#include "svc.h"
#include "svd.h"
#include "util.h"

static int env_set(char ***env, const char *kv) {
        size_t klen = strcspn(kv, "=");
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, kv, klen) == 0 && (*e)[klen] == '=') {
                        char *c = strdup(kv);
                        if (!c)
                                return -ENOMEM;
                        free(*e);
                        *e = c;
                        return 0;
                }
        return strv_push(env, kv);
}

/* A name a program can look up: letters, digits and _, not a digit first
 * (as environment: requires, config_parse.c). "FOO = bar" would otherwise
 * set "FOO " and leave FOO unset, with no word about it. */
static bool env_name_ok(const char *s, size_t len) {
        if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                        return false;
        return true;
}

/* Reads KEY=VALUE lines; blank lines and # comments are skipped, one level of
 * matching single or double quotes around the value is removed. A NUL byte
 * anywhere, a line that is not NAME=value, a NAME that is not a variable
 * name, or a ${secret:NAME} for a secret c does not declare (it would reach
 * the service as literal text), fails it: why names the file and the line. */
static int env_file_parse(const struct svc_config *c, char *buf, size_t len, char ***env, char *why,
                          size_t wl) {
        const char *path = c->env_file;
        int r;
        char rbuf[SVC_REASON_MAX - 16];
        if ((r = envfile_check_refs(c, path, buf, len, rbuf, sizeof(rbuf))) < 0) {
                snprintf(why, wl, "env_file: %s", rbuf);
                return r;
        }
        /* one variable per line at most: added at once (envmerge.h), the
         * file may have 100,000 lines */
        size_t n_lines = 1, n_vars = 0;
        for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + len - q))); q++)
                n_lines++;
        _cleanup_(freep) char **vars = calloc(n_lines, sizeof *vars);
        if (!vars) {
                snprintf(why, wl, "env_file: %s: %s", path, strerror(ENOMEM));
                return -ENOMEM;
        }
        unsigned lineno = 0;
        for (char *line = buf, *end = buf + len; line < end;) {
                char *nl = memchr(line, '\n', (size_t)(end - line));
                size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
                lineno++;
                if (memchr(line, 0, n)) {
                        snprintf(why, wl, "env_file: %s:%u: a NUL byte (an environment value cannot hold one)",
                                 path, lineno);
                        return -EINVAL;
                }
                line[n] = 0;
                char *next = line + n + 1;
                while (n > 0 && line[n - 1] == '\r')
                        line[--n] = 0;
                char *p = line + strspn(line, " \t");
                line = next;
                if (!*p || *p == '#')
                        continue;
                if (strncmp(p, "export", 6) == 0 && (p[6] == ' ' || p[6] == '\t'))
                        p += 6 + strspn(p + 6, " \t");
                char *eq = strchr(p, '=');
                if (!eq || eq == p) {
                        snprintf(why, wl, "env_file: %s:%u: not a NAME=value line", path, lineno);
                        return -EINVAL;
                }
                if (!env_name_ok(p, (size_t)(eq - p))) {
                        snprintf(why, wl,
                                 "env_file: %s:%u: '%.*s' is not a variable name (letters, digits, _; not a "
                                 "digit first)",
                                 path, lineno, (int)(eq - p) > 64 ? 64 : (int)(eq - p), p);
                        return -EINVAL;
                }
                char *v = eq + 1;
                size_t vl = strlen(v);
                if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
                        memmove(v, v + 1, vl - 2);
                        v[vl - 2] = 0;
                }
                vars[n_vars++] = p;
        }
        if ((r = env_merge(env, vars, n_vars)) < 0)
                snprintf(why, wl, "env_file: %s: %s", path, strerror(-r));
        return r;
}

/* The file's bytes are wiped whatever the outcome: its values may be secrets. */
static int env_file_read(const struct svc_config *c, char ***env, char *why, size_t wl) {
        char *buf = NULL;
        size_t len = 0;
        int r = envfile_load(c->env_file, &buf, &len, why, wl);
        if (r < 0)
                return r;
        r = env_file_parse(c, buf, len, env, why, wl);
        envfile_free(buf, len);
        return r;
}

/* env_set, unless an earlier one failed: *err keeps the first failure, so
 * the variables are built in one pass and checked once. */
static void env_add(char ***env, const char *kv, int *err) {
        int r;
        if (*err == 0 && (r = env_set(env, kv)) < 0)
                *err = r;
}

char **svc_build_env(const struct svc *s, bool main_process, int *ret_err, char *why, size_t why_len) {
        const struct svc_config *c = s->cfg;
        char **env = NULL;
        char buf[4096];
        int err = 0;
        *ret_err = 0;
        env_add(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", &err);
        if (c->user) {
                snprintf(buf, sizeof(buf), "USER=%s", c->user);
                env_add(&env, buf, &err);
                snprintf(buf, sizeof(buf), "LOGNAME=%s", c->user);
                env_add(&env, buf, &err);
                if (c->home) {
                        snprintf(buf, sizeof(buf), "HOME=%s", c->home);
                        env_add(&env, buf, &err);
                }
                if (c->login_shell) {
                        snprintf(buf, sizeof(buf), "SHELL=%s", c->login_shell);
                        env_add(&env, buf, &err);
                }
        }
        snprintf(buf, sizeof(buf), "SVD_SERVICE=%s", c->name);
        env_add(&env, buf, &err);
        /* where the service files are: shipped jobs find their scripts
         * (services/scripts/) from a checkout and after install alike */
        snprintf(buf, sizeof(buf), "SVD_SERVICES_DIR=%s", s->m->cfg->services_dir);
        env_add(&env, buf, &err);
        /* the selected profiles, space separated ("" = no selection, all
         * services run): a service may size itself for the stack around it */
        size_t off = (size_t)snprintf(buf, sizeof(buf), "SVD_PROFILES=");
        for (char **p = s->m->cfg->selected_profiles; p && *p && off < sizeof(buf) - 1; p++)
                off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", p == s->m->cfg->selected_profiles ? "" : " ",
                                        *p);
        env_add(&env, buf, &err);
        if (c->type == SVC_NOTIFY && notify_socket_path(s->m->notify)) {
                snprintf(buf, sizeof(buf), "NOTIFY_SOCKET=%s", notify_socket_path(s->m->notify));
                env_add(&env, buf, &err);
                /* An exec check is not the watched process (its own
                 * process group: its datagrams are not the service's), and
                 * the pid is written by the main process's spawn only: a
                 * check got the zeros. */
                if (c->watchdog && main_process) {
                        snprintf(buf, sizeof(buf), "WATCHDOG_USEC=%llu", (unsigned long long)c->watchdog);
                        env_add(&env, buf, &err);
                        /* the child writes its pid over the zeros (spawn.h) */
                        env_add(&env, "WATCHDOG_PID=00000000000000000000", &err);
                }
        }
        if (err == 0 && c->environment)
                err = env_merge(&env, c->environment, strv_length(c->environment));
        /* A variable missing for want of memory (NOTIFY_SOCKET, one of
         * environment:) would start a service that misbehaves, or never
         * says it is ready: no environment, the start fails instead. */
        if (err < 0) {
                *ret_err = err;
                if (why && why_len)
                        snprintf(why, why_len, "environment: %s", strerror(-err));
                strv_free(env);
                return NULL;
        }
        if (c->env_file) {
                char ebuf[SVC_REASON_MAX] = ""; /* (an allocation failure sets none) */
                int r = env_file_read(c, &env, ebuf, sizeof(ebuf));
                if (r < 0) {
                        *ret_err = r;
                        if (why && why_len && ebuf[0])
                                snprintf(why, why_len, "%s", ebuf);
                        strv_free(env);
                        return NULL;
                }
        }
        char sbuf[SVC_REASON_MAX] = "";
        int sr = secrets_env_expand(s, &env, sbuf, sizeof(sbuf));
        if (sr < 0) {
                *ret_err = sr;
                if (why && why_len && sbuf[0])
                        snprintf(why, why_len, "%s", sbuf);
                else if (why && why_len) /* (no memory: no text, and no env_file's fault) */
                        snprintf(why, why_len, "environment: %s", strerror(-sr));
                secrets_env_freep(&env);
                return NULL;
        }
        return env;
}

bool svc_env_file_uses(const struct svc_config *c, const char *name) {
        char *buf = NULL;
        char ref[96], why[SVC_REASON_MAX];
        size_t len = 0;
        int n = snprintf(ref, sizeof(ref), "${secret:%s}", name);
        if (!c->env_file || n < 0 || (size_t)n >= sizeof(ref))
                return false;
        if (envfile_load(c->env_file, &buf, &len, why, sizeof(why)) < 0)
                return false;
        bool uses = memmem(buf, len, ref, (size_t)n) != NULL;
        envfile_free(buf, len); /* its other values may be secrets too */
        return uses;
}

const char *svc_env_get(char **env, const char *key) {
        size_t kl = strlen(key);
        for (char **e = env; e && *e; e++)
                if (strncmp(*e, key, kl) == 0 && (*e)[kl] == '=')
                        return *e + kl + 1;
        return NULL;
}
