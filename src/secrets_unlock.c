/* secrets_unlock: svctl unlock off the loop. Argon2id is made to be slow (a
 * second or more, and up to 1 GiB, with secrets_kdf: moderate or sensitive):
 * run on PID 1's loop it would stall every service's supervision (health
 * checks, reaping, log pipes, the control socket) for that long. So the key
 * is derived in a thread of its own, which does that and nothing else: the
 * checks, the store's bytes and the key's buffer are made before, on the
 * loop (secrets_unlock_prepare), and the thread hands the result back
 * through an ev_async; the store is opened and the services started on the
 * loop again (secrets_unlock_finish). The thread touches no state of svd's
 * and allocates nothing (libsodium, held meanwhile, is thread-safe).
 *
 * A store whose header names other KDF parameters than secrets_kdf (changed
 * since the store was made) is re-encrypted once it is open: the same job
 * derives, in a second run of its thread, a key from the passphrase with
 * the configured parameters and a new salt, and the store is written under
 * it (atomically: on any failure the file and the key in memory stay the
 * old ones, and the next unlock tries again). A key handed over by
 * daemon-reexec cannot do it: the new key is Argon2id of the passphrase,
 * which only an unlock has, so until then the store keeps its parameters,
 * which the log and `svctl secret list` (secrets_kdf_pending) say, as they
 * say why a re-encryption failed. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dl_sodium.h"
#include "init.h"
#include "log.h"
#include "secrets_int.h"
#include "secrets_memfit.h"
#include "svd.h"

struct secrets_unlock_job {
        struct svd *m;
        pthread_t thread;
        ev_async async;
        struct secrets_buf pass, key;
        unsigned char salt[SECRETS_SALT_BYTES];
        uint32_t ops, mem_kib;
        unsigned char *blob; /* the store's bytes (ciphertext), NULL for a new store */
        size_t blen;
        int r; /* the derivation's, written by the thread before ev_async_send */
        bool rekey; /* deriving the store's new key (the unlock was answered) */
        secrets_unlock_done_fn *done;
        void *ctx;
};

static void *derive(void *arg)
{
        struct secrets_unlock_job *j = arg;

        j->r = secrets_key_derive_into(j->pass.p, j->pass.len, j->salt, j->ops, j->mem_kib, j->key.p);
        ev_async_send(j->m->loop, &j->async);
        return NULL;
}

/* Frees j (no thread running): the key (if not taken), the passphrase and
 * the store's bytes wiped; its hold on libsodium released. */
static void job_release(struct secrets_unlock_job *j)
{
        if (j->m) /* (set once its watcher is) */
                ev_async_stop(j->m->loop, &j->async);
        secrets_buf_free(&j->pass);
        secrets_buf_free(&j->key);
        free(j->blob);
        free(j);
        dynlib_release(&dl_sodium);
}

/* Joins the thread and frees j. */
static void job_free(struct secrets_unlock_job *j)
{
        pthread_join(j->thread, NULL);
        job_release(j);
}

