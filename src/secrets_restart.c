/* secrets_restart: the restart of a changed secret's consumers (see
 * secrets.h), and how it outlives svd.
 *
 * The running consumers are marked, stopped last wave first, and started
 * again first wave first once every marked one is down, so none starts
 * beside a dependency that still has the old value. The marks are part of
 * svd's state (the state file and what daemon-reexec hands over, as
 * "secrets_restart": the names): they are written before the first
 * consumer is stopped, so a svd killed or crashed while they go down leaves
 * them to the next one, which finishes the restart (snapshot.c calls
 * secrets_snapshot_restore once the services are taken over). They are
 * dropped in the loop iteration that starts the consumers, and the write
 * that follows carries both: a state file never names a consumer that was
 * already started with the new value. Written before the store itself, a
 * crash between the two writes restarts the consumers with the value they
 * already had: once too often, never once too few.
 *
 * The operator's word comes first: a consumer stopped with svctl stop while
 * it waits in that restart leaves it and stays down (the others still wait
 * until it is down, as it still has the old value; that wait is in the
 * state too, as "secrets_restart_left"); one started with svctl start or
 * restart leaves it and runs now, with the new value, and the others no
 * longer wait for it. Nor does the restart start a consumer that needs,
 * directly or not, a service the operator stopped: it would pull it up. */
#include <errno.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "sched.h"
#include "secrets.h"
#include "secrets_int.h"
#include "statefile.h"
#include "svd.h"

static void start_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

void secrets_restart_init(struct secrets *x)
{
        ev_timer_init(&x->start_timer, start_timer_cb, 0., 0.);
        x->start_timer.data = x->m;
}

void secrets_restart_done(struct svd *m, struct secrets *x)
{
        if (m->loop)
                ev_timer_stop(m->loop, &x->start_timer);
}

static bool running(const struct svc *s)
{
        return svc_state_up(s->state) || s->state == ST_STARTING;
}

size_t secrets_restart_mark(struct svd *m, size_t k, size_t skip, bool *fresh)
{
        struct secrets *x = m->secrets;
        size_t n = 0;

        for (size_t i = 0; i < m->n_svcs; i++) {
                if (i == skip || x->restart_set[i] || !secrets_svc_affected(m, i, k))
                        continue;
                if (!running(m->svcs[i]))
                        continue; /* picks up the new value at its next start */
                x->restart_set[i] = MARK_START;
                if (fresh)
                        fresh[i] = true;
                n++;
        }
        if (n)
                statefile_write_now(m);
        return n;
}

void secrets_restart_unmark(struct svd *m, const bool *fresh)
{
        struct secrets *x = m->secrets;
        bool any = false;

        for (size_t i = 0; i < m->n_svcs; i++)
                if (fresh[i]) {
                        x->restart_set[i] = MARK_NONE;
                        any = true;
                }
        if (any)
                statefile_touch(m);
}

void secrets_restart_stop(struct svd *m, const char *secret)
{
        struct secrets *x = m->secrets;

        for (unsigned w = m->n_waves; w-- > 0;)
                for (size_t i = 0; i < m->n_svcs; i++)
                        if (m->wave_of[i] == w && x->restart_set[i] == MARK_START && running(m->svcs[i])) {
                                log_info("secrets: restarting %s for the new %s", m->svcs[i]->cfg->name,
                                         secret ? secret : "value of a secret");
                                svd_request_stop(m, m->svcs[i]);
                        }
        for (size_t i = 0; i < m->n_svcs; i++)
                if (x->restart_set[i]) {
                        secrets_restart_check(m->svcs[i]); /* they may all be down already */
                        break;
                }
}

void secrets_restart_check(struct svc *s)
{
        struct svd *m = s->m;
        struct secrets *x = m->secrets;

        if (!x->restart_set || !x->restart_set[s->index] || ev_is_active(&x->start_timer) ||
            ev_is_pending(&x->start_timer))
                return;
        for (size_t i = 0; i < m->n_svcs; i++)
                if (x->restart_set[i] && svc_state_active(m->svcs[i]->state))
                        return; /* (a MARK_LEFT one too: it still has the old value) */
        ev_timer_set(&x->start_timer, 0., 0.);
        ev_timer_start(m->loop, &x->start_timer);
}

/* Its start would pull up its dependencies (sched_pull_in): not one held
 * stopped, by the operator or otherwise (the marked ones it needs, an
 * earlier wave, are started by now). Without memory to look, it starts, as
 * it did before the check. */
