/* secrets: store lifecycle, generation on first need, JWT minting, weak-value
 * checks and delivery (see secrets.h). Values are read from the table (stored
 * kinds: generated and JWTs), from the operator's file (from_file, read at each
 * use) or from the config (value). Credential files are written by the parent
 * before the spawn (the vfork child must not allocate); as root they go to a
 * RAM file system on <run_dir>/credentials, read-only for services, so
 * plaintext never reaches a persistent disk or swap (secrets_credfs.c;
 * delivery lives in secrets_deliver.c, changes and their on_rotate jobs in
 * secrets_rotate.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "dl_sodium.h"

#include "log.h"
#include "sched.h"
#include "secrets.h"
#include "safedir.h"
#include "secrets_store.h"
#include "secrets_int.h"
#include "svd.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif



static const char *const status_names[] = { "none", "ok", "locked", "broken" };

const char *secrets_status_name(enum secrets_status s)
{
        return (unsigned)s < ELEMENTSOF(status_names) ? status_names[s] : "invalid";
}

enum secrets_status secrets_status(const struct svd *m)
{
        return m->secrets ? m->secrets->status : SECRETS_NONE;
}

const char *secrets_error(const struct svd *m)
{
        return m->secrets ? m->secrets->error : "";
}

const struct secret_config *secrets_def_of(const struct svd *m, const char *name, size_t *ret_index)
{
        for (size_t i = 0; i < m->cfg->n_secrets; i++)
                if (strcmp(m->cfg->secrets[i].name, name) == 0) {
                        if (ret_index)
                                *ret_index = i;
                        return &m->cfg->secrets[i];
                }
        return NULL;
}

/* A copy of the current value of definition d. -ENOENT: not generated yet. */
int secrets_value_of(struct secrets *x, const struct secret_config *d, struct secrets_buf *ret, char *why,
                    size_t wl)
{
        struct secrets_entry *e;
        unsigned char *buf = NULL;
        size_t len;
        int r;

        switch (d->kind) {
        case SECRET_VALUE:
                return secrets_buf_dup(ret, d->value, strlen(d->value));
        case SECRET_FROM_FILE:
                if ((r = secrets_from_file_read(d->path, &buf, &len)) < 0) {
                        snprintf(why, wl, "secret %s: from_file %s: %s", d->name, d->path,
                                 r == -EINVAL || r == -EBADFD ? "not a regular file" : safedir_strerror(r));
                        return r;
                }
                /* one trailing newline (LF or CR LF) is the editor's, not
                 * the secret's; a CR alone may be a binary key's last byte */
                if (len && buf[len - 1] == '\n') {
                        len--;
                        if (len && buf[len - 1] == '\r')
                                len--;
                }
                r = secrets_buf_dup(ret, buf, len);
                sodium_memzero(buf, len);
                free(buf);
                return r;
        default:
                if (!(e = secrets_table_find(&x->t, d->name))) {
                        struct secrets_buf key = { 0 };
                        char w[256] = "";

                        /* a JWT is not minted while its signing secret has
                         * no value (a from_file not there yet): say why */
                        if (d->kind == SECRET_JWT && d->jwt_index != SIZE_MAX &&
                            (r = secrets_value_of(x, &x->m->cfg->secrets[d->jwt_index], &key, w,
                                                  sizeof w)) < 0) {
                                snprintf(why, wl, "secret %s: cannot be minted (%s)", d->name,
                                         *w ? w : strerror(-r));
                                return -ENOENT;
                        }
                        secrets_buf_free(&key);
                        snprintf(why, wl, "secret %s: not generated", d->name);
                        return -ENOENT;
                }
                return secrets_buf_dup(ret, e->value.p, e->value.len);
        }
}

/* The file is in place but its directory entry may not be on disk yet: the
 * write stands (the file already holds it, and so will the next svd), only
 * the durability across a power cut is in doubt. */
static void warn_unsynced(const char *path, int err)
{
        const char *slash = strrchr(path, '/');
        int dl = slash ? (int)(slash - path) : 1;

        log_warn("secrets: %s written, but its directory %.*s could not be synced: %s", path, dl,
                 slash ? (dl ? path : "/") : ".", strerror(err));
}

