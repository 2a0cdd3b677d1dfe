/* secrets: store lifecycle, generation on first need, JWT minting, weak-value
 * checks and delivery (see secrets.h). Values are read from the table (stored
 * kinds: generated and JWTs), from the operator's file (from_file, read at each
 * use) or from the config (value). Credential files are written by the parent
 * before the spawn (the vfork child must not allocate); as root they go to a
 * small tmpfs mounted on <run_dir>/credentials so plaintext never reaches a
 * persistent disk (delivery lives in secrets_deliver.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "dl_sodium.h"

#include "log.h"
#include "sched.h"
#include "secrets.h"
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

static bool stored_kind(enum secret_kind k)
{
        return k != SECRET_FROM_FILE && k != SECRET_VALUE;
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
                if ((r = secrets_file_read(d->path, &buf, &len)) < 0) {
                        snprintf(why, wl, "secret %s: from_file %s: %s", d->name, d->path, strerror(-r));
                        return r;
                }
                /* one trailing newline is the editor's, not the secret's */
                if (len && buf[len - 1] == '\n')
                        len--;
                if (len && buf[len - 1] == '\r')
                        len--;
                r = secrets_buf_dup(ret, buf, len);
                sodium_memzero(buf, len);
                free(buf);
                return r;
        default:
                if (!(e = secrets_table_find(&x->t, d->name))) {
                        snprintf(why, wl, "secret %s: not generated", d->name);
                        return -ENOENT;
                }
                return secrets_buf_dup(ret, e->value.p, e->value.len);
        }
}

static int write_store(struct secrets *x, char *why, size_t wl)
{
        _cleanup_(freep) unsigned char *blob = NULL;
        size_t len;
        int r;

        x->t.mode = x->m->cfg->secrets_passphrase ? 1 : 0;
        if ((r = secrets_store_seal(&x->t, x->key.p, &blob, &len)) < 0 ||
            (r = secrets_file_write_atomic(x->store_path, blob, len, 0600)) < 0) {
                snprintf(why, wl, "secrets store %s: cannot write: %s", x->store_path, strerror(-r));
                return r;
        }
        x->have_store = true;
        return 0;
}

static int mint(struct secrets *x, const struct secret_config *d, uint64_t now, char *why, size_t wl)
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
        return secrets_table_put(&x->t, d->name, now, &tok);
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

                        if (!stored_kind(d->kind) || (d->kind == SECRET_JWT) != (pass == 1))
                                continue;
                        if (secrets_table_find(&x->t, d->name) &&
                            (d->kind != SECRET_JWT || jwt_current(x, d)))
                                continue;
                        if (d->kind == SECRET_JWT) {
                                if (d->jwt_index == SIZE_MAX)
                                        continue;
                                if ((r = mint(x, d, now, why, wl)) == -ENOENT ||
                                    (r < 0 && c->secrets[d->jwt_index].kind == SECRET_FROM_FILE))
                                        continue; /* its signing file is not there yet */
                        } else if ((r = secrets_gen_value(d, &v)) >= 0)
                                r = secrets_table_put(&x->t, d->name, now, &v);
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
        return added ? write_store(x, why, wl) : 0;
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

