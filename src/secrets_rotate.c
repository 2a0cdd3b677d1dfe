/* secrets_rotate: changing a secret (svctl secret set/rotate) and its
 * on_rotate job (see secrets.h); the restart of its consumers that follows
 * is secrets_restart.c's.
 *
 * A rotation with an on_rotate job writes the new values and, in the same
 * atomic write, the previous ones as a pending rotation (secrets_store.h).
 * Until the job has ended only the job gets the new values: a consumer that
 * starts meanwhile gets the previous ones, which are what the rest of the
 * system still uses. The job's success commits (the store is written
 * without the pending part, then the consumers restart); its failure puts
 * the previous values back. A job whose end svd did not see (svd killed or
 * stopped while it ran) has an unknown outcome: the next svd that opens the
 * store treats it as a failure and restores the previous values, and stops
 * the job if it still runs (taken over). Whatever the job had already
 * changed outside svd stays changed: rotating again installs a fresh value
 * the same way. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "sched.h"
#include "secrets.h"
#include "secrets_int.h"
#include "secrets_store.h"
#include "svd.h"

static void rot_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

void secrets_rotate_init(struct secrets *x)
{
        ev_timer_init(&x->rot_timer, rot_timer_cb, 0., 0.);
        x->rot_timer.data = x->m;
        secrets_restart_init(x);
}

void secrets_rotate_done(struct svd *m, struct secrets *x)
{
        if (m->loop)
                ev_timer_stop(m->loop, &x->rot_timer);
        secrets_restart_done(m, x);
        secrets_table_clear(&x->rot_old);
        free(x->last.secret);
        free(x->last.job);
        free(x->stale.secret);
        free(x->stale.job);
}

bool secrets_rotation_view(const struct secrets *x, struct secrets_pending *ret)
{
        if (!x->rot_active)
                return false;
        *ret = (struct secrets_pending){ .secret = x->m->cfg->secrets[x->rot_secret].name,
                                         .job = x->m->cfg->svcs[x->rot_job].name,
                                         .started = x->rot_started,
                                         .old = x->rot_old };
        return true;
}

/* Remembers how the last rotation with an on_rotate job ended. */
static void note_last(struct secrets *x, const char *secret, const char *job, bool ok, const char *reason)
{
        free(x->last.secret);
        free(x->last.job);
        x->last.secret = strdup(secret);
        x->last.job = strdup(job);
        x->last.ok = ok;
        snprintf(x->last.reason, sizeof x->last.reason, "%s", reason ? reason : "");
        x->last.time = now_real() / USEC_PER_SEC;
}

bool secrets_last_rotation(const struct svd *m, struct secrets_rotation_info *ret)
{
        const struct secrets *x = m->secrets;

        if (!x || !x->last.secret || !x->last.job)
                return false;
        *ret = (struct secrets_rotation_info){ .secret = x->last.secret,
                                               .job = x->last.job,
                                               .result = x->last.ok ? "done" : "failed",
                                               .reason = x->last.reason,
                                               .time = x->last.time };
        return true;
}

int secrets_value_for(struct secrets *x, size_t svc_index, const struct secret_config *d,
                      struct secrets_buf *ret, char *why, size_t wl)
{
        struct secrets_entry *e;

        if (x->rot_active && svc_index != x->rot_job && (e = secrets_table_find(&x->rot_old, d->name)))
                return secrets_buf_dup(ret, e->value.p, e->value.len);
        return secrets_value_of(x, d, ret, why, wl);
}

/* Puts the previous values of a rotation back into the table (each one
 * saved or not as it was: the store file holds the saved ones, as the
 * pending part of a rotation at least). */
static void put_back(struct secrets *x, struct secrets_table *old)
{
        for (size_t i = 0; i < old->n; i++) {
                bool unsaved = old->v[i].unsaved;

                if (secrets_table_put(&x->t, old->v[i].name, old->v[i].created, &old->v[i].value) >= 0)
                        secrets_table_find(&x->t, old->v[i].name)->unsaved = unsaved;
        }
        secrets_table_clear(old);
}

/* Removes the values a rotation of secret k gave to those of k and its
 * JWTs that had none before it (not in old): a failed rotation leaves them
 * without a value, as it found them. */
