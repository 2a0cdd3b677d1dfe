/* control_ops: one handler per protocol operation. Validates the request's
 * fields (errors name the field), checks authorization for mutating
 * operations and builds the reply with cJSON. Mutating requests are logged
 * with the peer's identity, accepted or not. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "control.h"
#include "control_sandbox.h"
#include "control_secrets.h"
#include "emergency.h"
#include "events.h"
#include "init.h"
#include "metrics.h"
#include "log.h"
#include "logfollow.h"
#include "logpipe.h"
#include "proto.h"
#include "reexec.h"
#include "reexec_result.h"
#include "reload.h"
#include "secrets.h"
#include "statefile.h"
#include "svd.h"
#include "timer.h"

static double usec_to_sec(usec_t u) {
        return (double)u / 1e6;
}

static bool has_limits(const struct svc_config *c) {
        const struct resources_config *r = c->resources;
        return c->slice || r->memory_max.set || r->memory_high.set || r->memory_low.set || r->memory_min.set ||
               r->memory_swap_max.set || r->cpus > 0 || r->cpu_weight || r->pids_max || r->io_weight || r->io_max ||
               r->cpuset_cpus;
}

/* The limits reported, a service's and a slice's. */
static const char *const lim_files[] = { "memory.max", "memory.high", "pids.max", "cpu.max" };

/* cgroup usage; CPU% is over the time since the previous status request
 * (svctl top asks every second), so svd samples nothing while idle. */
static void add_cgroup_fields(cJSON *o, struct svc *s, usec_t now_m) {
        struct cg_stats st;
        cJSON_AddNumberToObject(o, "oom_kills", (double)s->oom_kills);
        if (cgroup_stats(s, &st) == 0) {
                cJSON_AddNumberToObject(o, "cpu_usage_usec", (double)st.cpu_usage_usec);
                cJSON_AddNumberToObject(o, "cpu_throttled_usec", (double)st.cpu_throttled_usec);
                cJSON_AddNumberToObject(o, "nr_throttled", (double)st.nr_throttled);
                cJSON_AddNumberToObject(o, "memory_current", (double)st.memory_current);
                if (st.has_memory_peak)
                        cJSON_AddNumberToObject(o, "memory_peak", (double)st.memory_peak);
                cJSON_AddNumberToObject(o, "pids_current", (double)st.pids_current);
                if (s->cpu_prev_mono && now_m > s->cpu_prev_mono && st.cpu_usage_usec >= s->cpu_prev_usec)
                        cJSON_AddNumberToObject(o, "cpu_percent",
                                                100.0 * (double)(st.cpu_usage_usec - s->cpu_prev_usec) /
                                                        (double)(now_m - s->cpu_prev_mono));
                s->cpu_prev_usec = st.cpu_usage_usec;
                s->cpu_prev_mono = now_m;
                if (s->cg_path)
                        cJSON_AddStringToObject(o, "cgroup", s->cg_path);
                /* the limits in effect, as the kernel has them (svctl status) */
                cJSON *lim = cJSON_AddObjectToObject(o, "limits");
                char v[64];
                for (size_t i = 0; lim && i < ELEMENTSOF(lim_files); i++)
                        if (cgroup_knob_read(s, lim_files[i], v, sizeof(v)) == 0)
                                cJSON_AddStringToObject(lim, lim_files[i], v);
        }
        const char *why = cgroup_unavailable_reason(s->m);
        char buf[400];
        if (why && has_limits(s->cfg)) {
                cJSON *w = cJSON_AddArrayToObject(o, "warnings");
                snprintf(buf, sizeof(buf), "resource limits not applied: %s", why);
                cJSON_AddItemToArray(w, cJSON_CreateString(buf));
        } else if (cgroup_missing_text(s->m, s->cfg->resources, buf, sizeof(buf))) {
                cJSON *w = cJSON_AddArrayToObject(o, "warnings");
                cJSON_AddItemToArray(w, cJSON_CreateString(buf));
        }
}

/* admin: the peer is root or in admin_group. An exec check's output is the
 * service's own text, like its log lines (files only they may read): others
 * are told it is there, not what it says. STATUS= is for everyone (as in
 * systemd). */
