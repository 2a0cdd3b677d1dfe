/* svc_env: the environment a service's process gets (svc.h): svd's own
 * variables (PATH, USER, HOME, SVD_*, NOTIFY_SOCKET, WATCHDOG_*), then the
 * service's environment:, then its env_file, then ${secret:NAME}. Shared by
 * the main process and exec health checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
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

/* Reads KEY=VALUE lines; blank lines and # comments are skipped, one level of
 * matching single or double quotes around the value is removed. */
static int env_file_read(const char *path, char ***env) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        int r = 0;
        while ((n = getline(&line, &cap, f)) >= 0) {
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        line[--n] = 0;
                char *p = line + strspn(line, " \t");
                if (!*p || *p == '#')
                        continue;
                if (strncmp(p, "export ", 7) == 0)
                        p += 7;
                char *eq = strchr(p, '=');
                if (!eq || eq == p) {
                        r = -EINVAL;
                        break;
                }
                char *v = eq + 1;
                size_t vl = strlen(v);
                if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
                        memmove(v, v + 1, vl - 2);
                        v[vl - 2] = 0;
                }
                if ((r = env_set(env, p)) < 0)
                        break;
        }
        free(line);
        fclose(f);
        return r;
}

char **svc_build_env(const struct svc *s, int *ret_err) {
        const struct svc_config *c = s->cfg;
        char **env = NULL;
        char buf[4096];
        *ret_err = 0;
        strv_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (c->user) {
                snprintf(buf, sizeof(buf), "USER=%s", c->user);
                strv_push(&env, buf);
                snprintf(buf, sizeof(buf), "LOGNAME=%s", c->user);
                strv_push(&env, buf);
                if (c->home) {
                        snprintf(buf, sizeof(buf), "HOME=%s", c->home);
                        strv_push(&env, buf);
                }
        }
        snprintf(buf, sizeof(buf), "SVD_SERVICE=%s", c->name);
        strv_push(&env, buf);
        /* where the service files are: shipped jobs find their scripts
         * (services/scripts/) from a checkout and after install alike */
        snprintf(buf, sizeof(buf), "SVD_SERVICES_DIR=%s", s->m->cfg->services_dir);
        strv_push(&env, buf);
        /* the selected profiles, space separated ("" = no selection, all
         * services run): a service may size itself for the stack around it */
        size_t off = (size_t)snprintf(buf, sizeof(buf), "SVD_PROFILES=");
        for (char **p = s->m->cfg->selected_profiles; p && *p && off < sizeof(buf) - 1; p++)
                off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", p == s->m->cfg->selected_profiles ? "" : " ",
                                        *p);
        strv_push(&env, buf);
        if (c->type == SVC_NOTIFY && notify_socket_path(s->m->notify)) {
                snprintf(buf, sizeof(buf), "NOTIFY_SOCKET=%s", notify_socket_path(s->m->notify));
                strv_push(&env, buf);
                if (c->watchdog) {
                        snprintf(buf, sizeof(buf), "WATCHDOG_USEC=%llu", (unsigned long long)c->watchdog);
                        strv_push(&env, buf);
                        /* the child writes its pid over the zeros (spawn.h) */
                        strv_push(&env, "WATCHDOG_PID=00000000000000000000");
                }
        }
        for (char **e = c->environment; e && *e; e++)
                env_set(&env, *e);
        if (c->env_file) {
                int r = env_file_read(c->env_file, &env);
                if (r < 0) {
                        *ret_err = r;
                        strv_free(env);
                        return NULL;
                }
        }
        int sr = secrets_env_expand(s, &env);
        if (sr < 0) {
                *ret_err = sr;
                secrets_env_freep(&env);
                return NULL;
        }
        return env;
}

const char *svc_env_get(char **env, const char *key) {
        size_t kl = strlen(key);
        for (char **e = env; e && *e; e++)
                if (strncmp(*e, key, kl) == 0 && (*e)[kl] == '=')
                        return *e + kl + 1;
        return NULL;
}
