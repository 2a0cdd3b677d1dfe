/* snapshot: see snapshot.h. Saving reads the running objects; restoring
 * writes fresh ones (built by svd_init from the configuration) and re-arms
 * their watchers through the owning modules (svc, health, logpipe, cgroup,
 * timer), which know what each state needs running. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dl_sodium.h"

#include <sys/wait.h>

#include "cgroup.h"
#include "fdstore.h"
#include "control.h"
#include "events.h"
#include "health.h"
#include "log.h"
#include "mainpid.h"
#include "logpipe.h"
#include "logsink.h"
#include "notify.h"
#include "orphanstop.h"
#include "profile.h"
#include "reexec.h"
#include "reload.h"
#include "sched.h"
#include "secrets.h"
#include "nofile.h"
#include "config_digest.h"
#include "snapshot.h"
#include "snapshot_print.h"
#include "statecheck.h"
#include "statefile.h"
#include "statejournal.h"
#include "svd.h"
#include "timer.h"

/* ---- saving ---- */

/* A number as its integer text. Every value saved here is a count, an id
 * or a time in microseconds; cJSON prints one beyond the range of int with
 * "%1.15g", reads it back with sscanf and prints it again with "%1.17g" if it
 * did not survive: a few microseconds per timestamp, a dozen timestamps per
 * service, at every state write (with hundreds of services restarting, the
 * writes were most of svd's CPU). The text is the same number; a timer's
 * remaining time loses its fraction of a microsecond. */
static cJSON *int_item(double v)
{
        char b[24];
        if (!(v > -9.0e15 && v < 9.0e15)) /* beyond exact doubles, or NaN */
                return cJSON_CreateNumber(v);
        snprintf(b, sizeof b, "%lld", (long long)(v < 0 ? v - 0.5 : v + 0.5));
        return cJSON_CreateRaw(b);
}

static void put(cJSON *o, const char *k, double v)
{
        cJSON_AddItemToObject(o, k, int_item(v));
}

static double left_of(struct ev_loop *loop, ev_timer *w)
{
        return ev_is_active(w) ? ev_timer_remaining(loop, w) * 1e6 : -1;
}

/* Base64 of bytes not yet a line (rare: libsodium is loaded only then);
 * NULL if out of memory or libsodium cannot load. */
static char *b64(const char *p, size_t n)
{
        char why[256];
        if (dynlib_acquire(&dl_sodium, why, sizeof why) < 0) {
                log_err("state: %zu log bytes not saved: %s", n, why);
                return NULL;
        }
        size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
        char *out = malloc(len);
        if (out)
                sodium_bin2base64(out, len, (const unsigned char *)p, n, sodium_base64_VARIANT_ORIGINAL);
        dynlib_release(&dl_sodium);
        return out;
}

/* The descriptors a daemon-reexec hands over, -1 terminated; the state file
 * passes none (NULL): it names them, the new svd needs them only on exec. */
struct fdlist {
        int *v;
        size_t n, cap;
};

static int push_fd(struct fdlist *l, int fd)
{
        if (fd < 0 || !l)
                return 0;
        if (l->n + 2 > l->cap) { /* doubling: a realloc per descriptor left a free chunk of each size */
                size_t cap = l->cap ? 2 * l->cap : 64;
                int *p = realloc(l->v, cap * sizeof(int));
                if (!p)
                        return -ENOMEM;
                l->v = p;
                l->cap = cap;
        }
        l->v[l->n++] = fd;
        l->v[l->n] = -1;
        return 0;
}