int secrets_write_store(struct secrets *x, char *why, size_t wl)
{
        _cleanup_(freep) unsigned char *blob = NULL;
        struct secrets_pending p;
        bool pending = secrets_rotation_view(x, &p);
        size_t len;
        int r;

        x->t.mode = x->m->cfg->secrets_passphrase ? 1 : 0;
        if (x->key_unsaved) {
                if ((r = secrets_file_write_atomic(x->key_path, x->key.p, x->key.len, 0400)) < 0) {
                        snprintf(why, wl, "secrets key %s: cannot write: %s", x->key_path, strerror(-r));
                        return r;
                }
                if (r > 0)
                        warn_unsynced(x->key_path, r);
                x->key_unsaved = false;
        }
        if ((r = secrets_store_seal(&x->t, pending ? &p : NULL, x->key.p, &blob, &len)) < 0 ||
            (r = secrets_file_write_atomic(x->store_path, blob, len, 0600)) < 0) {
                snprintf(why, wl, "secrets store %s: cannot write: %s", x->store_path, strerror(-r));
                return r;
        }
        if (r > 0)
                warn_unsynced(x->store_path, r);
        x->have_store = true;
        x->disk_pending = pending;
        x->dirty = false;
        for (size_t i = 0; i < x->t.n; i++)
                x->t.v[i].unsaved = false;
        /* the waiting services are woken outside this call (svc_dispatch may be in it) */
        if (x->save_failing) {
                ev_timer_stop(x->m->loop, &x->save_timer);
                ev_timer_set(&x->save_timer, 0., 0.);
                ev_timer_start(x->m->loop, &x->save_timer);
        }
        return 0;
}

int secrets_put_unsaved(struct secrets *x, const char *name, uint64_t created, struct secrets_buf *v)
{
        int r = secrets_table_put(&x->t, name, created, v);

        if (r >= 0) {
                secrets_table_find(&x->t, name)->unsaved = true;
                x->dirty = true;
        }
        return r;
}

bool secrets_def_unsaved(struct secrets *x, const struct secret_config *d)
{
        struct secrets_entry *e;

        if (d->kind == SECRET_JWT) /* minted again from its signing secret if lost */
                d = d->jwt_index == SIZE_MAX ? NULL : &x->m->cfg->secrets[d->jwt_index];
        if (!d || !secrets_stored_kind(d->kind) || !(e = secrets_table_find(&x->t, d->name)))
                return false;
        return e->unsaved;
}

void secrets_warn_unlocked(void)
{
        int e = secrets_gen_lock_failure();
        struct rlimit rl;
        char lim[32] = "unknown";

        if (!e)
                return;
        if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
                if (rl.rlim_cur == RLIM_INFINITY)
                        snprintf(lim, sizeof lim, "unlimited");
                else
                        snprintf(lim, sizeof lim, "%llu bytes", (unsigned long long)rl.rlim_cur);
        }
        log_warn("secrets: secret memory can no longer be locked (mlock: %s): RLIMIT_MEMLOCK (%s) is used up, "
                 "so values may be written to swap from now on; raise svd's memlock limit (ulimit -l) or give "
                 "it CAP_IPC_LOCK",
                 strerror(e), lim);
}

#define SAVE_RETRY 5. /* seconds */

void secrets_save_later(struct secrets *x)
{
        x->save_failing = true;
        if (!ev_is_active(&x->save_timer)) {
                ev_timer_set(&x->save_timer, SAVE_RETRY, SAVE_RETRY);
                ev_timer_start(x->m->loop, &x->save_timer);
        }
}

static void save_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        struct secrets *x = m->secrets;
        char why[300] = "";

        (void)revents;
        if (x->dirty && secrets_write_store(x, why, sizeof why) < 0)
                return; /* again at the next period (the failure was logged where it began) */
        ev_timer_stop(loop, w);
        x->save_failing = false;
        log_info("secrets: store %s written", x->store_path);
        /* the services that waited for a value the store did not hold */
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];

                if (s->state == ST_WAITING && s->cfg->n_secrets && sched_deps_met(m, s))
                        svc_dispatch(s, SE_DEPS_MET, 0);
        }
        sched_run(m);
}