static void rot_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void start_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* Opens the store with key (a passphrase's): the salt stays the store's
 * (or, without a store yet, becomes salt). Takes *key on success. */
static int open_with(struct secrets *x, struct secrets_buf *key, const unsigned char *salt,
                     const unsigned char *blob, size_t len)
{
        unsigned char keep[SECRETS_SALT_BYTES];
        int r;

        if (!x->have_store) {
                if (salt != x->t.salt)
                        memcpy(x->t.salt, salt, sizeof keep);
        } else {
                memcpy(keep, x->t.salt, sizeof keep);
                r = secrets_store_open(blob, len, key->p, &x->t);
                memcpy(x->t.salt, keep, sizeof keep);
                if (r < 0)
                        return r;
        }
        secrets_buf_free(&x->key);
        x->key = *key;
        *key = (struct secrets_buf){ 0 };
        x->status = SECRETS_OK;
        return 0;
}

static int init_store(struct svd *m, struct secrets_buf *hkey, const unsigned char *hsalt);

int secrets_init(struct svd *m)
{
        struct secrets_buf hkey = { 0 };
        unsigned char hsalt[SECRETS_SALT_BYTES];
        int r;

        /* read (and closed) whether or not this configuration still wants it */
        r = secrets_handoff_take(m, &hkey, hsalt);
        if (r < 0 && r != -ENOENT)
                log_warn("secrets: the key handed over by daemon-reexec is unusable: %s", strerror(-r));
        r = init_store(m, hkey.p ? &hkey : NULL, hsalt);
        secrets_buf_free(&hkey);
        return r;
}

static int init_store(struct svd *m, struct secrets_buf *hkey, const unsigned char *hsalt)
{
        const struct svd_config *c = m->cfg;
        _cleanup_(freep) unsigned char *blob = NULL;
        struct secrets *x;
        char why[300] = "";
        size_t len = 0;
        int r;

        if (!c->n_secrets)
                return 0;
        if (!(x = calloc(1, sizeof *x)))
                return -ENOMEM;
        m->secrets = x;
        x->handoff_fd = -1;
        /* held while the store is open (its values live in sodium_malloc memory) */
        if ((r = dynlib_acquire(&dl_sodium, why, sizeof why)) < 0) {
                log_err("secrets: %s", why);
                return r;
        }
        x->holds_sodium = true;
        x->m = m;
        ev_timer_init(&x->rot_timer, rot_timer_cb, 0., 0.);
        x->rot_timer.data = m;
        ev_timer_init(&x->start_timer, start_timer_cb, 0., 0.);
        x->start_timer.data = m;
        if (!(x->restart_set = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool))))
                return -ENOMEM;
        x->store_path = path_join(c->state_dir, "secrets");
        x->key_path = path_join(c->state_dir, "secrets.key");
        x->cred_root = path_join(c->run_dir, "credentials");
        if (!x->store_path || !x->key_path || !x->cred_root)
                return -ENOMEM;
        if (secrets_gen_init() < 0) {
                set_broken(x, "libsodium failed to initialize");
                return 0;
        }
        r = secrets_file_read(x->store_path, &blob, &len);
        if (r < 0 && r != -ENOENT) {
                set_broken(x, "cannot read the store %s: %s", x->store_path, strerror(-r));
                return 0;
        }
        if (r >= 0) {
                uint8_t mode;

                if (secrets_store_peek(blob, len, &mode, x->t.salt) < 0) {
                        set_broken(x, "%s: %s", x->store_path, "not a secrets store (bad header)");
                        return 0;
                }
                if (mode != (c->secrets_passphrase ? 1 : 0)) {
                        set_broken(x, "%s: %s", x->store_path,
                                   mode ? "encrypted with a passphrase but secrets_key is host"
                                        : "encrypted with the host key but secrets_key is passphrase");
                        return 0;
                }
                x->have_store = true;
        }
        /* running services' credential files from the instance this one
         * replaces stay where they are (and are cleaned up at our stop) */
        if (m->restore && secrets_cred_root_ready(x) < 0)
                log_warn("secrets: %s: %s", x->cred_root, strerror(errno));
        if (c->secrets_passphrase) {
                /* a daemon-reexec: the key the previous instance was unlocked with */
                if (hkey && (r = open_with(x, hkey, hsalt, blob, len)) == 0) {
                        log_info("secrets: unlocked with the key handed over by daemon-reexec");
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
        /* Host key: a store without its key is never replaced by a new pair. */
        r = secrets_key_load(x->key_path, !x->have_store, &x->key);
        if (r == -ENOENT) {
                set_broken(x, "the store %s exists but its key %s is missing", x->store_path, x->key_path);
                return 0;
        }
        if (r < 0) {
                set_broken(x, "key %s: %s", x->key_path,
                           r == -EBADMSG ? "not a 32-byte key"
                           : r == -EPERM ? "readable by group or others"
                                         : strerror(-r));
                return 0;
        }
        if (x->have_store && (r = secrets_store_open(blob, len, x->key.p, &x->t)) < 0) {
                set_broken(x, "%s: %s", x->store_path,
                           r == -EKEYREJECTED ? "cannot decrypt (wrong key, or the file was modified)"
                                              : "corrupted records");
                return 0;
        }
        x->status = SECRETS_OK;
        if (secrets_fill_missing(x, why, sizeof why) < 0)
                log_err("secrets: %s", why); /* retried at each consumer's spawn */
        log_info("secrets: store %s open, %zu values", x->store_path, x->t.n);
        return 0;
}

/* Empties and removes dir (credential files only: no recursion below one level). */
void secrets_remove_dir(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        (void)chmod(dir, 0700);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        (void)unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        (void)rmdir(dir);
}

void secrets_done(struct svd *m)
{
        struct secrets *x = m->secrets;

        if (!x)
                return;
        if (m->loop) {
                ev_timer_stop(m->loop, &x->rot_timer);
                ev_timer_stop(m->loop, &x->start_timer);
        }
        secrets_handoff_close(m);
        free(x->restart_set);
        for (size_t i = 0; x->cred_root && i < m->n_svcs; i++) {
                _cleanup_(freep) char *dir = path_join(x->cred_root, m->cfg->svcs[i].name);

                if (dir)
                        secrets_remove_dir(dir);
        }
        if (x->cred_mounted)
                (void)umount2(x->cred_root, MNT_DETACH);
        if (x->cred_ready)
                (void)rmdir(x->cred_root);
        secrets_table_clear(&x->t);
        secrets_table_clear(&x->rot_old);
        secrets_buf_free(&x->key);
        if (x->holds_sodium)
                dynlib_release(&dl_sodium);
        free(x->store_path);
        free(x->key_path);
        free(x->cred_root);
        free(x);
        m->secrets = NULL;
}

int secrets_reindex(struct svd *m)
{
        struct secrets *x = m->secrets;
        bool *n;

        if (!x)
                return 0;
        /* no rotation is under way (reload_apply refuses then): nothing to carry */
        if (!(n = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool))))
                return -ENOMEM;
        free(x->restart_set);
        x->restart_set = n;
        return 0;
}

