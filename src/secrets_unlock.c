/* secrets_unlock: svctl unlock off the loop. Argon2id is made to be slow (a
 * second or more, and up to 1 GiB, with secrets_kdf: moderate or sensitive):
 * run on PID 1's loop it would stall every service's supervision (health
 * checks, reaping, log pipes, the control socket) for that long. So the key
 * is derived in a thread of its own, which does that and nothing else: the
 * checks, the store's bytes and the key's buffer are made before, on the
 * loop (secrets_unlock_prepare), and the thread hands the result back
 * through an ev_async; the store is opened and the services started on the
 * loop again (secrets_unlock_finish). The thread touches no state of svd's
 * and allocates nothing (libsodium, held meanwhile, is thread-safe). */
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
        r = j->r;
        if (r < 0)
                snprintf(why, sizeof why, "cannot derive the key: %s",
                         r == -ENOMEM ? "out of memory" : "bad KDF parameters");
        else
                r = secrets_unlock_finish(m, &j->key, j->blob, j->blen, why, sizeof why);
        secrets_unlock_done_fn *done = j->done;
        void *ctx = j->ctx;
        job_release(j);
        done(m, r, why, ctx);
}

int secrets_unlock_start(struct svd *m, const void *pass, size_t len, secrets_unlock_done_fn *done,
                         void *ctx, char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        struct secrets_unlock_job *j;
        sigset_t all, old;
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
        j->m = m;
        memcpy(j->salt, x->t.salt, sizeof j->salt);
        j->ops = x->t.kdf_ops;
        j->mem_kib = x->t.kdf_mem_kib;
        j->done = done;
        j->ctx = ctx;
        ev_async_init(&j->async, derived_cb);
        j->async.data = j;
        ev_async_start(m->loop, &j->async);
        /* every signal is the loop's: the thread takes none (it inherits
         * the mask it is created with), except its own faults, which the
         * kernel would otherwise deliver as an end of the whole process */
        sigfillset(&all);
        init_crash_unblock_faults(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = -init_crash_thread_create(&j->thread, derive, j);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
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
        done(m, -ECANCELED, "svd is stopping", ctx);
}
