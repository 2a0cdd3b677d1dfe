/* secrets_deliver: how a service gets its secrets, both ways written by the
 * parent before the spawn (the vfork child must not allocate): credential
 * files under <run_dir>/credentials/<service> (a noswap RAM file system as
 * root, read-only for services, written through svd's own writable mount:
 * secrets_credfs.c; 0400, owned by the service user;
 * CREDENTIALS_DIRECTORY) with the weak-value checks, and ${secret:NAME} in
 * environment values. Every buffer that held a value is wiped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dl_sodium.h"
#include "log.h"
#include "sched.h"
#include "secrets.h"
#include "secrets_store.h"
#include "secrets_int.h"
#include "svd.h"

/* <run_dir>/credentials (secrets_credfs.c), once. */
int secrets_cred_root_ready(struct secrets *x)
{
        int r;

        if (x->cred_ready)
                return 0;
        if ((r = secrets_credfs_open(x->cred_root, &x->cred)) < 0)
                return r;
        x->cred_ready = true;
        return 0;
}

static int write_cred(int dfd, const char *name, const struct secrets_buf *v, uid_t uid, gid_t gid)
{
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
        size_t off = 0;
        int r = 0;

        if (fd < 0)
                return -errno;
        while (off < v->len) {
                ssize_t n = write(fd, v->p + off, v->len - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                off += (size_t)n;
        }
        if (r == 0 && geteuid() == 0 && fchown(fd, uid, gid) < 0)
                r = -errno;
        close(fd);
        return r;
}

/* Checks one used secret (and the signing secret behind a JWT). */
static int check_weak(struct secrets *x, const struct secret_config *d, const struct secrets_buf *v,
                      bool signing, char *why, size_t wl)
{
        const char *weak;

        if (d->allow_weak || !(weak = secrets_weak_reason(v->p, v->len, signing)))
                return 0;
        snprintf(why, wl, "secret %s %s; set allow_weak: true to accept it", d->name, weak);
        return -EPERM;
}

bool secrets_env_uses(const struct svc_config *c, const char *name)
{
        size_t nl = strlen(name);

        for (char **e = c->environment; e && *e; e++)
                for (const char *p = *e; (p = strstr(p, "${secret:")); p += 9)
                        if (strncmp(p + 9, name, nl) == 0 && p[9 + nl] == '}')
                                return true;
        return false;
}

/* A value with a NUL byte goes to a credential file whole; an environment
 * variable would end at the NUL, so it never gets one. */
static int check_env_nul(const struct svc_config *c, const struct secret_config *d,
                         const struct secrets_buf *v, char *why, size_t wl)
{
        if (!memchr(v->p, 0, v->len) || !secrets_env_uses(c, d->name))
                return 0;
        snprintf(why, wl,
                 "secret %s holds a NUL byte, which an environment variable cannot carry (use its "
                 "credential file)",
                 d->name);
        return -EINVAL;
}

/* After a failed secrets_fill_missing (why says why): -EAGAIN if c uses a
 * value the store does not hold yet (why names it), else 0. */
static int unsaved_use(struct secrets *x, const struct svc_config *c, char *why, size_t wl)
{
        for (size_t i = 0; i < c->n_secrets; i++) {
                const struct secret_config *d = &x->m->cfg->secrets[c->secrets[i].index];
                char w[SVC_REASON_MAX];

                if (!secrets_def_unsaved(x, d))
                        continue;
                snprintf(w, sizeof w, "%s", why);
                snprintf(why, wl, "secret %s is not in the store yet (%s)", d->name, w);
                return -EAGAIN;
        }
        return 0;
}

bool secrets_store_wait(struct svc *s, char *why, size_t wl)
{
        struct secrets *x = s->m->secrets;
        char w[SVC_REASON_MAX] = "";

        if (!x || x->status != SECRETS_OK || !s->cfg->n_secrets || secrets_fill_missing(x, w, sizeof w) >= 0)
                return false;
        return unsaved_use(x, s->cfg, w, sizeof w) < 0 && snprintf(why, wl, "%s", w) >= 0;
}

/* secrets_svc_prepare; *ret_io: the failure is one of writing the files
 * (no space, an I/O error, permissions), which may pass. */
int secrets_svc_write(struct svc *s, char *why, size_t wl, bool *ret_io)
{
        const struct svc_config *c = s->cfg;
        struct secrets *x = s->m->secrets;
        _cleanup_(freep) char *dir = NULL;
        _cleanup_(closep) int dfd = -1;
        uid_t uid = c->has_uid ? c->uid : geteuid();
        gid_t gid = c->has_gid ? c->gid : getegid();
        int r;

        *why = 0;
        if (!c->n_secrets)
                return 0;
        if (!x || x->status == SECRETS_LOCKED) {
                snprintf(why, wl, "secrets locked");
                return -EAGAIN;
        }
        if (x->status != SECRETS_OK) {
                snprintf(why, wl, "secrets store: %s", x->error);
                return -EKEYREJECTED;
        }
        if ((r = secrets_fill_missing(x, why, wl)) < 0 && (r = unsaved_use(x, c, why, wl)) < 0)
                return r;
        *why = 0;
        if ((r = secrets_cred_root_ready(x)) < 0) {
                snprintf(why, wl, "credentials: %s: %s", x->cred_root, strerror(-r));
                *ret_io = true;
                return r;
        }
        if (!(dir = path_join(x->cred_root, c->name)))
                return -ENOMEM;
        secrets_cred_remove(x, c->name);
        if (mkdirat(x->cred.fd, c->name, 0700) < 0 ||
            (dfd = openat(x->cred.fd, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
                r = -errno;
                snprintf(why, wl, "credentials: %s: %s", dir, strerror(-r));
                *ret_io = true;
                secrets_cred_remove(x, c->name);
                return r;
        }
        for (size_t i = 0; i < c->n_secrets; i++) {
                const struct secret_config *d = &s->m->cfg->secrets[c->secrets[i].index];
                struct secrets_buf v = { 0 };

                if ((r = secrets_value_for(x, s->index, d, &v, why, wl)) < 0)
                        goto fail;
                r = check_weak(x, d, &v, false, why, wl);
                if (r >= 0)
                        r = check_env_nul(c, d, &v, why, wl);
                if (r >= 0 && d->kind == SECRET_JWT) {
                        const struct secret_config *sd = &s->m->cfg->secrets[d->jwt_index];
                        struct secrets_buf sv = { 0 };

                        if ((r = secrets_value_for(x, s->index, sd, &sv, why, wl)) >= 0)
                                r = check_weak(x, sd, &sv, true, why, wl);
                        secrets_buf_free(&sv);
                }
                /* a secret used to sign JWTs must be long enough even where it is used directly */
                for (size_t j = 0; r >= 0 && j < s->m->cfg->n_secrets; j++)
                        if (s->m->cfg->secrets[j].kind == SECRET_JWT &&
                            s->m->cfg->secrets[j].jwt_index == c->secrets[i].index) {
                                r = check_weak(x, d, &v, true, why, wl);
                                break;
                        }
                if (r >= 0 && (r = write_cred(dfd, d->name, &v, uid, gid)) < 0) {
                        snprintf(why, wl, "credentials: %s/%s: %s", dir, d->name, strerror(-r));
                        *ret_io = true;
                }
                secrets_buf_free(&v);
                if (r < 0)
                        goto fail;
        }
        secrets_warn_unlocked(); /* (the copies written to the files) */
        if ((geteuid() == 0 && fchown(dfd, uid, gid) < 0) || fchmod(dfd, 0500) < 0) {
                r = -errno;
                snprintf(why, wl, "credentials: %s: %s", dir, strerror(-r));
                *ret_io = true;
                goto fail;
        }
        return 0;
fail:
        secrets_cred_remove(x, c->name);
        return r;
}

int secrets_svc_prepare(struct svc *s, char *why, size_t wl)
{
        bool io = false;

        return secrets_svc_write(s, why, wl, &io);
}

void secrets_env_wipe(char **env)
{
        /* not sodium_memzero: every spawn comes here, and libsodium is loaded
         * only while something needs it (explicit_bzero is not optimized out
         * either) */
        for (char **e = env; e && *e; e++)
                explicit_bzero(*e, strlen(*e));
}

/* Grows a buffer that may hold secret bytes: the old copy is wiped, not
 * left behind by realloc. */
static int grow(char **buf, size_t len, size_t *cap, size_t need)
{
        char *n;

        if (need <= *cap)
                return 0;
        if (!(n = malloc(need)))
                return -ENOMEM;
        memcpy(n, *buf, len + 1);
        sodium_memzero(*buf, len);
        free(*buf);
        *buf = n;
        *cap = need;
        return 0;
}

bool secrets_svc_declares(const struct svc_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_secrets; i++)
                if (strcmp(c->secrets[i].name, name) == 0)
                        return true;
        return false;
}

/* One value with every ${secret:NAME} replaced; NULL with *err (and why
 * set, but for no memory). */
static char *expand_one(const struct svc *s, const char *val, int *err, char *why, size_t wl)
{
        struct secrets *x = s->m->secrets;
        size_t cap = strlen(val) + 1, len = 0;
        char *out = malloc(cap);
        const char *p = val;

        while (out) {
                const char *ref = strstr(p, "${secret:"), *end;
                const struct secret_config *d;
                struct secrets_buf v = { 0 };
                size_t chunk = ref ? (size_t)(ref - p) : strlen(p);
                char name[80];

                if (len + chunk + 1 > cap && grow(&out, len, &cap, len + chunk + 1) < 0)
                        break;
                memcpy(out + len, p, chunk);
                len += chunk;
                out[len] = 0;
                if (!ref)
                        return out;
                end = strchr(ref + 9, '}');
                if (!end || (size_t)(end - ref - 9) >= sizeof name) {
                        snprintf(why, wl, "environment: expected ${secret:NAME}");
                        *err = -EINVAL;
                        break;
                }
                memcpy(name, ref + 9, (size_t)(end - ref - 9));
                name[end - ref - 9] = 0;
                if (!secrets_svc_declares(s->cfg, name)) {
                        /* e.g. from an env_file: only declared secrets are given out */
                        size_t lit = (size_t)(end + 1 - ref);
                        if (grow(&out, len, &cap, len + lit + strlen(end + 1) + 1) < 0)
                                break;
                        memcpy(out + len, ref, lit);
                        len += lit;
                        out[len] = 0;
                        p = end + 1;
                        continue;
                }
                if (!x || !(d = secrets_def_of(s->m, name, NULL))) {
                        snprintf(why, wl, "secret %s: not defined", name);
                        *err = -ENOKEY;
                        break;
                }
                /* svd's own state (locked: killed and taken over, before
                 * the unlock), not the service's: -EAGAIN says so */
                if (secrets_stored_kind(d->kind) && secrets_usable(x, why, wl) < 0) {
                        *err = -EAGAIN;
                        break;
                }
                if (secrets_value_for(x, s->index, d, &v, why, wl) < 0) {
                        *err = -ENOKEY;
                        break;
                }
                if (memchr(v.p, 0, v.len)) { /* from an env_file (environment: is checked before) */
                        snprintf(why, wl,
                                 "secret %s holds a NUL byte, which an environment variable cannot carry "
                                 "(use its credential file)",
                                 name);
                        secrets_buf_free(&v);
                        *err = -EINVAL;
                        break;
                }
                if (grow(&out, len, &cap, len + v.len + strlen(end + 1) + 1) < 0) {
                        secrets_buf_free(&v);
                        break;
                }
                memcpy(out + len, v.p, v.len);
                len += v.len;
                out[len] = 0;
                secrets_buf_free(&v);
                p = end + 1;
        }
        if (out) {
                sodium_memzero(out, len);
                free(out);
        }
        if (!*err)
                *err = -ENOMEM;
        return NULL;
}

int secrets_env_expand(const struct svc *s, char ***env, char *why, size_t wl)
{
        struct secrets *x = s->m->secrets;
        int err = 0;

        if (!s->cfg->n_secrets)
                return 0;
        for (char **e = *env; e && *e; e++) {
                char *n;

                if (!strstr(*e, "${secret:"))
                        continue;
                if (!(n = expand_one(s, *e, &err, why, wl)))
                        return err;
                free(*e);
                *e = n;
        }
        if (x && x->cred_root) {
                _cleanup_(freep) char *kv =
                        strdup_printf("CREDENTIALS_DIRECTORY=%s/%s", x->cred_root, s->cfg->name);

                if (!kv || strv_push(env, kv) < 0)
                        return -ENOMEM;
        }
        return 0;
}

void secrets_env_freep(char ***env)
{
        secrets_env_wipe(*env);
        strv_free(*env);
}