static void drop_new(struct secrets *x, size_t k, struct secrets_table *old)
{
        const struct svd_config *c = x->m->cfg;

        for (size_t i = 0; i < c->n_secrets; i++)
                if ((i == k || (c->secrets[i].kind == SECRET_JWT && c->secrets[i].jwt_index == k)) &&
                    !secrets_table_find(old, c->secrets[i].name))
                        secrets_table_remove(&x->t, c->secrets[i].name);
}

void secrets_rotation_recover(struct secrets *x, struct secrets_pending *p)
{
        struct secrets_entry *e;
        char why[300] = "";

        if (!p->secret)
                return;
        e = secrets_table_find(&x->t, p->secret);
        if (!e || e->created != p->started) {
                /* changed since (by an svd that did not know the pending part) */
                log_warn("secrets: the store holds a rotation of %s (on_rotate job %s) that its value has "
                         "since replaced; dropped",
                         p->secret, p->job);
        } else {
                size_t k;

                if (secrets_def_of(x->m, p->secret, &k))
                        drop_new(x, k, &p->old);
                put_back(x, &p->old);
                log_err("secrets: svd stopped while on_rotate job %s ran for %s; its outcome is unknown, "
                        "so %s keeps its previous value (rotate it again)",
                        p->job, p->secret, p->secret);
                note_last(x, p->secret, p->job, false, "svd stopped while the job ran");
                /* a job still running (taken over) is stopped once the
                 * services are: secrets_rotation_stop_stale */
                free(x->stale.secret);
                free(x->stale.job);
                x->stale.secret = strdup(p->secret);
                x->stale.job = strdup(p->job);
        }
        x->disk_pending = true;
        x->dirty = true; /* the file still holds the pending part */
        if (secrets_write_store(x, why, sizeof why) < 0) {
                log_err("secrets: %s; retried until it succeeds", why);
                secrets_save_later(x);
        }
        secrets_pending_clear(p);
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

void secrets_rotation_stop_stale(struct svd *m)
{
        struct secrets *x = m->secrets;
        _cleanup_(freep) char *secret = x ? x->stale.secret : NULL, *job = x ? x->stale.job : NULL;
        struct svc *s = job ? svd_find(m, job) : NULL;

        if (!x)
                return;
        x->stale.secret = x->stale.job = NULL;
        /* (a process here is one taken over: this svd started nothing
         * before its restore, and with a passphrase a job it started waits
         * for the unlock; one that ended while no svd ran is down) */
        if (!s || s->pid <= 0 || (s->state != ST_STARTING && !svc_state_up(s->state)))
                return;
        log_warn("secrets: stopping on_rotate job %s (pid %d), still running from the svd before this one: "
                 "the rotation of %s it runs for was rolled back",
                 job, (int)s->pid, secret);
        svd_request_stop(m, s);
}

static void rot_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        struct secrets *x = m->secrets;
        const char *name = m->cfg->secrets[x->rot_secret].name, *job = m->cfg->svcs[x->rot_job].name;
        char why[300] = "";

        bool had = secrets_table_find(&x->rot_old, name) != NULL;

        if (!x->rot_active)
                return; /* ended already */
        x->rot_active = false; /* what is written from now on has no pending part */
        x->dirty = true;
        if (!x->rot_ok) { /* the job could not install the new value */
                drop_new(x, x->rot_secret, &x->rot_old);
                put_back(x, &x->rot_old);
        } else /* before the commit: a crash in between restarts them with the old value, harmless */
                secrets_restart_mark(m, x->rot_secret, x->rot_job, NULL);
        if (secrets_write_store(x, why, sizeof why) < 0) {
                if (x->rot_ok) /* a failure is what a next svd would make of it anyway */
                        log_err("secrets: %s; retried until it succeeds; until then, a restart of svd "
                                "would undo this rotation",
                                why);
                else
                        log_err("secrets: %s; retried until it succeeds", why);
                secrets_save_later(x);
        }
        note_last(x, name, job, x->rot_ok, x->rot_ok ? NULL : x->rot_reason);
        if (x->rot_ok) {
                log_info("secrets: on_rotate job %s done; restarting consumers of %s", job, name);
                secrets_restart_stop(m, name);
        } else
                log_err("secrets: on_rotate job %s failed; %s %s", job, name,
                        had ? "keeps its previous value" : "has no value again");
        secrets_table_clear(&x->rot_old);
        sched_run(m);
}

