/* secrets_int: shared by the secrets_* modules only (not for the rest of
 * svd): the manager's state and the lookups delivery needs. */
#ifndef SVD_SECRETS_INT_H
#define SVD_SECRETS_INT_H

#include <stdbool.h>

#include <ev.h>

#include "secrets.h"
#include "secrets_store.h"

struct secrets {
        struct svd *m;
        enum secrets_status status;
        char error[256];
        struct secrets_buf key;
        struct secrets_table t;
        bool have_store; /* a store file exists (its salt is t.salt) */
        bool holds_sodium; /* dynlib_acquire(&dl_sodium) by secrets_init() */
        char *store_path, *key_path, *cred_root;
        bool cred_ready, cred_mounted;
        /* a rotation waiting for its on_rotate job */
        bool rot_active, rot_job_ran;
        size_t rot_job, rot_secret;
        struct secrets_table rot_old; /* previous values, restored if the job fails */
        ev_timer rot_timer;           /* finishes the rotation outside svc_dispatch */
        bool *restart_set;            /* consumers stopped for a new value, to start again */
        ev_timer start_timer;
        bool rot_ok;
        int handoff_fd; /* the key's memfd for a daemon-reexec under way, or -1 */
};

/* The definition of a secret by name (ret_index: its index, may be NULL). */
const struct secret_config *secrets_def_of(const struct svd *m, const char *name, size_t *ret_index);
/* A secret's current value (generated, minted, from_file or literal). */
int secrets_value_of(struct secrets *x, const struct secret_config *d, struct secrets_buf *ret, char *why,
                    size_t wl);
void secrets_remove_dir(const char *dir);
/* <run_dir>/credentials exists (a tmpfs as root); one left mounted by the
 * instance this one replaces (daemon-reexec, a take-over) is reused, and
 * unmounted by this one when it stops. */
int secrets_cred_root_ready(struct secrets *x);
/* Generates or mints every stored secret that has no value yet. */
int secrets_fill_missing(struct secrets *x, char *why, size_t wl);
/* A new instance after daemon-reexec: the passphrase key (and the store's
 * salt) the old one handed over, read from its memfd, which is wiped and
 * closed whatever happens. -ENOENT: none was handed over. */
int secrets_handoff_take(struct svd *m, struct secrets_buf *ret_key, unsigned char *ret_salt);

#endif
