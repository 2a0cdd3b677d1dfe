/* secrets: the run-time side of secrets: the store opened at start (host key,
 * or a passphrase given later with `svctl unlock`), values generated on first
 * need, JWTs minted, and delivery to services: ${secret:NAME} in environment
 * values and files in <run_dir>/credentials/<service>/ (CREDENTIALS_DIRECTORY,
 * as systemd). A service sees only the secrets it declares or references.
 * An unreadable store is never overwritten: services that need secrets fail
 * with the reason, the others run. Values are never logged or put in status.
 * This module logs its own events (it is orchestration, like svc.c). */
#ifndef SVD_SECRETS_H
#define SVD_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secrets_gen.h"

struct svd;
struct svc;
struct cJSON;

enum secrets_status { SECRETS_NONE, SECRETS_OK, SECRETS_LOCKED, SECRETS_BROKEN };

/* Opens (or creates) the store when the config defines secrets. Returns 0 or
 * -ENOMEM; a store that cannot be read is logged and makes consumers fail. */
int secrets_init(struct svd *m);
/* Wipes every value and key, removes credential files (and their tmpfs). */
void secrets_done(struct svd *m);
/* Reload: per-service bookkeeping for the new generation (old: the
 * configuration it replaces, whose services' indices it held). set: one
 * byte per service of the new generation, zeroed, allocated by the caller
 * before its switch (so nothing here fails); taken over (freed without a
 * store). */
void secrets_reindex(struct svd *m, const struct svd_config *old, unsigned char *set);

enum secrets_status secrets_status(const struct svd *m);
const char *secrets_status_name(enum secrets_status s);
const char *secrets_error(const struct svd *m); /* why BROKEN, else "" */

/* Passphrase mode before `svctl unlock`, for a service that uses secrets:
 * it waits ("secrets locked") instead of starting. */
bool secrets_locked(const struct svc *s);
/* For a service that uses a value the store file does not hold yet (its
 * write failed: disk full): it waits (why set) instead of starting; the
 * write is retried and the service started once it succeeds. */
bool secrets_store_wait(struct svc *s, char *why, size_t why_len);
/* Before a spawn: generates what is missing, checks for weak values and
 * writes the credential files. -errno with why set (becomes the reason). */
int secrets_svc_prepare(struct svc *s, char *why, size_t why_len);
/* The last gate before a spawn (secrets_credwait.c): writes s's credential
 * files. true (why set): they could not be written (no space, an I/O error,
 * permissions): s waits, and the write is retried after 0.5 s, doubling up
 * to 4 s, until it succeeds; leaving "waiting" (a stop) ends it. false:
 * go ahead, with *ret_written set when the files are written now (else
 * do_spawn calls secrets_svc_prepare, which reports any other failure). */
bool secrets_cred_wait(struct svc *s, bool *ret_written, char *why, size_t why_len);
/* Replaces ${secret:NAME} in env values and adds CREDENTIALS_DIRECTORY.
 * -errno with why set to what names the secret (not for no memory);
 * -EAGAIN: the store cannot give stored values now (locked, or broken),
 * which is svd's state, not the service's. */
int secrets_env_expand(const struct svc *s, char ***env, char *why, size_t why_len);
/* Overwrites every string of env (before it is freed); the _freep form
 * wipes and frees, for _cleanup_. */
void secrets_env_wipe(char **env);
void secrets_env_freep(char ***env);
/* Called on every state change: removes a stopped service's credential files
 * and carries a pending rotation forward. */
void secrets_svc_state(struct svc *s);

/* Whether service svc_index sees secret sec_index, directly or through a
 * JWT signed with it. */
bool secrets_svc_affected(const struct svd *m, size_t svc_index, size_t sec_index);
/* Operator requests (control_secrets.c). Return 0 or -errno with why set. */
uint64_t secrets_created(const struct svd *m, const char *name); /* 0: not stored */
int secrets_get(struct svd *m, const char *name, struct secrets_buf *ret, char *why, size_t why_len);
/* value NULL: regenerate (rotate); else set. Re-mints dependent JWTs, runs
 * on_rotate, then restarts the running consumers in wave order. */