bool secrets_locked(const struct svc *s)
{
        return s->m->secrets && s->m->secrets->status == SECRETS_LOCKED && s->cfg->n_secrets;
}

bool secrets_svc_affected(const struct svd *m, size_t svc_index, size_t sec_index)
{
        const struct svc_config *c = &m->cfg->svcs[svc_index];

        for (size_t i = 0; i < c->n_secrets; i++) {
                size_t k = c->secrets[i].index;

                if (k == sec_index || (k < m->cfg->n_secrets && m->cfg->secrets[k].kind == SECRET_JWT &&
                                       m->cfg->secrets[k].jwt_index == sec_index))
                        return true;
        }
        return false;
}

/* Restarts the running consumers of secret k in dependency order: all are
 * stopped first (last wave first), and started again, first wave first,
 * once every one of them is down, so none starts beside an old dependency. */
static void restart_consumers(struct svd *m, size_t k, size_t skip)
{
        struct secrets *x = m->secrets;
        bool any = false;

        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];

                if (i == skip || !secrets_svc_affected(m, i, k) || x->restart_set[i])
                        continue;
                if (!svc_state_up(s->state) && s->state != ST_STARTING)
                        continue; /* picks up the new value at its next start */
                x->restart_set[i] = any = true;
        }
        if (!any)
                return;
        for (unsigned w = m->n_waves; w-- > 0;)
                for (size_t i = 0; i < m->n_svcs; i++)
                        if (m->wave_of[i] == w && x->restart_set[i]) {
                                log_info("secrets: restarting %s for the new %s", m->svcs[i]->cfg->name,
                                         m->cfg->secrets[k].name);
                                svd_request_stop(m, m->svcs[i]);
                        }
        for (size_t i = 0; i < m->n_svcs; i++)
                if (x->restart_set[i]) {
                        secrets_svc_state(m->svcs[i]); /* they may all be down already */
                        break;
                }
}

static void start_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        struct secrets *x = m->secrets;

        for (unsigned wv = 0; wv < m->n_waves; wv++)
                for (size_t i = 0; i < m->n_svcs; i++)
                        if (m->wave_of[i] == wv && x->restart_set[i]) {
                                x->restart_set[i] = false;
                                svd_request_start(m, m->svcs[i]);
                        }
        sched_run(m);
}

static void rot_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        struct secrets *x = m->secrets;
        const char *name = m->cfg->secrets[x->rot_secret].name;
        char why[300] = "";

        x->rot_active = false;
        if (x->rot_ok) {
                log_info("secrets: on_rotate job %s done; restarting consumers of %s",
                         m->cfg->svcs[x->rot_job].name, name);
                restart_consumers(m, x->rot_secret, x->rot_job);
        } else {
                /* the job could not install the new value: keep the old one */
                for (size_t i = 0; i < x->rot_old.n; i++)
                        secrets_table_put(&x->t, x->rot_old.v[i].name, x->rot_old.v[i].created,
                                          &x->rot_old.v[i].value);
                if (write_store(x, why, sizeof why) < 0)
                        log_err("secrets: %s", why);
                log_err("secrets: on_rotate job %s failed; %s keeps its previous value",
                        m->cfg->svcs[x->rot_job].name, name);
        }
        secrets_table_clear(&x->rot_old);
        sched_run(m);
}