static cJSON *svc_to_json(const struct svc *s, usec_t now_m, bool admin) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        char buf[64];
        cJSON_AddStringToObject(o, "name", s->cfg->name);
        cJSON_AddStringToObject(o, "state", svc_state_name(s->state));
        cJSON_AddStringToObject(o, "health", svc_health_name(s->health));
        cJSON_AddStringToObject(o, "type", svc_type_name(s->cfg->type));
        if (s->pid > 0)
                cJSON_AddNumberToObject(o, "pid", s->pid);
        else
                cJSON_AddNullToObject(o, "pid");
        cJSON_AddNumberToObject(o, "restarts", s->restarts);
        cJSON_AddNumberToObject(o, "since", usec_to_sec(s->since_real));
        if (s->has_exit)
                cJSON_AddStringToObject(o, "last_exit", svc_exit_text(s, buf, sizeof(buf)));
        else
                cJSON_AddNullToObject(o, "last_exit");
        if (s->reason[0])
                cJSON_AddStringToObject(o, "reason", s->reason);
        else
                cJSON_AddNullToObject(o, "reason");
        if (s->pid > 0)
                cJSON_AddNumberToObject(o, "uptime_usec", (double)(now_m - s->spawned_mono));
        if (s->cfg->health.kind != PROBE_NONE) {
                cJSON_AddNumberToObject(o, "health_since", usec_to_sec(s->health_since_real));
                cJSON_AddNumberToObject(o, "probe_failures", s->probe_failures);
                if (s->probe_detail[0])
                        cJSON_AddStringToObject(o, "last_probe", s->probe_detail);
                if (s->last_probe_real)
                        cJSON_AddNumberToObject(o, "last_probe_at", usec_to_sec(s->last_probe_real));
                if (s->cfg->health.kind == PROBE_EXEC && admin)
                        cJSON_AddStringToObject(o, "probe_output", s->probe_output ? s->probe_output : "");
                else if (s->cfg->health.kind == PROBE_EXEC)
                        cJSON_AddBoolToObject(o, "probe_output_hidden", true);
        }
        if (s->status_text[0])
                cJSON_AddStringToObject(o, "status", s->status_text);
        add_cgroup_fields(o, (struct svc *)s, now_m);
        if (s->last_failure[0])
                cJSON_AddStringToObject(o, "last_failure", s->last_failure);
        cJSON_AddBoolToObject(o, "held", s->held);
        cJSON_AddBoolToObject(o, "enabled", s->cfg->enabled);
        cJSON_AddNumberToObject(o, "log_dropped_bytes", (double)logpipe_dropped_bytes(s->log));
        cJSON_AddNumberToObject(o, "log_buffer_bytes", (double)logpipe_buffer_bytes(s->log));
        cJSON_AddNumberToObject(o, "notify_dropped", (double)s->notify_dropped);
        timer_add_json(o, s); /* scheduled jobs only */
        return o;
}

static void add_boot(cJSON *r, struct svd *m);

/* Slice usage (cgroup v2), for svctl top and metrics. */
static void add_slices(cJSON *r, struct svd *m) {
        if (!cgroup_enabled(m))
                return;
        cJSON_AddStringToObject(r, "cgroup_spawn", cgroup_spawn_mode());
        cJSON *arr = cJSON_AddArrayToObject(r, "slices");
        for (size_t i = 0; i < m->cfg->n_slices; i++) {
                struct cg_stats st;
                if (cgroup_slice_stats(m, i, &st) < 0)
                        continue;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", m->cfg->slices[i].name);
                cJSON_AddNumberToObject(o, "cpu_usage_usec", (double)st.cpu_usage_usec);
                cJSON_AddNumberToObject(o, "cpu_throttled_usec", (double)st.cpu_throttled_usec);
                cJSON_AddNumberToObject(o, "nr_throttled", (double)st.nr_throttled);
                cJSON_AddNumberToObject(o, "memory_current", (double)st.memory_current);
                if (st.has_memory_peak)
                        cJSON_AddNumberToObject(o, "memory_peak", (double)st.memory_peak);
                cJSON_AddNumberToObject(o, "pids_current", (double)st.pids_current);
                /* shared by its services: the bound their sum meets (svctl top) */
                cJSON *lim = cJSON_AddObjectToObject(o, "limits");
                char v[64];
                for (size_t k = 0; lim && k < ELEMENTSOF(lim_files); k++)
                        if (cgroup_slice_knob_read(m, i, lim_files[k], v, sizeof(v)) == 0)
                                cJSON_AddStringToObject(lim, lim_files[k], v);
                /* as a service's: what keeps its file's limits from being
                 * in force (svctl status) */
                const char *why = cgroup_slice_refused(m, i);
                if (why)
                        cJSON_AddStringToObject(o, "reason", why);
                cJSON_AddItemToArray(arr, o);
        }
}