static cJSON *save_log(struct logsink *k, struct fdlist *fds)
{
        _cleanup_(freep) char *pending = NULL;
        cJSON *o = cJSON_CreateObject();
        static const char *const names[] = { "out", "err" };
        if (!o)
                return NULL;
        logsink_write_out(k); /* what can be written goes to the file now */
        for (int i = 0; i < 2; i++) {
                struct logstream *st = &k->st[i];
                cJSON *so = cJSON_AddObjectToObject(o, names[i]);
                if (!so || push_fd(fds, st->rfd) < 0 || push_fd(fds, st->wfd) < 0)
                        goto fail;
                put(so, "rfd", st->rfd);
                put(so, "wfd", st->wfd);
                /* a line still without its end: for a re-exec only (the
                 * state file's reader gets the pipes from svd-fdstore, and
                 * this svd's buffer is lost with it); bytes libsodium cannot
                 * encode are left out (b64 says so), not the whole state */
                _cleanup_(freep) char *e = fds && st->buf && st->len ? b64(st->buf, st->len) : NULL;
                if (e && !cJSON_AddStringToObject(so, "partial", e))
                        goto fail;
                if (st->piece_bytes) /* ... whose pieces are in the file: its rest goes there too */
                        put(so, "piece_bytes", (double)st->piece_bytes);
                if (fds && st->in_line) /* ... or were dropped by the rate limit: its rest too */
                        cJSON_AddBoolToObject(so, st->line_dropped ? "line_dropped" : "in_line", true);
        }
        /* formatted, not written (disk full): the file gets it later (as above) */
        if (fds && k->olen && (pending = b64(k->out, k->olen))) {
                if (!cJSON_AddStringToObject(o, "pending", pending))
                        goto fail;
                put(o, "pending_lines", (double)k->olines);
                put(o, "pending_raw", (double)k->oraw);
        }
        put(o, "dropped_bytes", (double)k->dropped_bytes);
        if (fds && k->win_lines) { /* the rate limit's window goes on in the next svd */
                put(o, "rate_start", (double)k->win_start);
                put(o, "rate_lines", k->win_lines);
                put(o, "rate_dropped", (double)k->win_dropped);
                put(o, "rate_burst", k->lc->rate_burst);
                put(o, "rate_interval", (double)k->lc->rate_interval);
        }
        if (k->gap_bytes) { /* dropped, not yet noted in the file */
                put(o, "gap_bytes", (double)k->gap_bytes);
                put(o, "gap_lines", (double)k->gap_lines);
                put(o, "gap_err", (double)k->gap_err);
        }
        return o;
fail:
        cJSON_Delete(o);
        return NULL;
}

static cJSON *save_svc(struct svd *m, struct svc *s, struct fdlist *fds)
{
        cJSON *o = cJSON_CreateObject();
        char hex[2 * CONFIG_DIGEST_BYTES + 1];
        if (!o)
                return NULL;
        config_digest_hex(s->cfg->digest, hex);
        cJSON_AddStringToObject(o, "name", s->cfg->name);
        /* ("fingerprint": an older svd wrote a BLAKE2b "digest", which no
         * fingerprint equals: read as not recorded, not as changed) */
        cJSON_AddStringToObject(o, "fingerprint", hex);
        /* without its logging: (applied live: no change of what runs) */
        config_digest_hex(s->cfg->restart_digest, hex);
        cJSON_AddStringToObject(o, "restart_fingerprint", hex);
        /* what it took from the main file's defaults: (changed on disk
         * before a re-exec, only this tells the next instance) */
        config_digest_hex(s->cfg->defaults_digest, hex);
        cJSON_AddStringToObject(o, "defaults_fingerprint", hex);
        if (s->cfg_stale) /* (the digest of what runs is not known) */
                cJSON_AddBoolToObject(o, "stale", true);
        cgroup_live_save(s, o);
        if (s->cg_path) /* (a slice moved on disk: the next instance finds it) */
                cJSON_AddStringToObject(o, "cgroup", s->cg_path);
        cJSON_AddStringToObject(o, "state", svc_state_name(s->state));
        cJSON_AddStringToObject(o, "health", svc_health_name(s->health));
        put(o, "pid", s->pid);
        put(o, "pgid", s->pgid);
        cJSON_AddBoolToObject(o, "pgid_leader_reaped", s->pgid_leader_reaped);
        cJSON_AddBoolToObject(o, "self_stop", s->self_stop);
        cJSON_AddBoolToObject(o, "kill_sent", s->kill_sent);
        put(o, "since_real", (double)s->since_real);
        put(o, "since_mono", (double)s->since_mono);
        put(o, "health_since_real", (double)s->health_since_real);
        put(o, "spawned_mono", (double)s->spawned_mono);
        put(o, "up_mono", (double)s->up_mono);
        put(o, "first_spawn_mono", (double)s->first_spawn_mono);
        put(o, "first_prep_mono", (double)s->first_prep_mono); /* the boot summary's (svctl status --boot) */
        put(o, "first_exec_mono", (double)s->first_exec_mono);
        put(o, "ready_mono", (double)s->ready_mono);
        put(o, "restarts", s->restarts);
        put(o, "restarts_total", (double)s->restarts_total);
        put(o, "cpu_usec_gone", (double)s->cpu_usec_gone);
        put(o, "attempt", s->attempt);
        cJSON *st = cJSON_AddArrayToObject(o, "starts");
        for (unsigned i = 0; st && i < s->starts.n; i++) /* oldest first */
                cJSON_AddItemToArray(st, int_item((double)start_history_at(&s->starts, i)));
        cJSON_AddBoolToObject(o, "has_exit", s->has_exit);
        put(o, "exit_status", s->exit_status);
        cJSON_AddStringToObject(o, "reason", s->reason);
        cJSON_AddStringToObject(o, "status_text", s->status_text);
        cJSON_AddStringToObject(o, "last_failure", s->last_failure);
        /* A reload under way holds what it stops (reload.h); the svd that
         * reads this has no reload: it gets the operator's hold, and what
         * the reload was to start again starts once down (restore()). */
        const struct reload_item *it = reload_leaving(m, s);
        cJSON_AddBoolToObject(o, "held", it ? it->operator_held : s->held);
        cJSON_AddBoolToObject(o, "stop_requested", s->stop_requested);
        cJSON_AddBoolToObject(o, "restart_after_stop", s->restart_after_stop || (it && it->start_after));
        if (it && it->start_after)
                cJSON_AddBoolToObject(o, "reload_start", true);
        cJSON_AddBoolToObject(o, "stop_after_followers", s->stop_after_followers);
        cJSON_AddBoolToObject(o, "dep_failed", s->dep_failed);
        put(o, "stop_outcome", s->stop_outcome);
        put(o, "probe_failures", s->probe_failures);
        put(o, "probe_pid", s->probe_pid > 0 ? s->probe_pid : 0);
        cJSON_AddBoolToObject(o, "probe_passed", s->probe_passed);
        cJSON_AddStringToObject(o, "probe_detail", s->probe_detail);
        put(o, "last_probe_real", (double)s->last_probe_real);
        put(o, "oom_seen", (double)s->oom_seen);
        put(o, "oom_kills", (double)s->oom_kills);
        put(o, "oom_at_spawn", (double)s->oom_at_spawn);
        cJSON_AddBoolToObject(o, "exit_oom", s->exit_oom);
        cJSON_AddBoolToObject(o, "exit_unknown", s->exit_unknown);
        put(o, "notify_dropped", (double)s->notify_dropped);
        cJSON_AddBoolToObject(o, "exit_pending", s->exit_pending);
        put(o, "pending_status", s->pending_status);
        cJSON_AddBoolToObject(o, "pending_unknown", s->exit_pending && s->exit_unknown_next);
        put(o, "timer_left", left_of(m->loop, &s->timer));
        put(o, "start_left", s->probe_timer.data == s ? left_of(m->loop, &s->start_timer) : -1);
        put(o, "watchdog_left", s->probe_timer.data == s ? left_of(m->loop, &s->watchdog_timer) : -1);
        put(o, "watchdog_usec", s->watchdog_override ? (double)s->watchdog_override_usec : -1);
        if (s->log) {
                cJSON *l = save_log(s->log, fds);
                if (!l) {
                        cJSON_Delete(o);
                        return NULL;
                }
                cJSON_AddItemToObject(o, "log", l);
        }
        cJSON *t = timer_save_json(s);
        if (t)
                cJSON_AddItemToObject(o, "timer", t);
        return o;
}