void secrets_svc_state(struct svc *s)
{
        struct secrets *x = s->m->secrets;
        struct svd *m = s->m;

        if (!x)
                return;
        if (x->restart_set && x->restart_set[s->index] && !ev_is_active(&x->start_timer)) {
                bool down = true;

                for (size_t i = 0; i < m->n_svcs; i++)
                        if (x->restart_set[i] && svc_state_active(m->svcs[i]->state))
                                down = false;
                if (down) {
                        ev_timer_set(&x->start_timer, 0., 0.);
                        ev_timer_start(m->loop, &x->start_timer);
                }
        }
        if (!s->cfg->n_secrets)
                return;
        if (x->rot_active && s->index == x->rot_job) {
                /* The job's outcome ends the rotation: its exit, or a run that
                 * cannot come any more (stopped by the operator, or failed
                 * before it ran: a dependency failed). Either of the latter
                 * is a failure: the old value stays. */
                bool ended = (x->rot_job_ran && s->state == ST_EXITED) || s->state == ST_FAILED ||
                             (s->state == ST_STOPPED && !s->restart_after_stop);
                if (s->state == ST_STARTING || svc_state_up(s->state))
                        x->rot_job_ran = true;
                else if (ended && !ev_is_active(&x->rot_timer)) {
                        x->rot_ok = s->state == ST_EXITED;
                        if (s->state == ST_STOPPED)
                                log_warn("secrets: on_rotate job %s was stopped before it finished",
                                         s->cfg->name);
                        ev_timer_set(&x->rot_timer, 0., 0.);
                        ev_timer_start(s->m->loop, &x->rot_timer);
                }
        }
        if (x->cred_root && (s->state == ST_STOPPED || s->state == ST_FAILED || s->state == ST_EXITED)) {
                _cleanup_(freep) char *dir = path_join(x->cred_root, s->cfg->name);

                if (dir)
                        secrets_remove_dir(dir);
        }
}

uint64_t secrets_created(const struct svd *m, const char *name)
{
        struct secrets_entry *e;

        if (!m->secrets || !(e = secrets_table_find(&m->secrets->t, name)))
                return 0;
        return e->created;
}

static int usable(struct secrets *x, char *why, size_t wl)
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

        if ((r = usable(x, why, wl)) < 0)
                return r;
        if (!(d = secrets_def_of(m, name, NULL))) {
                snprintf(why, wl, "unknown secret '%s'", name);
                return -ENOENT;
        }
        if ((r = secrets_fill_missing(x, why, wl)) < 0)
                return r;
        return secrets_value_of(x, d, ret, why, wl);
}

