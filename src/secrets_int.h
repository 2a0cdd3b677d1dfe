/* secrets_int: shared by the secrets_* modules only (not for the rest of
 * svd): the manager's state and the lookups delivery needs. */
#ifndef SVD_SECRETS_INT_H
#define SVD_SECRETS_INT_H

#include <stdbool.h>

#include <ev.h>

#include "secrets.h"
#include "secrets_credfs.h"
#include "secrets_store.h"

struct secrets {
        struct svd *m;
        enum secrets_status status;
        char error[256];
        struct secrets_buf key;
        struct secrets_table t;
        bool have_store;   /* a store file exists (its salt is t.salt) */
        bool holds_sodium; /* dynlib_acquire(&dl_sodium) by secrets_init() */
        char *store_path, *key_path, *cred_root;
        bool cred_ready;
        struct secrets_credfs cred; /* once cred_ready (secrets_credfs.c) */
        /* a rotation waiting for its on_rotate job (secrets_rotate.c); while
         * rot_active, every write of the store carries it as pending */
        bool rot_active, rot_job_ran;
        size_t rot_job, rot_secret;
        uint64_t rot_started;         /* the new values' created */
        struct secrets_table rot_old; /* previous values, restored if the job fails */
        ev_timer rot_timer;           /* finishes the rotation outside svc_dispatch */
        /* the consumers in a restart for a new value (enum secrets_mark),
         * by service index */
        unsigned char *restart_set;
        ev_timer start_timer;         /* (secrets_restart.c) */
        bool rot_ok;
        char rot_reason[160]; /* why the job failed */
        bool disk_pending;    /* the store file holds a pending rotation */
        /* the table differs from the store file (a write failed: disk full);
         * save_timer writes it again until it succeeds, then wakes the
         * services that waited for a value only memory held */
        bool dirty, save_failing;
        bool key_unsaved; /* a new host key, not in its file yet (written before the store) */
        ev_timer save_timer;
        /* how the last rotation with an on_rotate job ended (svctl secret list) */
        struct {
                char *secret, *job;
                bool ok;
                char reason[160];
                uint64_t time;
        } last;
        int handoff_fd; /* the key's memfd for a daemon-reexec under way, or -1 */
        /* svctl unlock deriving its key in a thread (secrets_unlock.c), or,
         * once unlocked, the store's new key for secrets_kdf's parameters; NULL */
        struct secrets_unlock_job *unlock;
        /* why the last re-encryption for secrets_kdf failed, or "", and the
         * parameters it was for (a reload may have changed secrets_kdf since) */
        char rekey_error[900];
        uint32_t rekey_ops, rekey_mem_kib;
        /* a rotation the store's recovery rolled back: its job, if still
         * running (taken over), is stopped (secrets_rotation_stop_stale) */
        struct {
                char *secret, *job;
        } stale;
};

/* secrets.c, around the key derivation of secrets_unlock_start: the checks
 * (locked, passphrase long enough, no unlock under way) and the store's
 * bytes into *ret_blob (NULL when there is none: then x->t's salt and KDF
 * parameters are set for the new one); then, with the key (taken), the
 * store opened and the services that waited started. -errno with why set. */
int secrets_unlock_prepare(struct secrets *x, size_t len, unsigned char **ret_blob, size_t *ret_len, char *why,
                           size_t wl);
int secrets_unlock_finish(struct svd *m, struct secrets_buf *key, const unsigned char *blob, size_t blen,
                          char *why, size_t wl);
/* The Argon2id parameters secrets_kdf names (a new store's, and those an
 * unlock re-encrypts a store under other ones with). */
void secrets_kdf_of_config(const struct svd_config *c, uint32_t *ops, uint32_t *mem_kib);
/* secrets_done: a derivation under way is waited for (its thread cannot
 * be stopped midway), its key wiped and its caller told -ECANCELED. */
void secrets_unlock_cancel(struct svd *m);
/* A new instance after daemon-reexec, the store open with the key handed
 * over: logs that a re-encryption for secrets_kdf waits for the next
 * unlock, when the store's KDF parameters are not secrets_kdf's (the key
 * of other parameters needs the passphrase, which was not handed over). */
void secrets_kdf_check_handoff(struct svd *m);

/* The definition of a secret by name (ret_index: its index, may be NULL). */
const struct secret_config *secrets_def_of(const struct svd *m, const char *name, size_t *ret_index);
/* A secret's current value (generated, minted, from_file or literal). */
int secrets_value_of(struct secrets *x, const struct secret_config *d, struct secrets_buf *ret, char *why,
                     size_t wl);
/* Empties and removes service name's credential directory (no-op before
 * the credentials file system is ready). */
void secrets_cred_remove(struct secrets *x, const char *name);
/* Values svd keeps in the store (not read from a file or the config). */
static inline bool secrets_stored_kind(enum secret_kind k)
{
        return k != SECRET_FROM_FILE && k != SECRET_VALUE;
}
/* 0, or why the store cannot be used now (none, locked, broken). */
int secrets_usable(struct secrets *x, char *why, size_t wl);
/* Writes the table (and the rotation under way, as pending) atomically. */
int secrets_write_store(struct secrets *x, char *why, size_t wl);
/* Mints JWT definition d with its signing secret's current value into the table. */
int secrets_mint(struct secrets *x, const struct secret_config *d, uint64_t now, char *why, size_t wl);