int snapshot_write(struct svd *m, int fd, bool exec, int **ret_fds)
{
        cJSON *h = cJSON_CreateObject();
        struct fdlist fdl = { 0 }, *fds = exec ? &fdl : NULL;
        struct printbuf pb = { .fd = fd };
        int r;
        if (!h)
                return -ENOMEM;
        cJSON_AddStringToObject(h, "format", REEXEC_STATE_FORMAT);
        put(h, "version", REEXEC_STATE_VERSION);
        cJSON_AddStringToObject(h, "svd", SVD_VERSION);
        usec_t saved = now_mono();
        put(h, "saved_mono", (double)saved);
        if (statefile_boot_id()) /* what "mono" and the pids' start times count from */
                cJSON_AddStringToObject(h, "boot_id", statefile_boot_id());
        cJSON *b = cJSON_AddObjectToObject(h, "boot");
        if (b) {
                put(b, "mono", (double)m->boot_mono);
                put(b, "real", (double)m->boot_real);
                put(b, "done_mono", (double)m->boot_done_mono);
                /* the boot summary's other figures (svctl status --boot) */
                put(b, "main_mono", (double)m->main_mono);
                put(b, "main_cpu", (double)m->main_cpu_usec);
                put(b, "main_cpu_sys", (double)m->main_cpu_sys_usec);
                put(b, "cpu", (double)m->boot_cpu_usec);
                put(b, "cpu_sys", (double)m->boot_cpu_sys_usec);
        }
        secrets_snapshot_save(m, h); /* consumers of a changed secret to start again */
        orphanstop_save(m, h);
        (void)reload_settings_save(m->cfg, h); /* (out of memory: a reload just names no defaults change) */
        if (exec) {
                cJSON *f = cJSON_AddObjectToObject(h, "fds");
                if (!f || push_fd(fds, control_listen_fd(m->ctl)) < 0 || push_fd(fds, notify_fd(m->notify)) < 0) {
                        cJSON_Delete(h);
                        free(fdl.v);
                        return -ENOMEM;
                }
                put(f, "control", control_listen_fd(m->ctl));
                nofile_save(h); /* what services start with, not the raised one this exec keeps */
                put(f, "notify", notify_fd(m->notify));
                /* svctl events' history (a state file has no use for it) */
                cJSON_AddItemToObject(h, "events", events_save_json(m));
                /* compressions under way: the next svd finishes them (else
                 * it would compress their files a second time) */
                cJSON *gz = cJSON_AddArrayToObject(h, "gzip");
                pid_t gp;
                const char *gs;
                for (size_t i = 0; gz && logcompress_running_at(m->logs, i, &gp, &gs); i++) {
                        cJSON *j = cJSON_CreateObject();
                        if (j && cJSON_AddStringToObject(j, "src", gs)) {
                                put(j, "pid", gp);
                                cJSON_AddItemToArray(gz, j);
                        } else
                                cJSON_Delete(j);
                }
                /* passphrase mode: the unlocked key, in a sealed memfd (secrets_handoff.c),
                 * for a binary that said it takes it (reexec.h) */
                int kfd = secrets_handoff_fd(m, m->reexec_key_fd);
                if (kfd >= 0 && push_fd(fds, kfd) == 0)
                        put(f, "secrets_key", kfd);
                else if (kfd != -ENOENT)
                        log_warn("daemon-reexec: cannot hand the secrets key over (%s); the store will be "
                                 "locked again",
                                 kfd == -EPROTONOSUPPORT ? "the new binary does not take it"
                                                         : strerror(kfd < 0 ? -kfd : ENOMEM));
        } else { /* the state file: who wrote it, to tell a dead svd from a live one */
                /* both as /proc shows them, where the next svd looks them
                 * up: where /proc is another PID namespace's, /proc/getpid()
                 * is another process */
                static unsigned long long own_start; /* an exec keeps it */
                static pid_t own_pid;
                if (!own_start)
                        own_start = statefile_self_start();
                if (!own_pid)
                        own_pid = statefile_self_pid();
                put(h, "svd_pid", own_pid);
                put(h, "svd_start", (double)own_start);
                m->state_saved_mono = saved; /* state.journal follows it (statejournal.h) */
        }
        r = write_json(&pb, h, true);
        if (r >= 0)
                r = pb_add(&pb, ",\"services\":[");
        /* one service at a time: memory stays small whatever their number */
        for (size_t i = 0; r >= 0 && i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                cJSON *o = save_svc(m, s, fds);
                if (o && !exec && s->pid > 0) {
                        /* read once per process, not at every write (a
                         * change of s->pid clears it: spawn, MAINPID=, exit) */
                        if (!s->start_time)
                                s->start_time = statefile_pid_start(s->pid);
                        put(o, "pid_start", (double)s->start_time);
                }
                if (i)
                        r = pb_add(&pb, ",");
                if (r >= 0)
                        r = write_json(&pb, o, false);
                else
                        cJSON_Delete(o);
        }
        if (r >= 0)
                r = pb_add(&pb, "]}");
        if (r >= 0)
                r = pb_flush(&pb);
        if (r >= 0) /* (the state file's size: statereserve.h) */
                r = pb.total > INT_MAX ? INT_MAX : (int)pb.total;
        free(pb.p);
        if (r >= 0 && ret_fds)
                *ret_fds = fdl.v;
        else
                free(fdl.v);
        return r;
}