int secrets_change(struct svd *m, const char *name, const void *value, size_t len, char *why,
                   size_t why_len);
/* svctl unlock. The key derivation (Argon2id: up to seconds and 1 GiB with
 * secrets_kdf: sensitive) runs in a thread of its own, so the loop keeps
 * supervising; done(m, r, why, ctx) is then called from the loop (r < 0:
 * why says what failed; -ECANCELED: svd is stopping). Returns 0 once the
 * derivation is started (done will be called once), or -errno with why set
 * (done will not be called). The passphrase is copied (sodium memory,
 * wiped): the caller may wipe its own at once. (secrets_unlock.c) */
typedef void secrets_unlock_done_fn(struct svd *m, int r, const char *why, void *ctx);
int secrets_unlock_start(struct svd *m, const void *pass, size_t len, secrets_unlock_done_fn *done, void *ctx,
                         char *why, size_t why_len);
/* Whether the open store's header names other KDF parameters than
 * secrets_kdf: then buf says why it is not re-encrypted yet (being done,
 * the last attempt's failure, or waiting for the passphrase of the next
 * unlock, as after a daemon-reexec or a reload). (secrets_unlock.c) */
bool secrets_kdf_pending(const struct svd *m, char *buf, size_t len);
/* The on_rotate job a rotation is waiting for, or NULL. */
const char *secrets_pending_job(const struct svd *m);
/* The secret that rotation changes, or NULL. */
const char *secrets_pending_secret(const struct svd *m);
/* How the last rotation with an on_rotate job ended: since this svd
 * started, or the one a previous svd did not see end (a failure). */
struct secrets_rotation_info {
        const char *secret, *job;
        const char *result; /* "done" or "failed" */
        const char *reason; /* why it failed, else "" */
        uint64_t time;      /* unix seconds */
};
bool secrets_last_rotation(const struct svd *m, struct secrets_rotation_info *ret);
/* Why a daemon-reexec must wait (a rotation is under way: that bookkeeping
 * is not carried over, and a new instance would find the rotation pending
 * in the store and undo it), or NULL. A restart of consumers under way is
 * carried over (secrets_snapshot_save). */
const char *secrets_busy(const struct svd *m);

/* svd's state (state file, daemon-reexec; snapshot.c): the consumers
 * stopped for a changed secret and not yet started again, as
 * "secrets_restart": [names] (nothing when none), and those the operator
 * stopped meanwhile, as "secrets_restart_left" (restored only while on
 * their way down).
 * (secrets_restart.c) */
void secrets_snapshot_save(struct svd *m, struct cJSON *state);
/* The operator stopped (stop) or started/restarted s, with svctl: if s
 * waits in the restart of a changed secret's consumers, it leaves it
 * (logged): stopped, it is not started again with the others (who still
 * wait until it is down); started, it runs now with the new value and the
 * others no longer wait for it. Call once the request is made, before the
 * state file is written. */
void secrets_operator_request(struct svd *m, struct svc *s, bool stop);
/* Whether any consumer waits for that restart to be started again. */
bool secrets_restarting(const struct svd *m);
/* Whether s is stopped (held) by svd to start again with a changed
 * secret's new value, not by the operator. */
bool secrets_restart_holds(const struct svd *m, const struct svc *s);
/* Once the services of such a state are restored: the consumers it names
 * start again with the new value once all are down (one still running
 * with the old value is stopped first; one on its way up already, after
 * an exit while no svd ran, is left to it), and an on_rotate job taken
 * over whose rotation the store's recovery rolled back is stopped. */
void secrets_snapshot_restore(struct svd *m, const struct cJSON *state);

/* daemon-reexec, passphrase mode: a sealed memfd holding the unlocked key
 * for the new instance (close-on-exec still set), or -ENOENT when there is
 * nothing to hand over (host key, or still locked), -EPROTONOSUPPORT when
 * there is but the new binary does not take it (supported false).
 * secrets_handoff_close wipes and closes it when the exec failed.
 * (secrets_handoff.c) */
int secrets_handoff_fd(struct svd *m, bool supported);
void secrets_handoff_close(struct svd *m);

#endif