static void start_consumer(struct svd *m, struct svc *s)
{
        struct svc *dep = NULL;

        if (sched_held_dependency(m, s, &dep) > 0) {
                log_info("secrets: %s is left stopped: its dependency %s is held stopped "
                         "(svctl start %s starts both)",
                         s->cfg->name, dep->cfg->name, s->cfg->name);
                return;
        }
        svd_request_start(m, s);
}

static void start_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        struct secrets *x = m->secrets;

        for (unsigned wv = 0; wv < m->n_waves; wv++)
                for (size_t i = 0; i < m->n_svcs; i++)
                        if (m->wave_of[i] == wv && x->restart_set[i]) {
                                bool start = x->restart_set[i] == MARK_START;

                                x->restart_set[i] = MARK_NONE;
                                if (start)
                                        start_consumer(m, m->svcs[i]);
                        }
        sched_run(m);
        statefile_touch(m); /* (their starts write it too, unless none changed state) */
}

void secrets_operator_request(struct svd *m, struct svc *s, bool stop)
{
        struct secrets *x = m->secrets;
        unsigned char was = x && x->restart_set ? x->restart_set[s->index] : MARK_NONE;

        if (was == MARK_NONE || (stop && was == MARK_LEFT))
                return;
        if (stop) {
                log_info("secrets: %s is left stopped: the operator stopped it while it waited to restart "
                         "for a changed secret",
                         s->cfg->name);
                x->restart_set[s->index] = MARK_LEFT;
        } else {
                log_info("secrets: %s was started by the operator while it waited to restart for a changed "
                         "secret; the other consumers no longer wait for it",
                         s->cfg->name);
                x->restart_set[s->index] = MARK_NONE;
        }
        for (size_t i = 0; i < m->n_svcs; i++)
                if (x->restart_set[i]) {
                        secrets_restart_check(m->svcs[i]); /* s may have been the last one up */
                        break;
                }
}

bool secrets_restarting(const struct svd *m)
{
        const struct secrets *x = m->secrets;

        for (size_t i = 0; x && x->restart_set && i < m->n_svcs; i++)
                if (x->restart_set[i] == MARK_START)
                        return true;
        return false;
}

bool secrets_restart_holds(const struct svd *m, const struct svc *s)
{
        const struct secrets *x = m->secrets;

        return x && x->restart_set && x->restart_set[s->index] == MARK_START;
}

static void save_names(struct svd *m, cJSON *state, const char *key, unsigned char mark)
{
        struct secrets *x = m->secrets;
        cJSON *a = NULL;

        for (size_t i = 0; x && x->restart_set && i < m->n_svcs; i++) {
                if (x->restart_set[i] != mark)
                        continue;
                if (!a && !(a = cJSON_AddArrayToObject(state, key)))
                        return;
                cJSON_AddItemToArray(a, cJSON_CreateString(m->svcs[i]->cfg->name));
        }
}

void secrets_snapshot_save(struct svd *m, cJSON *state)
{
        save_names(m, state, "secrets_restart", MARK_START);
        save_names(m, state, "secrets_restart_left", MARK_LEFT);
}

void secrets_snapshot_restore(struct svd *m, const cJSON *state)
{
        struct secrets *x = m->secrets && m->secrets->restart_set ? m->secrets : NULL;
        const cJSON *n;
        bool any = false;

        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(state, "secrets_restart")) {
                const char *name = cJSON_GetStringValue(n);
                struct svc *s = name ? svd_find(m, name) : NULL;

                if (!s) {
                        if (name)
                                log_warn("secrets: %s was stopped for a changed secret and is no longer "
                                         "configured",
                                         name);
                        continue;
                }
                /* on its way up again (a restart after an exit while no svd
                 * ran): it gets the current value anyway */
                if (s->state == ST_WAITING || s->state == ST_BACKOFF)
                        continue;
                if (!x) { /* the configuration defines no secrets any more */
                        log_info("secrets: %s was stopped for a changed secret; starting it again", name);
                        svd_request_start(m, s);
                        continue;
                }
                if (!running(s))
                        log_info("secrets: %s was stopped for a changed secret by the svd before this one; "
                                 "it starts again with the new value once the other consumers are down",
                                 name);
                x->restart_set[s->index] = MARK_START;
                any = true;
        }
        /* stopped by the operator during the restart: the others still wait
         * while one is on its way down (taken over, with the old value) */
        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(state, "secrets_restart_left")) {
                const char *name = cJSON_GetStringValue(n);
                struct svc *s = name ? svd_find(m, name) : NULL;

                if (x && s && !x->restart_set[s->index] && svc_state_active(s->state))
                        x->restart_set[s->index] = MARK_LEFT;
        }
        if (any)
                secrets_restart_stop(m, NULL); /* one still up has the old value */
        secrets_rotation_stop_stale(m);
}