/* secrets_rotate.c: the timers, and what secrets_done frees. */
void secrets_rotate_init(struct secrets *x);
void secrets_rotate_done(struct svd *m, struct secrets *x);
/* The rotation under way as the store keeps it (borrowed pointers), or false. */
bool secrets_rotation_view(const struct secrets *x, struct secrets_pending *ret);
/* After the store was opened: a rotation it held pending had a job whose end
 * no svd saw, so it failed: the previous values go back (logged) and the
 * store is written without it. Clears *p. */
void secrets_rotation_recover(struct secrets *x, struct secrets_pending *p);
/* Stops the on_rotate job of the rotation secrets_rotation_recover rolled
 * back if it still runs, taken over from the svd before (logged): nothing
 * may run against a rotation that was undone. Called once the services
 * are restored (secrets_snapshot_restore), or at the unlock that
 * recovered it. */
void secrets_rotation_stop_stale(struct svd *m);
/* What service svc_index is given for d: while a rotation waits for its
 * job, the previous value to everyone but the job. */
int secrets_value_for(struct secrets *x, size_t svc_index, const struct secret_config *d,
                      struct secrets_buf *ret, char *why, size_t wl);
/* secrets_restart.c: the restart of a changed secret's consumers. A
 * consumer is marked MARK_START when it is stopped for the new value, to
 * start again once every marked one is down; MARK_LEFT when the operator
 * stopped it meanwhile: it is not started again, but while it is still on
 * its way down (with the old value) the others still wait for it. */
enum secrets_mark { MARK_NONE = 0, MARK_START, MARK_LEFT };
void secrets_restart_init(struct secrets *x);
void secrets_restart_done(struct svd *m, struct secrets *x);
/* Marks for a restart the running consumers of secret k but skip (and sets
 * fresh[i] for each, fresh may be NULL); when any is marked, the state file
 * is written at once, before anything is stopped. Returns how many. */
size_t secrets_restart_mark(struct svd *m, size_t k, size_t skip, bool *fresh);
/* Drops the marks of fresh (the change did not happen). */
void secrets_restart_unmark(struct svd *m, const bool *fresh);
/* Stops the marked consumers still running, last wave first (logged, for
 * the new value of secret, or NULL); all start again, first wave first,
 * once every marked one is down. */
void secrets_restart_stop(struct svd *m, const char *secret);
/* On s's state change: when s is marked and every marked one is down. */
void secrets_restart_check(struct svc *s);
/* Whether c's environment: puts ${secret:NAME} in a variable (secrets_deliver.c). */
bool secrets_env_uses(const struct svc_config *c, const char *name);
/* Whether c declares secret name (uses it, so an env_file's reference to
 * it is expanded). */
bool secrets_svc_declares(const struct svc_config *c, const char *name);
/* <run_dir>/credentials exists (as root a RAM file system, read-only for
 * services; secrets_credfs.c) and x->cred.fd is open on its writable root;
 * one left mounted by the instance this one replaces (daemon-reexec, a
 * take-over) is reused, and unmounted by this one when it stops. */
int secrets_cred_root_ready(struct secrets *x);
/* secrets_svc_prepare, with *ret_io set when the failure is one of writing
 * the files (no space, an I/O error, permissions), which may pass. */
int secrets_svc_write(struct svc *s, char *why, size_t wl, bool *ret_io);
/* secrets_credwait.c: on s's state change: out of "waiting", a retry of
 * its credential files is over. */
void secrets_cred_wait_state(struct svc *s);
/* Generates or mints every stored secret that has no value yet, and writes
 * the store if the table differs from it. On a failed write the values stay
 * in memory (unsaved) and the write is retried (secrets_save_later). */
int secrets_fill_missing(struct secrets *x, char *why, size_t wl);
/* Puts a new value into the table, marked unsaved until the store is written. */
int secrets_put_unsaved(struct secrets *x, const char *name, uint64_t created, struct secrets_buf *v);
/* Whether d's value (a JWT: its signing secret's) is one only memory holds:
 * never handed out, since a restart of svd would replace it. */
bool secrets_def_unsaved(struct secrets *x, const struct secret_config *d);
/* Logs, once per process, that secret memory could no longer be locked
 * (secrets_gen_lock_failure), naming RLIMIT_MEMLOCK; called after the
 * operations that allocate values. */
void secrets_warn_unlocked(void);
/* A write of the store failed and the table differs from it: retried every
 * few seconds until it succeeds. */
void secrets_save_later(struct secrets *x);
/* A new instance after daemon-reexec: the passphrase key (and the store's
 * salt and KDF parameters, into ret's) the old one handed over, read from
 * its memfd, which is wiped and closed whatever happens. -ENOENT: none was
 * handed over. */
int secrets_handoff_take(struct svd *m, struct secrets_buf *ret_key, struct secrets_table *ret);

#endif