/* ---- restoring ---- */

static double num(const cJSON *o, const char *k, double dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static bool flag(const cJSON *o, const char *k)
{
        return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void text_max(const cJSON *o, const char *k, char **dst, size_t max)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        str_set_max(dst, cJSON_IsString(v) ? v->valuestring : "", max);
}

static void text(const cJSON *o, const char *k, char **dst)
{
        text_max(o, k, dst, STR_SHORT_MAX);
}

static int fd_of(const cJSON *o, const char *k)
{
        double v = num(o, k, -1);
        return v >= 0 && v < 1 << 20 ? (int)v : -1;
}

static int state_of(const char *name)
{
        for (int i = 0; name && i < _ST_MAX; i++)
                if (strcmp(svc_state_name((enum svc_state)i), name) == 0)
                        return i;
        return -1;
}

static int health_of(const char *name)
{
        for (int i = 0; name && i < _HEALTH_MAX; i++)
                if (strcmp(svc_health_name((enum svc_health)i), name) == 0)
                        return i;
        return HEALTH_NONE;
}

/* snapshot_restore() could load libsodium (base64): without it the state is
 * still restored, less the log bytes that were not yet a line. */
static bool have_sodium;

/* Decoded base64 of o[k] into *ret (malloc'd), or 0 bytes. */
static size_t unb64(const cJSON *o, const char *k, char **ret)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        size_t n = 0, len;
        *ret = NULL;
        if (!have_sodium || !cJSON_IsString(v) || !(len = strlen(v->valuestring)))
                return 0;
        if (!(*ret = malloc(len)) ||
            sodium_base642bin((unsigned char *)*ret, len, v->valuestring, len, NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
                free(*ret);
                *ret = NULL;
                return 0;
        }
        return n;
}

static void restore_log(struct svd *m, struct svc *s, const cJSON *l)
{
        static const char *const names[] = { "out", "err" };
        int fds[4];
        if (m->adopting) {
                /* after a kill: the pipes come from svd-fdstore; what the dead
                 * svd had buffered is lost with it (the state file is older) */
                if (!fdstore_take(m, s->cfg->name, fds))
                        return;
                if (logpipe_adopt(s, fds) < 0)
                        log_err("%s: cannot take over its log pipes", s->cfg->name);
                else
                        s->log->dropped_bytes = (uint64_t)num(l, "dropped_bytes", 0);
                return;
        }
        for (int i = 0; i < 2; i++) {
                const cJSON *so = cJSON_GetObjectItemCaseSensitive(l, names[i]);
                fds[2 * i] = fd_of(so, "rfd");
                fds[2 * i + 1] = fd_of(so, "wfd");
        }
        if (logpipe_adopt(s, fds) < 0) {
                log_err("%s: cannot take over its log pipes; output from now on may be lost", s->cfg->name);
                return;
        }
        struct logsink *k = s->log;
        for (int i = 0; i < 2; i++) { /* (before the gap's note, which may rotate) */
                const cJSON *so = cJSON_GetObjectItemCaseSensitive(l, names[i]);
                k->st[i].piece_bytes = (uint64_t)num(so, "piece_bytes", 0);
                k->st[i].line_dropped = flag(so, "line_dropped");
                k->st[i].in_line = k->st[i].line_dropped || flag(so, "in_line");
        }
        logpipe_restore_gap(k, (uint64_t)num(l, "gap_bytes", 0), (uint64_t)num(l, "gap_lines", 0),
                            (int)num(l, "gap_err", 0));
        for (int i = 0; i < 2; i++) {
                char *p;
                size_t n = unb64(cJSON_GetObjectItemCaseSensitive(l, names[i]), "partial", &p);
                if (n)
                        logpipe_restore_partial(k, i, p, n);
                free(p);
        }
        char *p;
        size_t n = unb64(l, "pending", &p);
        if (n)
                logpipe_restore_pending(k, p, n, (size_t)num(l, "pending_lines", 0), (uint64_t)num(l, "pending_raw", 0));
        free(p);
        k->dropped_bytes = (uint64_t)num(l, "dropped_bytes", 0);
        const double rate[5] = { num(l, "rate_start", 0), num(l, "rate_lines", 0), num(l, "rate_dropped", 0),
                                 num(l, "rate_burst", 0), num(l, "rate_interval", 0) };
        logsink_rate_restore(k, rate);
}

/* A saved "time left" minus the time since the save (>= 0), or < 0 if none. */
static double left(const cJSON *o, const char *k, double elapsed)
{
        double v = num(o, k, -1);
        return v < 0 ? v : v > elapsed ? v - elapsed : 0;
}

static void restore_svc(struct svd *m, struct svc *s, const cJSON *o, double elapsed)
{
        int st = state_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "state")));
        s->state = st >= 0 ? (enum svc_state)st : ST_STOPPED;
        s->health = (enum svc_health)health_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "health")));
        s->pid = (pid_t)num(o, "pid", 0);
        s->start_time = 0;
        s->pgid = (pid_t)num(o, "pgid", s->pid);
        mainpid_group_restored(s, flag(o, "pgid_leader_reaped"));
        s->self_stop = flag(o, "self_stop");
        /* (svd's SIGKILL at the stop timeout: its exit is not a crash, and
         * the timer left is the wait for that exit, not the stop timeout) */
        s->kill_sent = s->state == ST_STOPPING && flag(o, "kill_sent");
        s->since_real = (usec_t)num(o, "since_real", (double)s->since_real);
        s->since_mono = (usec_t)num(o, "since_mono", (double)s->since_mono);
        s->health_since_real = (usec_t)num(o, "health_since_real", 0);
        s->spawned_mono = (usec_t)num(o, "spawned_mono", 0);
        s->up_mono = (usec_t)num(o, "up_mono", 0);
        s->first_spawn_mono = (usec_t)num(o, "first_spawn_mono", 0);
        s->first_prep_mono = (usec_t)num(o, "first_prep_mono", 0);
        s->first_exec_mono = (usec_t)num(o, "first_exec_mono", 0);
        s->ready_mono = (usec_t)num(o, "ready_mono", 0);
        s->restarts = (unsigned)num(o, "restarts", 0);
        /* (an older svd's snapshot has only the count since the last fresh start) */
        s->restarts_total = (uint64_t)num(o, "restarts_total", s->restarts);
        s->cpu_usec_gone = (uint64_t)num(o, "cpu_usec_gone", 0);
        s->attempt = (unsigned)num(o, "attempt", 0);
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "starts"))
                if (cJSON_IsNumber(t))
                        start_history_add(&s->starts, (usec_t)t->valuedouble, s->cfg->start_limit.burst);
        s->has_exit = flag(o, "has_exit");
        s->exit_status = (int)num(o, "exit_status", 0);
        text_max(o, "reason", &s->reason, SVC_REASON_MAX);
        text(o, "status_text", &s->status_text);
        text(o, "last_failure", &s->last_failure);
        s->held = flag(o, "held");
        s->stop_requested = flag(o, "stop_requested");
        s->restart_after_stop = flag(o, "restart_after_stop");
        s->dep_failed = flag(o, "dep_failed");
        if ((s->stop_after_followers = flag(o, "stop_after_followers")))
                s->m->stop_after_pending++; /* svd_stop_after_followers recounts */
        s->stop_outcome = (enum stop_outcome)num(o, "stop_outcome", STOP_OUTCOME_STOPPED);
        s->oom_seen = (uint64_t)num(o, "oom_seen", 0);
        s->oom_kills = (uint64_t)num(o, "oom_kills", 0);
        /* (an older svd's snapshot: OOM kills of earlier runs are not this one's) */
        s->oom_at_spawn = (uint64_t)num(o, "oom_at_spawn", (double)s->oom_kills);
        s->exit_oom = flag(o, "exit_oom");
        s->exit_unknown = flag(o, "exit_unknown");
        s->notify_dropped = (uint64_t)num(o, "notify_dropped", 0);
        s->exit_pending = flag(o, "exit_pending");
        s->pending_status = (int)num(o, "pending_status", 0);
        s->exit_unknown_next = s->exit_pending && flag(o, "pending_unknown");
        bool lost = false; /* after a kill: the process ended while svd was down */
        unsigned long long pid_start = (unsigned long long)num(o, "pid_start", 0);
        /* after a kill: what happened between the state write and the kill */
        int journal_exit = -1; /* the main process's wait status, reaped after the state write */
        bool ran_unseen = statejournal_restore_svc(m, s, &pid_start, &journal_exit) > 0;
        if (m->adopting && s->pid > 0) {
                if (journal_exit >= 0 || !pid_start || statefile_pid_start(s->pid) != pid_start)
                        lost = true;
                else if (svc_watch_adopted(s) < 0) {
                        log_warn("%s: cannot watch pid %d: %s", s->cfg->name, (int)s->pid, strerror(errno));
                        lost = true;
                } else if (statefile_pid_start(s->pid) != pid_start) { /* (ended, number reused, since) */
                        svc_unwatch_adopted(s);
                        lost = true;
                } else
                        log_info("%s: took over pid %d", s->cfg->name, (int)s->pid);
        } else if (s->pid > 0 && kill(s->pid, 0) < 0 && errno == ESRCH) {
                /* a child the emergency state reaped: its exit comes next
                 * (snapshot_restore_reaped); else one taken over after a crash, not
                 * svd's child: gone during the exec, its exit never comes */
                if (cJSON_GetObjectItemCaseSensitive(m->restore, "reaped"))
                        log_warn("%s: pid %d from the previous instance is gone; its exit is reaped next",
                                 s->cfg->name, (int)s->pid);
                else
                        lost = true;
        } else if (s->pid > 0) {
                /* a main process adopted through MAINPID= may not be our child */
                siginfo_t si;
                if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD &&
                    svc_watch_adopted(s) < 0)
                        log_warn("%s: cannot watch pid %d: %s", s->cfg->name, (int)s->pid, strerror(errno));
        }
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "log");
        if (l)
                restore_log(m, s, l);
        bool moved = cgroup_enabled(m) && (s->pid > 0 || s->exit_pending) &&
                     cgroup_adopt(m, s, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "cgroup")));
        /* An exec check that was running: its result is lost with the
         * instance that started it, its process group must not be. */
        pid_t probe_pid = (pid_t)num(o, "probe_pid", 0);
        if (probe_pid > 0)
                health_probe_abandoned(s, probe_pid);
        /* (RELOADING too: it is up, its checks and watchdog go on, and a
         * READY=1 that ends the reload probes at once) */
        if (s->pid > 0 && (s->state == ST_STARTING || svc_state_up(s->state))) {
                health_on_restore(s, (unsigned)num(o, "probe_failures", 0), flag(o, "probe_passed"),
                                  left(o, "start_left", elapsed), left(o, "watchdog_left", elapsed),
                                  num(o, "watchdog_usec", -1));
                text(o, "probe_detail", &s->probe_detail);
                s->last_probe_real = (usec_t)num(o, "last_probe_real", 0);
        }
        svc_restore_timers(s, left(o, "timer_left", elapsed));
        timer_restore_json(s, cJSON_GetObjectItemCaseSensitive(o, "timer"), ran_unseen);
        char hex[2 * CONFIG_DIGEST_BYTES + 1], dhex[2 * CONFIG_DIGEST_BYTES + 1];
        /* the one without logging: when there (an older svd's: the file's) */
        const char *rwas = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "restart_fingerprint"));
        const char *was = rwas ? rwas : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "fingerprint"));
        config_digest_hex(rwas ? s->cfg->restart_digest : s->cfg->digest, hex);
        config_digest_hex(s->cfg->defaults_digest, dhex);
        /* (absent: written by an svd that did not record it) */
        const char *dwas = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "defaults_fingerprint"));
        /* (one that is down starts with its file's definition anyway) */
        s->cfg_stale = (s->pid > 0 || s->exit_pending) &&
                       (flag(o, "stale") || moved || (was && strcmp(was, hex) != 0) ||
                        (dwas && strcmp(dwas, dhex) != 0));
        if (s->cfg_stale)
                log_warn("%s: its definition changed on disk; it applies at the next restart or svctl reload",
                         s->cfg->name);
        cgroup_live_restore(s, o);
        if (lost && journal_exit >= 0) {
                char how[128];
                svc_format_exit(journal_exit, how, sizeof(how));
                log_info("%s: pid %d ended (%s) after the last state write, as state.journal says", s->cfg->name,
                         (int)s->pid, how);
                svc_main_exited(s, journal_exit);
        } else if (lost) {
                log_warn("%s: pid %d ended %s; its exit status is unknown", s->cfg->name, (int)s->pid,
                         m->adopting ? "while svd was down" : "during the daemon-reexec");
                svc_main_exited_unknown(s);
        }
}