int secrets_mint(struct secrets *x, const struct secret_config *d, uint64_t now, char *why, size_t wl)
{
        const struct secret_config *sd = &x->m->cfg->secrets[d->jwt_index];
        struct secrets_buf key = { 0 }, tok = { 0 };
        int r;

        if ((r = secrets_value_of(x, sd, &key, why, wl)) < 0)
                return r;
        r = secrets_jwt_mint(d->jwt_claims, now, d->expires_in / USEC_PER_SEC, key.p, key.len, &tok);
        secrets_buf_free(&key);
        if (r < 0) {
                snprintf(why, wl, "secret %s: cannot mint the JWT: %s", d->name, strerror(-r));
                return r;
        }
        return secrets_put_unsaved(x, d->name, now, &tok);
}

/* Whether a stored JWT is still signed with its signing secret's current
 * value (an operator's file may have changed, or the secret was set) and
 * has more than a tenth of its lifetime left (else it is minted again at
 * its next use; consumers already running keep theirs). */
static bool jwt_current(struct secrets *x, const struct secret_config *d)
{
        struct secrets_entry *e = secrets_table_find(&x->t, d->name);
        struct secrets_buf key = { 0 };
        uint64_t life = d->expires_in / USEC_PER_SEC;
        char why[256];
        bool ok;

        if (life && now_real() / USEC_PER_SEC >= e->created + life - life / 10)
                return false;
        if (d->jwt_index == SIZE_MAX ||
            secrets_value_of(x, &x->m->cfg->secrets[d->jwt_index], &key, why, sizeof why) < 0)
                return true; /* nothing to re-mint with */
        ok = secrets_jwt_verify(e->value.p, e->value.len, key.p, key.len) == 0;
        secrets_buf_free(&key);
        return ok;
}

/* Generates every stored secret that is missing (first need), then writes. */
int secrets_fill_missing(struct secrets *x, char *why, size_t wl)
{
        const struct svd_config *c = x->m->cfg;
        uint64_t now = now_real() / USEC_PER_SEC;
        size_t added = 0;
        int r;

        for (int pass = 0; pass < 2; pass++) /* plain values first: JWTs are signed with them */
                for (size_t i = 0; i < c->n_secrets; i++) {
                        const struct secret_config *d = &c->secrets[i];
                        struct secrets_buf v = { 0 };

                        if (!secrets_stored_kind(d->kind) || (d->kind == SECRET_JWT) != (pass == 1))
                                continue;
                        if (secrets_table_find(&x->t, d->name) &&
                            (d->kind != SECRET_JWT || jwt_current(x, d)))
                                continue;
                        if (d->kind == SECRET_JWT) {
                                if (d->jwt_index == SIZE_MAX)
                                        continue;
                                if ((r = secrets_mint(x, d, now, why, wl)) == -ENOENT ||
                                    (r < 0 && c->secrets[d->jwt_index].kind == SECRET_FROM_FILE))
                                        continue; /* its signing file is not there yet */
                        } else if ((r = secrets_gen_value(d, &v)) >= 0)
                                r = secrets_put_unsaved(x, d->name, now, &v);
                        secrets_buf_free(&v);
                        if (r < 0) {
                                if (!*why)
                                        snprintf(why, wl, "secret %s: %s", d->name, strerror(-r));
                                return r;
                        }
                        log_info("secrets: %s %s (%s)", d->kind == SECRET_JWT ? "minted" : "generated",
                                 d->name, secret_kind_name(d->kind));
                        added++;
                }
        secrets_warn_unlocked();
        /* (also a table that an earlier write failed to store: a value is
         * handed out only once the store holds it) */
        if (!x->dirty)
                return 0;
        if ((r = secrets_write_store(x, why, wl)) < 0)
                secrets_save_later(x);
        return r;
}