void secrets_svc_state(struct svc *s)
{
        struct secrets *x = s->m->secrets;

        secrets_cred_wait_state(s); /* (whatever its definition says now) */
        if (!x)
                return;
        secrets_restart_check(s);
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
                /* (an expired timer whose callback has not run yet is
                 * pending, no longer active: arming it again would end the
                 * rotation twice) */
                else if (ended && !ev_is_active(&x->rot_timer) && !ev_is_pending(&x->rot_timer)) {
                        x->rot_ok = s->state == ST_EXITED;
                        if (s->state == ST_STOPPED)
                                log_warn("secrets: on_rotate job %s was stopped before it finished",
                                         s->cfg->name);
                        snprintf(x->rot_reason, sizeof x->rot_reason, "%s%s%s",
                                 s->state == ST_STOPPED ? "stopped before it finished" : "failed",
                                 s->state == ST_FAILED && s->reason && *s->reason ? ": " : "",
                                 s->state == ST_FAILED && s->reason ? s->reason : "");
                        ev_timer_set(&x->rot_timer, 0., 0.);
                        ev_timer_start(s->m->loop, &x->rot_timer);
                }
        }
        if (s->state == ST_STOPPED || s->state == ST_FAILED || s->state == ST_EXITED)
                secrets_cred_remove(x, s->cfg->name);
}