static void restore(struct svd *m);

/* daemon-reexec: the compressions the previous instance ran, before any
 * log's first look at its directory (logcompress_adopt). */
static void restore_gzip(struct svd *m)
{
        const cJSON *o;
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(m->restore, "gzip")) {
                double pid = num(o, "pid", 0);
                const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "src"));
                if (pid < 2 || pid > INT_MAX || pid != (double)(int)pid || !src) {
                        log_err("state: a compression in 'gzip' out of range; ignored");
                        continue;
                }
                (void)logcompress_adopt(m->logs, (pid_t)pid, src);
        }
}

void snapshot_restore(struct svd *m)
{
        char why[256];
        restore_gzip(m);
        have_sodium = dynlib_acquire(&dl_sodium, why, sizeof why) == 0;
        if (!have_sodium)
                log_err("restoring without %s", why);
        if (!m->adopting) /* older than whatever restore() emits */
                events_restore_json(m, cJSON_GetObjectItemCaseSensitive(m->restore, "events"));
        restore(m);
        secrets_snapshot_restore(m, m->restore); /* with every service as it was */
        orphanstop_restore(m, m->restore);
        snapshot_restore_reaped(m);
        if (have_sodium)
                dynlib_release(&dl_sodium);
        have_sodium = false;
        /* The state file may be older than what was just restored: a write
         * still waiting for its timer when the previous instance executed
         * this one (or was killed) never happened. Without one now, a kill
         * before the next change would take services over from that older
         * file: the wrong pids, and services that ended long ago "ended
         * while svd was down". At the end of this first loop iteration,
         * with whatever the restore started. */
        statefile_touch_now(m);
}