static void set_broken(struct secrets *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_broken(struct secrets *x, const char *fmt, ...)
{
        va_list ap;

        x->status = SECRETS_BROKEN;
        va_start(ap, fmt);
        vsnprintf(x->error, sizeof x->error, fmt, ap);
        va_end(ap);
        log_err("secrets: %s; services that use secrets will fail, the store is left untouched", x->error);
}

/* Opens the store with key (a passphrase's): the salt stays the store's
 * (or, without a store yet, becomes salt). Takes *key on success. */
static int open_with(struct secrets *x, struct secrets_buf *key, const unsigned char *salt,
                     const unsigned char *blob, size_t len)
{
        unsigned char keep[SECRETS_SALT_BYTES];
        struct secrets_pending p = { 0 };
        int r;

        if (!x->have_store) {
                if (salt != x->t.salt)
                        memcpy(x->t.salt, salt, sizeof keep);
        } else {
                memcpy(keep, x->t.salt, sizeof keep);
                r = secrets_store_open(blob, len, key->p, &x->t, &p);
                memcpy(x->t.salt, keep, sizeof keep);
                if (r < 0)
                        return r;
        }
        secrets_buf_free(&x->key);
        x->key = *key;
        *key = (struct secrets_buf){ 0 };
        x->status = SECRETS_OK;
        secrets_rotation_recover(x, &p);
        return 0;
}

static int init_store(struct svd *m, struct secrets_buf *hkey, const struct secrets_table *ht);

/* What is wrong with a store secrets_store_open refused (but a wrong key). */
static const char *open_error(int r)
{
        return r == -EBADMSG  ? "not a secrets store (bad header)"
               : r == -EPROTO ? "corrupted records"
                              : strerror(-r);
}

int secrets_init(struct svd *m)
{
        struct secrets_buf hkey = { 0 };
        struct secrets_table ht = { 0 }; /* (its salt and KDF parameters only) */
        int r;

        /* read (and closed) whether or not this configuration still wants it */
        r = secrets_handoff_take(m, &hkey, &ht);
        if (r < 0 && r != -ENOENT)
                log_warn("secrets: the key handed over by daemon-reexec is unusable: %s", strerror(-r));
        r = init_store(m, hkey.p ? &hkey : NULL, &ht);
        secrets_buf_free(&hkey);
        return r;
}

static int init_store(struct svd *m, struct secrets_buf *hkey, const struct secrets_table *ht)
{
        const struct svd_config *c = m->cfg;
        _cleanup_(freep) unsigned char *blob = NULL;
        struct secrets_pending pending = { 0 };
        struct secrets *x;
        char why[300] = "";
        size_t len = 0;
        int r;

        if (!c->n_secrets) {
                /* none configured: a writable bind an earlier svd, killed
                 * while writing credential files, left beside them is
                 * still a writable view of those files (best effort: no
                 * memory for the path, no sweep) */
                _cleanup_(freep) char *root = path_join(c->run_dir, "credentials");

                if (root)
                        secrets_credfs_sweep(root);
                return 0;
        }
        /* A core dump of svd would hold the key and the values: as root, svd
         * makes itself not dumpable (no core, whatever core_pattern and
         * suid_dumpable say; only CAP_SYS_PTRACE may trace it). Not as
         * another user: that user could no longer trace or inspect svd
         * (LeakSanitizer, a debugger, /proc/PID/mem); ulimit -c 0 there.
         * An exec resets it, so daemon-reexec and the services are
         * unaffected; a new instance sets it again here. */
        if (geteuid() == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                log_warn("secrets: cannot disable svd's core dumps (prctl PR_SET_DUMPABLE): %s", strerror(errno));
        if (!(x = calloc(1, sizeof *x)))
                return -ENOMEM;
        m->secrets = x;
        x->handoff_fd = -1;
        x->cred.fd = -1;
        /* held while the store is open (its values live in sodium_malloc memory) */
        if ((r = dynlib_acquire(&dl_sodium, why, sizeof why)) < 0) {
                log_err("secrets: %s", why);
                return r;
        }
        x->holds_sodium = true;
        x->m = m;
        secrets_rotate_init(x);
        ev_timer_init(&x->save_timer, save_cb, 0., 0.);
        x->save_timer.data = m;
        if (!(x->restart_set = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(*x->restart_set))))
                return -ENOMEM;
        x->store_path = path_join(c->state_dir, "secrets");
        x->key_path = path_join(c->state_dir, "secrets.key");
        x->cred_root = path_join(c->run_dir, "credentials");
        if (!x->store_path || !x->key_path || !x->cred_root)
                return -ENOMEM;
        secrets_credfs_sweep(x->cred_root);
        /* running services' credential files from the instance this one
         * replaces stay where they are (and are cleaned up at our stop,
         * a broken store's too: opened before the store is read) */
        if (m->restore && (r = secrets_cred_root_ready(x)) < 0)
                log_warn("secrets: %s: %s", x->cred_root, strerror(-r));
        if (secrets_gen_init() < 0) {
                set_broken(x, "libsodium failed to initialize");
                return 0;
        }
        r = secrets_file_read(x->store_path, &blob, &len);
        if (r < 0 && r != -ENOENT) {
                set_broken(x, "cannot read the store %s: %s", x->store_path,
                           r == -EINVAL ? "not a regular file" : strerror(-r));
                return 0;
        }
        if (r >= 0) {
                uint8_t mode;

                if (secrets_store_peek(blob, len, &x->t) < 0) {
                        set_broken(x, "%s: %s", x->store_path, "not a secrets store (bad header)");
                        return 0;
                }
                mode = x->t.mode;
                if (mode != (c->secrets_passphrase ? 1 : 0)) {
                        set_broken(x, "%s: %s", x->store_path,
                                   mode ? "encrypted with a passphrase but secrets_key is host"
                                        : "encrypted with the host key but secrets_key is passphrase");
                        return 0;
                }
                x->have_store = true;
        }
        if (c->secrets_passphrase) {
                /* a daemon-reexec: the key the previous instance was unlocked with
                 * (before the store's first write: derived with the parameters
                 * it hands over, whatever secrets_kdf says now) */
                if (!x->have_store && hkey) {
                        x->t.kdf_ops = ht->kdf_ops;
                        x->t.kdf_mem_kib = ht->kdf_mem_kib;
                } else if (!x->have_store)
                        secrets_kdf_of_config(c, &x->t.kdf_ops, &x->t.kdf_mem_kib);
                if (hkey && (r = open_with(x, hkey, ht->salt, blob, len)) == 0) {
                        log_info("secrets: unlocked with the key handed over by daemon-reexec");
                        secrets_kdf_check_handoff(m);
                        if (secrets_fill_missing(x, why, sizeof why) < 0)
                                log_err("secrets: %s", why);
                        return 0;
                }
                if (hkey)
                        log_warn("secrets: the key handed over by daemon-reexec does not open %s",
                                 x->store_path);
                x->status = SECRETS_LOCKED;
                log_warn("secrets: locked; services that use secrets wait for 'svctl unlock'");
                return 0;
        }
        /* Host key: a store without its key is never replaced by a new pair.
         * A new key is written with the store's first write (and retried
         * with it: a full disk at the first boot is no reason to give up). */
        r = secrets_key_load(x->key_path, false, &x->key);
        if (r == -ENOENT && !x->have_store && (r = secrets_buf_alloc(&x->key, SECRETS_KEY_BYTES)) >= 0) {
                randombytes_buf(x->key.p, SECRETS_KEY_BYTES);
                x->key_unsaved = x->dirty = true;
        }
        if (r == -ENOENT) {
                set_broken(x, "the store %s exists but its key %s is missing", x->store_path, x->key_path);
                return 0;
        }
        if (r < 0) {
                set_broken(x, "key %s: %s", x->key_path,
                           r == -EBADMSG ? "not a 32-byte key"
                           : r == -EPERM ? "owned by another user or readable by group or others"
                                         : strerror(-r));
                return 0;
        }
        if (x->have_store && (r = secrets_store_open(blob, len, x->key.p, &x->t, &pending)) < 0) {
                set_broken(x, "%s: %s", x->store_path,
                           r == -EKEYREJECTED ? "cannot decrypt (wrong key, or the file was modified)"
                                              : open_error(r));
                return 0;
        }
        x->status = SECRETS_OK;
        secrets_rotation_recover(x, &pending);
        secrets_warn_unlocked(); /* (the values the store held) */
        if (secrets_fill_missing(x, why, sizeof why) < 0)
                log_err("secrets: %s", why); /* retried at each consumer's spawn */
        log_info("secrets: store %s open, %zu values", x->store_path, x->t.n);
        return 0;
}

/* Credential files only: no recursion below one level. Through the
 * writable mount's descriptor (services see a read-only one). */
void secrets_cred_remove(struct secrets *x, const char *name)
{
        int fd;
        DIR *d;
        struct dirent *de;

        if (!x->cred_ready || x->cred.fd < 0)
                return;
        fd = openat(x->cred.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return;
        (void)fchmod(fd, 0700);
        if (!(d = fdopendir(fd))) {
                close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        (void)unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        (void)unlinkat(x->cred.fd, name, AT_REMOVEDIR);
}

void secrets_done(struct svd *m)
{
        struct secrets *x = m->secrets;

        if (!x) {
                /* none configured: what the instance this one replaced
                 * (daemon-reexec) mounted for its secrets is still there */
                _cleanup_(freep) char *root = m->cfg ? path_join(m->cfg->run_dir, "credentials") : NULL;

                if (root)
                        secrets_credfs_drop_left(root);
                return;
        }
        secrets_unlock_cancel(m); /* (a derivation under way is waited for) */
        secrets_rotate_done(m, x);
        if (m->loop)
                ev_timer_stop(m->loop, &x->save_timer);
        for (size_t i = 0; m->loop && m->svcs && i < m->n_svcs; i++)
                if (m->svcs[i])
                        ev_timer_stop(m->loop, &m->svcs[i]->cred_timer); /* (secrets_credwait.c) */
        secrets_handoff_close(m);
        free(x->restart_set);
        for (size_t i = 0; i < m->n_svcs; i++)
                secrets_cred_remove(x, m->cfg->svcs[i].name);
        if (x->cred_ready) {
                secrets_credfs_close(x->cred_root, &x->cred);
                (void)rmdir(x->cred_root);
        } else if (x->cred_root)
                secrets_credfs_drop_left(x->cred_root); /* never opened: one left before */
        secrets_table_clear(&x->t);
        secrets_buf_free(&x->key);
        if (x->holds_sodium)
                dynlib_release(&dl_sodium);
        free(x->store_path);
        free(x->key_path);
        free(x->cred_root);
        free(x);
        m->secrets = NULL;
}

void secrets_reindex(struct svd *m, const struct svd_config *old, unsigned char *set)
{
        struct secrets *x = m->secrets;
        struct svc *any = NULL;
        unsigned char *n = set;

        if (!x) {
                free(set);
                return;
        }
        /* No rotation is under way (reload_apply refuses then), but the
         * consumers of a changed secret may be on their way down for their
         * restart (or went down while the reload ran): they are started
         * again as planned, under their new index. One the reload removed
         * is gone; one it changed and started again is up already. */
        for (size_t i = 0; x->restart_set && i < old->n_svcs; i++) {
                struct svc *s = x->restart_set[i] ? svd_find(m, old->svcs[i].name) : NULL;

                if (s) {
                        n[s->index] = x->restart_set[i];
                        any = s;
                }
        }
        free(x->restart_set);
        x->restart_set = n;
        if (any) /* all of them may be down already */
                secrets_svc_state(any);
}

bool secrets_locked(const struct svc *s)
{
        return s->m->secrets && s->m->secrets->status == SECRETS_LOCKED && s->cfg->n_secrets;
}

uint64_t secrets_created(const struct svd *m, const char *name)
{
        struct secrets_entry *e;

        if (!m->secrets || !(e = secrets_table_find(&m->secrets->t, name)))
                return 0;
        return e->created;
}

int secrets_usable(struct secrets *x, char *why, size_t wl)
{
        if (!x)
                return errf(why, wl, "no secrets are defined");
        if (x->status == SECRETS_LOCKED) {
                snprintf(why, wl, "secrets are locked (svctl unlock)");
                return -EAGAIN;
        }
        if (x->status != SECRETS_OK) {
                snprintf(why, wl, "secrets store: %s", x->error);
                return -EIO;
        }
        return 0;
}

int secrets_get(struct svd *m, const char *name, struct secrets_buf *ret, char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        const struct secret_config *d;
        int r;

        if ((r = secrets_usable(x, why, wl)) < 0)
                return r;
        if (!(d = secrets_def_of(m, name, NULL))) {
                snprintf(why, wl, "unknown secret '%s'", name);
                return -ENOENT;
        }
        /* a value the store does not hold yet is not shown: a restart of
         * svd would replace it */
        if ((r = secrets_fill_missing(x, why, wl)) < 0 && secrets_def_unsaved(x, d))
                return r;
        *why = 0;
        return secrets_value_of(x, d, ret, why, wl);
}

/* The levels of secrets_kdf (libsodium's argon2id presets). */
void secrets_kdf_of_config(const struct svd_config *c, uint32_t *ops, uint32_t *mem_kib)
{
        static const struct {
                uint32_t ops, mem;
        } lv[] = {
                { crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024 },
                { crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE / 1024 },
                { crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE / 1024 },
        };
        size_t i = c->secrets_kdf >= 0 && (size_t)c->secrets_kdf < ELEMENTSOF(lv) ? (size_t)c->secrets_kdf : 0;

        *ops = lv[i].ops;
        *mem_kib = lv[i].mem;
}

int secrets_unlock_prepare(struct secrets *x, size_t len, unsigned char **ret_blob, size_t *ret_len, char *why,
                           size_t wl)
{
        struct svd *m = x ? x->m : NULL;
        int r;

        if (!x || !m->cfg->secrets_passphrase)
                return errf(why, wl, "secrets_key is not passphrase: nothing to unlock");
        /* (unlocked, the store may be re-encrypted meanwhile: x->unlock too) */
        if (x->status != SECRETS_LOCKED)
                return errf(why, wl, "secrets are %s", secrets_status_name(x->status));
        if (x->unlock)
                return errf(why, wl, "an unlock is under way (deriving the key)");
        if (len < 8)
                return errf(why, wl, "the passphrase must have at least 8 characters");
        *ret_blob = NULL;
        *ret_len = 0;
        if (!x->have_store) {
                /* a new store: its salt, and the KDF parameters of secrets_kdf */
                randombytes_buf(x->t.salt, sizeof x->t.salt);
                secrets_kdf_of_config(m->cfg, &x->t.kdf_ops, &x->t.kdf_mem_kib);
        } else if ((r = secrets_file_read(x->store_path, ret_blob, ret_len)) < 0) {
                snprintf(why, wl, "cannot read the store %s: %s", x->store_path,
                         r == -EINVAL ? "not a regular file" : strerror(-r));
                return r;
        }
        return 0;
}

int secrets_unlock_finish(struct svd *m, struct secrets_buf *key, const unsigned char *blob, size_t blen,
                          char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        int r;

        if ((r = open_with(x, key, x->t.salt, blob, blen)) < 0) {
                secrets_buf_free(key);
                if (r == -EKEYREJECTED)
                        snprintf(why, wl, "wrong passphrase (or the store was modified)");
                else
                        snprintf(why, wl, "%s: %s", x->store_path, open_error(r));
                return r;
        }
        log_info("secrets: unlocked");
        secrets_warn_unlocked();
        if (secrets_fill_missing(x, why, wl) < 0)
                log_err("secrets: %s", why);
        *why = 0;
        secrets_rotation_stop_stale(m); /* (the services were restored before any unlock) */
        /* the services that waited for the secrets can start now */
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];

                if (s->state == ST_WAITING && s->cfg->n_secrets && sched_deps_met(m, s))
                        svc_dispatch(s, SE_DEPS_MET, 0);
        }
        sched_run(m);
        return 0;
}