/* An exec probe's output is up to HEALTH_OUTPUT_MAX bytes (cleaned: no
 * control characters), but a quote or backslash takes two in JSON: with
 * hundreds of services the outputs could pass the frame limit, and the reply
 * would be an error. Then they are left out, flagged, and the rest (what
 * svctl status and top show) still goes; svctl status NAME asks for a few
 * and gets theirs. probe_bytes: the bytes of the outputs in r; the reply is
 * printed to measure it only when they are a large part of the limit. */
static void fit_probe_output(cJSON *r, size_t probe_bytes) {
        if (probe_bytes <= PROTO_MAX_FRAME / 8)
                return;
        char *txt = cJSON_PrintUnformatted(r);
        size_t len = txt ? strlen(txt) : SIZE_MAX;
        free(txt);
        if (len <= PROTO_MAX_FRAME)
                return;
        cJSON *o;
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(r, "services"))
                cJSON_DeleteItemFromObjectCaseSensitive(o, "probe_output");
        cJSON_AddBoolToObject(r, "probe_output_omitted", true);
}

static cJSON *op_status(struct svd *m, const cJSON *req, const struct control_peer *peer) {
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(req, "names");
        if (names && !cJSON_IsNull(names) && !cJSON_IsArray(names))
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'names': expected a list of service names");
        const cJSON *n;
        cJSON_ArrayForEach(n, names) {
                if (!cJSON_IsString(n))
                        return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'names': expected strings");
                if (!svd_find(m, n->valuestring))
                        return proto_reply_error(PROTO_E_NOT_FOUND, "unknown service '%s'", n->valuestring);
        }
        cJSON *r = proto_reply_ok();
        cJSON *arr = cJSON_AddArrayToObject(r, "services");
        usec_t now_m = now_mono();
        size_t probe_bytes = 0;
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct svc *s = m->svcs[i];
                if (cJSON_GetArraySize(names) > 0) {
                        bool want = false;
                        cJSON_ArrayForEach(n, names) if (strcmp(n->valuestring, s->cfg->name) == 0) want = true;
                        if (!want)
                                continue;
                }
                cJSON_AddItemToArray(arr, svc_to_json(s, now_m, peer->admin));
                if (s->cfg->health.kind == PROBE_EXEC && s->probe_output && peer->admin)
                        probe_bytes += strlen(s->probe_output);
        }
        cJSON_AddNumberToObject(r, "now", usec_to_sec(now_real()));
        add_boot(r, m);
        add_slices(r, m);
        (void)reexec_result_json(&m->reexec_result, r); /* (out of memory: left out) */
        fit_probe_output(r, probe_bytes);
        return r;
}

/* poweroff/reboot/halt: the reply goes out first, then the ordered stop
 * begins; only an init can power off, a plain svd refuses. */