static void restore(struct svd *m)
{
        const cJSON *root = m->restore, *o;
        bool *seen = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool));
        _cleanup_(freep) bool *again = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool));
        size_t n = 0;
        const char *field;
        int bad = statecheck_root(root, &field); /* (a state file's: checked as it was read) */
        if (bad < 0)
                log_err("state: %s %s; the boot times and the time of the save are not restored", field,
                        statecheck_what(bad));
        double saved = bad >= 0 ? num(root, "saved_mono", 0) : 0, now = (double)now_mono();
        double elapsed = saved > 0 && now > saved ? now - saved : 0;
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "boot");
        reload_settings_restore(m->cfg, root); /* the defaults the services took */
        if (bad >= 0) {
                m->boot_mono = (usec_t)num(b, "mono", (double)m->boot_mono);
                m->boot_real = (usec_t)num(b, "real", (double)m->boot_real);
                m->boot_done_mono = (usec_t)num(b, "done_mono", 0);
                m->main_mono = (usec_t)num(b, "main_mono", (double)m->main_mono);
                m->boot_cpu_usec = (usec_t)num(b, "cpu", (double)m->boot_cpu_usec);
                m->boot_cpu_sys_usec = (usec_t)num(b, "cpu_sys", (double)m->boot_cpu_sys_usec);
                /* the same process after an exec: its CPU counters went on
                 * (a killed svd's successor counts from its own main()) */
                if (!m->adopting) {
                        m->main_cpu_usec = (usec_t)num(b, "main_cpu", (double)m->main_cpu_usec);
                        m->main_cpu_sys_usec = (usec_t)num(b, "main_cpu_sys", (double)m->main_cpu_sys_usec);
                }
        }
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(root, "services")) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name"));
                if ((bad = statecheck_svc(o, &field)) < 0) {
                        /* damage: none of its numbers is trusted, not even its pid */
                        log_err("state: %s: %s %s; its entry is ignored (the service starts as at boot, a "
                                "process the entry named is neither taken over nor stopped)",
                                name ? name : "?", field, statecheck_what(bad));
                        continue;
                }
                struct svc *s = name ? svd_find(m, name) : NULL;
                if (!s) {
                        orphanstop_entry(m, o);
                        continue;
                }
                if (seen && seen[s->index]) {
                        /* damage (svd writes one each): restored twice, its
                         * process would have two watches, one left behind */
                        log_err("state: %s: a second entry for the service; ignored", name);
                        continue;
                }
                restore_svc(m, s, o, elapsed);
                /* looked at as one that has just begun to wait (sched_run,
                 * below): a dependency already failed, or exited where it
                 * is needed healthy (an older svd saved it so), fails it,
                 * else nothing would look at it again */
                if (s->state == ST_WAITING)
                        sched_enqueue(m, s);
                if (seen)
                        seen[s->index] = true;
                if (again)
                        again[s->index] = flag(o, "reload_start");
                n++;
        }
        /* what a reload under way was to start again (save_svc), if it is
         * down already (else its exit starts it: restart_after_stop) */
        for (size_t i = 0; again && i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i], *dep = NULL;
                if (!again[i] || !s->restart_after_stop || s->held || s->pid || s->exit_pending ||
                    svc_state_active(s->state))
                        continue;
                s->restart_after_stop = false;
                if (sched_held_dependency(m, s, &dep) > 0) {
                        log_info("%s: left stopped: its dependency %s is held stopped", s->cfg->name,
                                 dep->cfg->name);
                        continue;
                }
                sched_pull_in(m, s);
                svc_dispatch(s, SE_START, 0);
        }
        /* the journal's processes of services the state did not name: the
         * services are started below, as at boot */
        statejournal_restore_done(m);
        if (m->adopting) {
                log_info("svd was not stopped cleanly: %zu services taken over from its state", n);
                fdstore_forget_unclaimed(m);
        } else
                log_info("daemon-reexec: %zu services taken over", n);
        /* the rest is new to this instance: as at boot */
        for (unsigned w = 0; w < m->n_waves; w++)
                for (size_t i = 0; i < m->n_svcs; i++) {
                        struct svc *s = m->svcs[i];
                        if (m->wave_of[i] != w || (seen && seen[i]) || !s->cfg->enabled || timer_scheduled(s))
                                continue;
                        if (!profile_blocked(s)) /* (as svd_boot) */
                                sched_pull_in(m, s);
                        svc_dispatch(s, SE_START, 0);
                }
        free(seen);
        timers_boot_unrestored(m);
        /* exits that happened during the exec are waiting to be reaped */
        sched_run(m);
}
