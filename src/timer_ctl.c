/* timer_ctl: OP_RUN ("svctl run NAME"): start a oneshot now, through the same
 * path as svctl start, but never on top of a run that is still active (a
 * scheduled job never overlaps itself, whoever asks); one waiting out its
 * restart delay starts now, as svctl start would start it. Admin only. */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "log.h"
#include "proto.h"
#include "reload.h"
#include "svd.h"
#include "timer.h"
#include "timer_int.h"

cJSON *timer_op_run(struct svd *m, const cJSON *req, const struct control_peer *peer)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");

        if (!name)
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': missing");
        if (!cJSON_IsString(name) || !name->valuestring[0])
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': expected a service name");
        if (!peer->admin) {
                log_warn("control: refused run %s from uid %u pid %d: not an administrator", name->valuestring,
                         (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: run needs root or the admin group");
        }
        struct svc *s = svd_find(m, name->valuestring);
        if (!s)
                return proto_reply_error(PROTO_E_NOT_FOUND, "unknown service '%s'", name->valuestring);
        if (s->cfg->type != SVC_ONESHOT)
                return proto_reply_error(PROTO_E_FAILED, "%s is not a oneshot job (use svctl start)", s->cfg->name);
        /* A run waiting out its restart delay has no process: svctl start
         * would start it now, as a fresh start, and so does a run, which
         * the record counts as a new run (timer_svc_state). */
        bool in_backoff = s->state == ST_BACKOFF;
        if (svc_state_active(s->state) && !in_backoff)
                return proto_reply_error(PROTO_E_FAILED, "%s is already running (%s): runs never overlap",
                                         s->cfg->name, svc_state_name(s->state));
        struct timer_job *j = job_of(s);
        if (j)
                j->anew = in_backoff;
        int r = svd_request_start(m, s);
        if (j)
                j->anew = false;
        log_info("control: run %s from uid %u pid %d: %s", s->cfg->name, (unsigned)peer->uid, (int)peer->pid,
                 r == -ENOPKG ? s->reason : r < 0 ? strerror(-r) : "ok");
        if (r == -ESHUTDOWN)
                return proto_reply_error(PROTO_E_FAILED, "svd is shutting down");
        if (r == -EBUSY && reload_leaving(m, s))
                return proto_reply_error(PROTO_E_FAILED, "run %s: %s", s->cfg->name,
                                         reload_leaving_text(reload_leaving(m, s)));
        if (r == -ENOPKG) /* the reason names the profile rule or the missing program */
                return proto_reply_error(PROTO_E_FAILED, "run %s: not started: %s", s->cfg->name, s->reason);
        if (r < 0)
                return proto_reply_error(PROTO_E_FAILED, "run %s: %s", s->cfg->name, strerror(-r));
        cJSON *rep = proto_reply_ok();
        cJSON_AddStringToObject(rep, "name", s->cfg->name);
        cJSON_AddStringToObject(rep, "state", svc_state_name(s->state));
        if (s->reason[0])
                cJSON_AddStringToObject(rep, "reason", s->reason);
        if (in_backoff)
                cJSON_AddStringToObject(rep, "note", "restart delay cut short; restart count reset");
        return rep;
}