static cJSON *op_power(struct svd *m, enum proto_op op, const struct control_peer *peer) {
        const char *opn = proto_op_name(op);
        if (!peer->admin) {
                log_warn("control: refused %s from uid %u pid %d: not an administrator", opn, (unsigned)peer->uid,
                         (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: %s needs root or the admin group", opn);
        }
        if (!init_is_pid1())
                return proto_reply_error(PROTO_E_FAILED,
                                         "svd is not PID 1: it cannot %s the machine (SIGTERM stops svd and its services)",
                                         opn);
        int action = op == OP_REBOOT ? SHUTDOWN_REBOOT : op == OP_HALT ? SHUTDOWN_HALT : SHUTDOWN_POWEROFF;
        if (m->shutting_down && m->shutdown_action != action) /* the first request stands: svd_shutdown_for */
                return proto_reply_error(PROTO_E_FAILED, "a shutdown to %s is already under way; %s ignored",
                                         shutdown_action_name(m->shutdown_action), opn);
        log_info("control: %s from uid %u pid %d", opn, (unsigned)peer->uid, (int)peer->pid);
        svd_shutdown_for(m, action);
        cJSON *r = proto_reply_ok();
        cJSON_AddStringToObject(r, "action", opn);
        return r;
}

/* Boot timing: svd start to each service's first "up". */
static void add_boot(cJSON *r, struct svd *m) {
        cJSON *b = cJSON_AddObjectToObject(r, "boot");
        cJSON_AddNumberToObject(b, "started", usec_to_sec(m->boot_real));
        /* (a state from an older svd has no main() time: the new
         * instance's own is later than the restored start) */
        if (m->main_mono && m->main_mono <= m->boot_mono)
                cJSON_AddNumberToObject(b, "config_usec", (double)(m->boot_mono - m->main_mono));
        if (m->boot_done_mono) {
                cJSON_AddNumberToObject(b, "settled_usec", (double)(m->boot_done_mono - m->boot_mono));
                cJSON_AddNumberToObject(b, "cpu_usec", (double)m->boot_cpu_usec);
                cJSON_AddNumberToObject(b, "cpu_system_usec", (double)m->boot_cpu_sys_usec);
        }
        else
                cJSON_AddNullToObject(b, "settled_usec");
        /* per service, from svd's start: first spawn and first "up"; up minus
         * spawned is the service's own readiness time */
        cJSON *sv = cJSON_AddObjectToObject(b, "services");
        for (size_t i = 0; i < m->n_svcs; i++) {
                const struct svc *s = m->svcs[i];
                if (!s->up_mono)
                        continue;
                cJSON *o = cJSON_AddObjectToObject(sv, s->cfg->name);
                /* unknown (0) after a re-exec from an svd that did not
                 * save it: 0 - boot_mono would wrap around */
                if (s->first_prep_mono >= m->boot_mono)
                        cJSON_AddNumberToObject(o, "prepare_usec", (double)(s->first_prep_mono - m->boot_mono));
                if (s->first_exec_mono >= m->boot_mono)
                        cJSON_AddNumberToObject(o, "exec_usec", (double)(s->first_exec_mono - m->boot_mono));
                cJSON_AddNumberToObject(o, "spawned_usec", (double)(s->first_spawn_mono - m->boot_mono));
                if (s->ready_mono >= m->boot_mono)
                        cJSON_AddNumberToObject(o, "ready_usec", (double)(s->ready_mono - m->boot_mono));
                cJSON_AddNumberToObject(o, "up_usec", (double)(s->up_mono - m->boot_mono));
        }
}

static cJSON *op_order(struct svd *m) {
        cJSON *r = proto_reply_ok();
        cJSON *waves = cJSON_AddArrayToObject(r, "waves");
        for (unsigned w = 0; w < m->n_waves; w++) {
                cJSON *wave = cJSON_CreateArray();
                for (size_t i = 0; i < m->n_svcs; i++)
                        if (m->wave_of[i] == w)
                                cJSON_AddItemToArray(wave, cJSON_CreateString(m->svcs[i]->cfg->name));
                cJSON_AddItemToArray(waves, wave);
        }
        return r;
}

/* Also which process answers: pid, start time and boot together name one
 * process, which a pid alone does not (reused, or another PID namespace's);
 * a daemon-reexec keeps all three. debian/postinst tells by them the svd
 * on the socket among those running a replaced binary. A value /proc does
 * not give is left out. */
static cJSON *op_version(const struct svd *m) {
        cJSON *r = proto_reply_ok();
        cJSON_AddStringToObject(r, "version", SVD_VERSION);
        cJSON_AddNumberToObject(r, "protocol", PROTO_VERSION);
        cJSON_AddNumberToObject(r, "pid", (double)getpid());
        unsigned long long start = statefile_self_start();
        if (start)
                cJSON_AddNumberToObject(r, "pid_start", (double)start);
        if (statefile_boot_id())
                cJSON_AddStringToObject(r, "boot_id", statefile_boot_id());
        /* what became of the last daemon-reexec: svctl daemon-reexec waits on it */
        if (m->emergency)
                cJSON_AddTrueToObject(r, "emergency");
        if (reexec_result_json(&m->reexec_result, r) < 0) {
                cJSON_Delete(r);
                return proto_reply_error(PROTO_E_FAILED, "%s", strerror(ENOMEM));
        }
        return r;
}

static cJSON *op_change(struct svd *m, enum proto_op op, const cJSON *req, const struct control_peer *peer) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
        const char *opn = proto_op_name(op);
        if (!name)
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': missing");
        if (!cJSON_IsString(name) || !name->valuestring[0])
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': expected a service name");
        if (!peer->admin) {
                log_warn("control: refused %s %s from uid %u pid %d: not an administrator", opn,
                         name->valuestring, (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: %s needs root or the admin group",
                                         opn);
        }
        struct svc *s = svd_find(m, name->valuestring);
        if (!s)
                return proto_reply_error(PROTO_E_NOT_FOUND, "unknown service '%s'", name->valuestring);
        int r;
        char before[SVC_REASON_MAX]; /* a running one's reason, kept if its restart is refused */
        snprintf(before, sizeof(before), "%s", s->reason);
        bool in_backoff = s->state == ST_BACKOFF; /* start and restart cut its delay short */
        switch (op) {
        case OP_START:
                r = svd_request_start(m, s);
                break;
        case OP_STOP:
                r = svd_request_stop(m, s);
                break;
        default:
                r = svd_request_restart(m, s);
                break;
        }
        /* the operator's request beats svd's own plan: out of a restart for
         * a changed secret (secrets.h) */
        if (r >= 0)
                secrets_operator_request(m, s, op == OP_STOP);
        /* in state.json before the client hears "ok": a kill of svd right
         * after must not undo an acknowledged stop (the taken-over state
         * would restart the service by its policy) or start (its process,
         * spawned by now, would be killed as one the state does not name) */
        int w = r >= 0 || r == -ENOPKG ? statefile_write_now(m) : 0; /* (-ENOPKG: no longer held) */
        log_info("control: %s %s from uid %u pid %d: %s", opn, s->cfg->name, (unsigned)peer->uid,
                 (int)peer->pid, r == -ENOPKG ? s->reason : r < 0 ? strerror(-r) : "ok");
        if (r == -ESHUTDOWN)
                return proto_reply_error(PROTO_E_FAILED, "svd is shutting down");
        if (r == -EBUSY && reload_leaving(m, s))
                return proto_reply_error(PROTO_E_FAILED, "%s %s: %s", opn, s->cfg->name,
                                         reload_leaving_text(reload_leaving(m, s)));
        if (r == -ENOPKG) { /* the reason names the profile rule or the missing program */
                cJSON *e = proto_reply_error(PROTO_E_FAILED, "%s %s: not started: %s", opn, s->cfg->name, s->reason);
                if (svc_state_active(s->state)) /* (restart refused: it runs on as it was) */
                        svc_set_reason(s, "%s", before);
                return e;
        }
        if (r < 0)
                return proto_reply_error(PROTO_E_FAILED, "%s %s: %s", opn, s->cfg->name, strerror(-r));
        cJSON *rep = proto_reply_ok();
        cJSON_AddStringToObject(rep, "name", s->cfg->name);
        cJSON_AddStringToObject(rep, "state", svc_state_name(s->state));
        if (s->reason[0])
                cJSON_AddStringToObject(rep, "reason", s->reason);
        if (in_backoff && op != OP_STOP)
                cJSON_AddStringToObject(rep, "note", "restart delay cut short; restart count reset");
        else if (op == OP_START && s->state == ST_STOPPING && s->restart_after_stop)
                cJSON_AddStringToObject(rep, "note", "starts again once it has stopped");
        if (w < 0) { /* done, but not yet safe from a crash of svd */
                char text[200];
                snprintf(text, sizeof(text),
                         "state.json could not be written (%s): if svd is killed before a later write succeeds, "
                         "the svd after it does not know of this %s",
                         strerror(-w), opn);
                cJSON_AddStringToObject(rep, "warning", text);
        }
        return rep;
}

cJSON *control_handle(struct svd *m, const cJSON *req, const struct control_peer *peer) {
        enum proto_op op;
        char err[256];
        if (proto_request_parse(req, &op, err, sizeof(err)) < 0)
                return proto_reply_error(PROTO_E_BAD_REQUEST, "%s", err);
        if (m->emergency && op != OP_VERSION)
                return emergency_op(m, op, req, peer);
        switch (op) {
        case OP_STATUS:
                return op_status(m, req, peer);
        case OP_ORDER:
                return op_order(m);
        case OP_VERSION:
                return op_version(m);
        case OP_LOGS:
                return logs_op_list(m, req);
        case OP_REOPEN_LOGS:
                return logs_op_reopen(m, peer);
        case OP_LOGS_FOLLOW: /* control.c subscribes the client itself */
                return proto_reply_error(PROTO_E_BAD_REQUEST, "logs_follow needs its own connection");
        case OP_START:
        case OP_STOP:
        case OP_RESTART:
                return op_change(m, op, req, peer);
        case OP_POWEROFF:
        case OP_REBOOT:
        case OP_HALT:
                return op_power(m, op, peer);
        case OP_AUDIT:
                return control_op_audit(m);
        case OP_SHOW:
                return control_op_show(m, req);
        case OP_SECRET_LIST:
        case OP_SECRET_GET:
        case OP_SECRET_SET:
        case OP_SECRET_ROTATE:
        case OP_UNLOCK:
                return control_op_secrets(m, op, req, peer);
        case OP_METRICS:
                return metrics_op(m);
        case OP_EVENTS: /* with "follow": true, control.c subscribes the client itself */
                return events_op_list(m, req);
        case OP_RUN:
                return timer_op_run(m, req, peer);
        case OP_RELOAD:
                return reload_op(m, req, peer);
        case OP_REEXEC:
                return reexec_op(m, req, peer);
        default:
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'op': unsupported operation");
        }
}