int secrets_change(struct svd *m, const char *name, const void *value, size_t len, char *why, size_t wl)
{
        struct secrets *x = m->secrets;
        const struct svd_config *c = m->cfg;
        const struct secret_config *d;
        uint64_t now = now_real() / USEC_PER_SEC;
        struct secrets_buf v = { 0 };
        _cleanup_(freep) bool *fresh = NULL;
        size_t k;
        ssize_t job = -1;
        bool was_dirty;
        int r;

        if ((r = secrets_usable(x, why, wl)) < 0)
                return r;
        if (!(d = secrets_def_of(m, name, &k))) {
                snprintf(why, wl, "unknown secret '%s'", name);
                return -ENOENT;
        }
        if (!secrets_stored_kind(d->kind)) {
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
        /* the rotation names its job and secret by index: a reload waiting
         * for its stops renumbers both when it switches over */
        if (job >= 0 && m->reload) {
                snprintf(why, wl, "a reload is under way; rotate %s when it is done", name);
                return -EBUSY;
        }
        if (value) {
                bool signing = false;
                const char *weak;

                /* as the consumers' start checks it (secrets_deliver.c): a
                 * value they would refuse must not stop them for it */
                for (size_t i = 0; i < c->n_secrets && !signing; i++)
                        signing = c->secrets[i].kind == SECRET_JWT && c->secrets[i].jwt_index == k;
                weak = secrets_weak_reason(value, len, signing);

                if (weak && !d->allow_weak)
                        return errf(why, wl, "the new value %s; set allow_weak: true to accept it", weak);
                /* files take any byte; an environment variable ends at a NUL
                 * (an env_file's reference counts for a consumer that
                 * declares the secret: secrets_env_expand) */
                for (size_t i = 0; memchr(value, 0, len) && i < c->n_svcs; i++) {
                        if (secrets_env_uses(&c->svcs[i], name))
                                return errf(why, wl,
                                            "the value for %s holds a NUL byte, which the environment of %s "
                                            "cannot carry (it uses ${secret:%s})",
                                            name, c->svcs[i].name, name);
                        if (secrets_svc_declares(&c->svcs[i], name) && svc_env_file_uses(&c->svcs[i], name))
                                return errf(why, wl,
                                            "the value for %s holds a NUL byte, which the environment of %s "
                                            "cannot carry (its env_file %s uses ${secret:%s})",
                                            name, c->svcs[i].name, c->svcs[i].env_file, name);
                }
        }
        if (job < 0 && !(fresh = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool))))
                return errf(why, wl, "%s", strerror(ENOMEM));
        /* keep the previous values until the on_rotate job has installed the new one */
        secrets_table_clear(&x->rot_old);
        for (size_t i = 0; i < c->n_secrets; i++) {
                struct secrets_entry *e = secrets_table_find(&x->t, c->secrets[i].name);
                struct secrets_buf old;

                if (!e || (i != k && !(c->secrets[i].kind == SECRET_JWT && c->secrets[i].jwt_index == k)))
                        continue;
                if ((r = secrets_buf_dup(&old, e->value.p, e->value.len)) < 0 ||
                    (r = secrets_table_put(&x->rot_old, e->name, e->created, &old)) < 0) {
                        secrets_buf_free(&old);
                        secrets_table_clear(&x->rot_old);
                        return errf(why, wl, "%s", strerror(-r));
                }
                secrets_table_find(&x->rot_old, e->name)->unsaved = e->unsaved;
        }
        was_dirty = x->dirty;
        if (value)
                r = secrets_buf_dup(&v, value, len);
        else if (d->kind == SECRET_JWT)
                r = secrets_mint(x, d, now, why, wl);
        else
                r = secrets_gen_value(d, &v);
        if (r >= 0 && d->kind != SECRET_JWT)
                r = secrets_put_unsaved(x, name, now, &v);
        secrets_buf_free(&v);
        for (size_t i = 0; r >= 0 && i < c->n_secrets; i++)
                if (c->secrets[i].kind == SECRET_JWT && c->secrets[i].jwt_index == k)
                        r = secrets_mint(x, &c->secrets[i], now, why, wl);
        if (job >= 0) {
                /* written with the new values: a crash from now on cannot lose the old ones */
                x->rot_active = true;
                x->rot_job_ran = false;
                x->rot_job = (size_t)job;
                x->rot_secret = k;
                x->rot_started = now;
                x->rot_reason[0] = 0;
        }
        /* the consumers to restart are in the state file before the new
         * value is in the store (secrets_restart.c) */
        if (r >= 0 && job < 0)
                secrets_restart_mark(m, k, SIZE_MAX, fresh);
        if (r >= 0)
                r = secrets_write_store(x, why, wl);
        if (r < 0) {
                if (!*why)
                        snprintf(why, wl, "%s", strerror(-r));
                x->rot_active = false;
                /* as before: a value this change gave a secret that had none goes too */
                drop_new(x, k, &x->rot_old);
                put_back(x, &x->rot_old);
                x->dirty = was_dirty;
                if (fresh)
                        secrets_restart_unmark(m, fresh);
                return r;
        }
        log_info("secrets: %s %s (and its JWTs)", value ? "set" : "rotated", name);
        secrets_warn_unlocked();
        if (job >= 0) {
                log_info("secrets: running on_rotate job %s for %s", d->on_rotate, name);
                svd_request_restart(m, m->svcs[job]);
                return 0;
        }
        secrets_table_clear(&x->rot_old);
        secrets_restart_stop(m, name);
        return 0;
}

const char *secrets_pending_job(const struct svd *m)
{
        const struct secrets *x = m->secrets;

        return x && x->rot_active ? m->cfg->svcs[x->rot_job].name : NULL;
}

const char *secrets_pending_secret(const struct svd *m)
{
        const struct secrets *x = m->secrets;

        return x && x->rot_active ? m->cfg->secrets[x->rot_secret].name : NULL;
}

const char *secrets_busy(const struct svd *m)
{
        const struct secrets *x = m->secrets;

        if (!x)
                return NULL;
        if (x->unlock) /* the new instance would start locked, the request unanswered */
                return x->status == SECRETS_LOCKED
                               ? "an unlock is deriving the key"
                               : "the secrets store is being re-encrypted for secrets_kdf";
        if (x->rot_active || ev_is_active(&x->rot_timer))
                return "a secret rotation is waiting for its on_rotate job";
        if (x->disk_pending) /* its end could not be written: a new instance would undo it */
                return "the secrets store could not be written since a rotation ended";
        if (x->dirty) /* a new instance would not have the values only memory holds */
                return "the secrets store could not be written (see svd's log)";
        /* (consumers on their way to a restart are in the state handed
         * over: the new instance finishes it, secrets_restart.c) */
        return NULL;
}