/* Runs derive in a thread of its own; -errno. */
static int start_thread(struct secrets_unlock_job *j)
{
        sigset_t all, old;
        int r;

        /* every signal is the loop's: the thread takes none (it inherits
         * the mask it is created with), except its own faults, which the
         * kernel would otherwise deliver as an end of the whole process */
        sigfillset(&all);
        init_crash_unblock_faults(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = -init_crash_thread_create(&j->thread, derive, j);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return r;
}

/* Why the store was not re-encrypted (it stays as it is, and usable):
 * logged, and kept for secrets_kdf_pending. */
static void rekey_failed(struct secrets *x, const char *why)
{
        snprintf(x->rekey_error, sizeof x->rekey_error, "%s", why);
        secrets_kdf_of_config(x->m->cfg, &x->rekey_ops, &x->rekey_mem_kib);
        log_warn("secrets: store %s not re-encrypted for secrets_kdf: %s; it keeps its KDF parameters "
                 "(%u passes over %u MiB) until the next unlock",
                 x->store_path, why, (unsigned)x->t.kdf_ops, (unsigned)(x->t.kdf_mem_kib / 1024));
}

/* After the unlock of a store whose KDF parameters are not secrets_kdf's:
 * j (its passphrase kept) derives the new key. False: nothing to do, or it
 * cannot be done now (logged; the store keeps its parameters). */
static bool rekey_start(struct svd *m, struct secrets_unlock_job *j)
{
        struct secrets *x = m->secrets;
        uint32_t ops, mem_kib;
        int r;

        secrets_kdf_of_config(m->cfg, &ops, &mem_kib);
        if (!x->have_store || x->status != SECRETS_OK ||
            (x->t.kdf_ops == ops && x->t.kdf_mem_kib == mem_kib))
                return false;
        /* (beyond the memory svd may use, the kernel would not fail the
         * derivation but OOM-kill: a service, or svd) */
        char why[sizeof x->rekey_error] = "cannot derive the key: ";
        size_t wl = strlen(why);
        if (secrets_memfit_check(mem_kib, true, why + wl, sizeof why - wl) < 0) {
                rekey_failed(x, why);
                return false;
        }
        /* (the unlock's key went to the store: secrets_unlock_finish took it) */
        secrets_buf_free(&j->key);
        if ((r = secrets_buf_alloc(&j->key, SECRETS_KEY_BYTES)) >= 0) {
                randombytes_buf(j->salt, sizeof j->salt);
                j->ops = ops;
                j->mem_kib = mem_kib;
                j->rekey = true;
                j->done = NULL;
                j->ctx = NULL;
                r = start_thread(j);
        }
        if (r < 0) {
                rekey_failed(x, strerror(-r));
                return false;
        }
        x->unlock = j;
        log_info("secrets: re-encrypting the store %s (%u passes over %u MiB) for secrets_kdf: deriving "
                 "its new key (Argon2id, %u passes over %u MiB)",
                 x->store_path, (unsigned)x->t.kdf_ops, (unsigned)(x->t.kdf_mem_kib / 1024), (unsigned)ops,
                 (unsigned)(mem_kib / 1024));
        return true;
}

/* The new key derived: the store written under it, its salt and KDF
 * parameters; on any failure the old key and header stay (in memory and,
 * the write being atomic, in the file). */
static void rekey_finish(struct svd *m, struct secrets_unlock_job *j)
{
        struct secrets *x = m->secrets;
        unsigned char salt[SECRETS_SALT_BYTES];
        uint32_t ops = x->t.kdf_ops, mem_kib = x->t.kdf_mem_kib;
        struct secrets_buf old = x->key;
        char why[300] = "";

        if (j->r < 0 || x->status != SECRETS_OK || x->handoff_fd >= 0) {
                /* (a daemon-reexec under way hands over the key it has) */
                rekey_failed(x, j->r == -ENOMEM           ? "cannot derive the key: out of memory"
                                : j->r < 0                ? "cannot derive the key: bad KDF parameters"
                                : x->status != SECRETS_OK ? "the store is not open"
                                                          : "a daemon-reexec is under way");
                return;
        }
        memcpy(salt, x->t.salt, sizeof salt);
        x->key = j->key;
        j->key = (struct secrets_buf){ 0 };
        memcpy(x->t.salt, j->salt, sizeof salt);
        x->t.kdf_ops = j->ops;
        x->t.kdf_mem_kib = j->mem_kib;
        if (secrets_write_store(x, why, sizeof why) < 0) {
                j->key = x->key; /* (wiped with j) */
                x->key = old;
                memcpy(x->t.salt, salt, sizeof salt);
                x->t.kdf_ops = ops;
                x->t.kdf_mem_kib = mem_kib;
                rekey_failed(x, why);
                return;
        }
        secrets_buf_free(&old);
        x->rekey_error[0] = 0;
        log_info("secrets: store %s re-encrypted for secrets_kdf: Argon2id, %u passes over %u MiB "
                 "(was %u over %u)",
                 x->store_path, (unsigned)x->t.kdf_ops, (unsigned)(x->t.kdf_mem_kib / 1024), (unsigned)ops,
                 (unsigned)(mem_kib / 1024));
}

static void derived_cb(struct ev_loop *loop, ev_async *w, int revents)
{
        struct secrets_unlock_job *j = w->data;
        struct svd *m = j->m;
        char why[300] = "";
        int r;

        (void)loop;
        (void)revents;
        pthread_join(j->thread, NULL); /* (at once: it only sends and returns) */
        m->secrets->unlock = NULL;
        if (j->rekey) {
                rekey_finish(m, j);
                job_release(j);
                return;
        }
        r = j->r;
        if (r < 0)
                snprintf(why, sizeof why, "cannot derive the key: %s",
                         r == -ENOMEM ? "out of memory" : "bad KDF parameters");
        else
                r = secrets_unlock_finish(m, &j->key, j->blob, j->blen, why, sizeof why);
        secrets_unlock_done_fn *done = j->done;
        void *ctx = j->ctx;
        if (r < 0 || !rekey_start(m, j))
                job_release(j);
        done(m, r, why, ctx);
}

int secrets_unlock_start(struct svd *m, const void *pass, size_t len, secrets_unlock_done_fn *done,
                         void *ctx, char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        struct secrets_unlock_job *j;
        int r;

        if (!(j = calloc(1, sizeof *j)))
                return snprintf(why, wl, "out of memory"), -ENOMEM;
        /* held while the thread calls into it (released by whoever frees j) */
        if ((r = dynlib_acquire(&dl_sodium, why, wl)) < 0) {
                free(j);
                return r;
        }
        if ((r = secrets_unlock_prepare(x, len, &j->blob, &j->blen, why, wl)) < 0 ||
            (r = secrets_buf_dup(&j->pass, pass, len)) < 0 ||
            (r = secrets_buf_alloc(&j->key, SECRETS_KEY_BYTES)) < 0) {
                if (r == -ENOMEM)
                        snprintf(why, wl, "out of memory");
                job_release(j);
                return r;
        }
        /* refused before it starts: past the memory svd may use the kernel
         * does not fail the derivation, it OOM-kills (a service, or svd) */
        size_t wp = (size_t)snprintf(why, wl, "cannot derive the key: ");
        if (wp < wl && (r = secrets_memfit_check(x->t.kdf_mem_kib, !x->have_store, why + wp, wl - wp)) < 0) {
                log_warn("secrets: unlock refused: %s", why);
                job_release(j);
                return r;
        }
        why[0] = 0;
        j->m = m;
        memcpy(j->salt, x->t.salt, sizeof j->salt);
        j->ops = x->t.kdf_ops;
        j->mem_kib = x->t.kdf_mem_kib;
        j->done = done;
        j->ctx = ctx;
        ev_async_init(&j->async, derived_cb);
        j->async.data = j;
        ev_async_start(m->loop, &j->async);
        if ((r = start_thread(j)) < 0) {
                snprintf(why, wl, "cannot start the key derivation: %s", strerror(-r));
                job_release(j);
                return r;
        }
        x->unlock = j;
        log_info("secrets: deriving the key (Argon2id, %u passes over %u MiB)", (unsigned)j->ops,
                 (unsigned)(j->mem_kib / 1024));
        return 0;
}

void secrets_unlock_cancel(struct svd *m)
{
        struct secrets_unlock_job *j = m->secrets ? m->secrets->unlock : NULL;

        if (!j)
                return;
        m->secrets->unlock = NULL;
        secrets_unlock_done_fn *done = j->done;
        void *ctx = j->ctx;
        job_free(j); /* (waits for the derivation to end) */
        if (done) /* (none for a re-encryption: the unlock was answered) */
                done(m, -ECANCELED, "svd is stopping", ctx);
}

/* The store's parameters and secrets_kdf's, when they differ. */
static bool kdf_differs(const struct svd *m, uint32_t *ops, uint32_t *mem_kib)
{
        const struct secrets *x = m->secrets;

        if (!x || !m->cfg->secrets_passphrase || x->status != SECRETS_OK)
                return false;
        secrets_kdf_of_config(m->cfg, ops, mem_kib);
        return x->t.kdf_ops != *ops || x->t.kdf_mem_kib != *mem_kib;
}

void secrets_kdf_check_handoff(struct svd *m)
{
        const struct secrets *x = m->secrets;
        uint32_t ops, mem_kib;

        if (!kdf_differs(m, &ops, &mem_kib))
                return;
        log_warn("secrets: store %s keeps its KDF parameters (%u passes over %u MiB) after daemon-reexec: "
                 "its re-encryption for secrets_kdf (%u passes over %u MiB) needs the passphrase, so it "
                 "waits for the next unlock, after svd restarts",
                 x->store_path, (unsigned)x->t.kdf_ops, (unsigned)(x->t.kdf_mem_kib / 1024), (unsigned)ops,
                 (unsigned)(mem_kib / 1024));
}

bool secrets_kdf_pending(const struct svd *m, char *buf, size_t len)
{
        const struct secrets *x = m->secrets;
        uint32_t ops, mem_kib;
        int n;

        if (!kdf_differs(m, &ops, &mem_kib))
                return false;
        n = snprintf(buf, len,
                     "the store has %u passes over %u MiB, secrets_kdf %u over %u: ", (unsigned)x->t.kdf_ops,
                     (unsigned)(x->t.kdf_mem_kib / 1024), (unsigned)ops, (unsigned)(mem_kib / 1024));
        if (n < 0 || (size_t)n >= len)
                return true;
        if (x->unlock)
                snprintf(buf + n, len - (size_t)n, "re-encrypting it now");
        else if (x->rekey_error[0] && x->rekey_ops == ops && x->rekey_mem_kib == mem_kib)
                snprintf(buf + n, len - (size_t)n,
                         "re-encryption failed (%s); tried again at the next unlock", x->rekey_error);
        else
                snprintf(buf + n, len - (size_t)n,
                         "re-encrypted at the next unlock, after svd restarts (it needs the passphrase)");
        return true;
}