int secrets_change(struct svd *m, const char *name, const void *value, size_t len, char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        const struct svd_config *c = m->cfg;
        const struct secret_config *d;
        uint64_t now = now_real() / USEC_PER_SEC;
        struct secrets_buf v = { 0 };
        size_t k;
        ssize_t job = -1;
        int r;

        if ((r = usable(x, why, wl)) < 0)
                return r;
        if (!(d = secrets_def_of(m, name, &k))) {
                snprintf(why, wl, "unknown secret '%s'", name);
                return -ENOENT;
        }
        if (!stored_kind(d->kind)) {
                snprintf(why, wl, "secret %s comes from %s; change it there", name,
                         d->kind == SECRET_FROM_FILE ? d->path : "the configuration (value:)");
                return -EPERM;
        }
        if (value && d->kind == SECRET_JWT)
                return errf(why, wl, "secret %s is a JWT minted by svd; rotate its signing secret instead",
                            name);
        if (x->rot_active)
                return errf(why, wl, "a rotation of %s is still waiting for %s",
                            c->secrets[x->rot_secret].name, c->svcs[x->rot_job].name);
        if (d->on_rotate && (job = config_svc_index(c, d->on_rotate)) < 0)
                return errf(why, wl, "on_rotate: unknown service");
        /* keep the previous values until the on_rotate job has installed the new one */
        secrets_table_clear(&x->rot_old);
        for (size_t i = 0; i < c->n_secrets; i++) {
                struct secrets_entry *e = secrets_table_find(&x->t, c->secrets[i].name);
                struct secrets_buf old;

                if (!e || (i != k && !(c->secrets[i].kind == SECRET_JWT && c->secrets[i].jwt_index == k)))
                        continue;
                if ((r = secrets_buf_dup(&old, e->value.p, e->value.len)) < 0 ||
                    (r = secrets_table_put(&x->rot_old, e->name, e->created, &old)) < 0)
                        return errf(why, wl, "%s", strerror(-r));
        }
        if (value) {
                const char *weak = secrets_weak_reason(value, len, false);

                if (weak && !d->allow_weak)
                        return errf(why, wl, "the new value %s; set allow_weak: true to accept it", weak);
                r = secrets_buf_dup(&v, value, len);
        } else if (d->kind == SECRET_JWT)
                r = mint(x, d, now, why, wl);
        else
                r = secrets_gen_value(d, &v);
        if (r >= 0 && d->kind != SECRET_JWT)
                r = secrets_table_put(&x->t, name, now, &v);
        secrets_buf_free(&v);
        for (size_t i = 0; r >= 0 && i < c->n_secrets; i++)
                if (c->secrets[i].kind == SECRET_JWT && c->secrets[i].jwt_index == k)
                        r = mint(x, &c->secrets[i], now, why, wl);
        if (r >= 0)
                r = write_store(x, why, wl);
        if (r < 0) {
                if (!*why)
                        snprintf(why, wl, "%s", strerror(-r));
                for (size_t i = 0; i < x->rot_old.n; i++)
                        secrets_table_put(&x->t, x->rot_old.v[i].name, x->rot_old.v[i].created,
                                          &x->rot_old.v[i].value);
                secrets_table_clear(&x->rot_old);
                return r;
        }
        log_info("secrets: %s %s (and its JWTs)", value ? "set" : "rotated", name);
        if (job >= 0) {
                x->rot_active = true;
                x->rot_job_ran = false;
                x->rot_job = (size_t)job;
                x->rot_secret = k;
                log_info("secrets: running on_rotate job %s for %s", d->on_rotate, name);
                svd_request_restart(m, m->svcs[job]);
                return 0;
        }
        secrets_table_clear(&x->rot_old);
        restart_consumers(m, k, SIZE_MAX);
        return 0;
}

const char *secrets_pending_job(const struct svd *m)
{
        const struct secrets *x = m->secrets;

        return x && x->rot_active ? m->cfg->svcs[x->rot_job].name : NULL;
}

const char *secrets_busy(const struct svd *m)
{
        const struct secrets *x = m->secrets;

        if (!x)
                return NULL;
        if (x->rot_active || ev_is_active(&x->rot_timer))
                return "a secret rotation is waiting for its on_rotate job";
        for (size_t i = 0; x->restart_set && i < m->n_svcs; i++)
                if (x->restart_set[i])
                        return "the consumers of a changed secret are being restarted";
        return NULL;
}

int secrets_unlock(struct svd *m, const void *pass, size_t len, char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        _cleanup_(freep) unsigned char *blob = NULL;
        struct secrets_buf key = { 0 };
        size_t blen = 0;
        int r;

        if (!x || !m->cfg->secrets_passphrase)
                return errf(why, wl, "secrets_key is not passphrase: nothing to unlock");
        if (x->status != SECRETS_LOCKED)
                return errf(why, wl, "secrets are %s", secrets_status_name(x->status));
        if (len < 8)
                return errf(why, wl, "the passphrase must have at least 8 characters");
        if (!x->have_store)
                randombytes_buf(x->t.salt, sizeof x->t.salt);
        else if ((r = secrets_file_read(x->store_path, &blob, &blen)) < 0) {
                snprintf(why, wl, "cannot read the store %s: %s", x->store_path, strerror(-r));
                return r;
        }
        if ((r = secrets_key_derive(pass, len, x->t.salt, &key)) < 0)
                return errf(why, wl, "cannot derive the key: out of memory");
        if ((r = open_with(x, &key, x->t.salt, blob, blen)) < 0) {
                secrets_buf_free(&key);
                if (r == -EKEYREJECTED)
                        snprintf(why, wl, "wrong passphrase (or the store was modified)");
                else
                        snprintf(why, wl, "%s: corrupted records", x->store_path);
                return r;
        }
        log_info("secrets: unlocked");
        if (secrets_fill_missing(x, why, wl) < 0)
                log_err("secrets: %s", why);
        *why = 0;
        /* the services that waited for the secrets can start now */
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];

                if (s->state == ST_WAITING && s->cfg->n_secrets && sched_deps_met(m, s))
                        svc_dispatch(s, SE_DEPS_MET, 0);
        }
        sched_run(m);
        return 0;
}
