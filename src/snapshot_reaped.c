/* snapshot_reaped: the exits the emergency state reaped while it held the
 * state of a daemon-reexec whose new instance could not load the
 * configuration (emergency.h), delivered once that state is restored: each
 * goes where the exit of a child goes, now that its service is back. A
 * main process gone without a noted exit ends with its status unknown. */
#include <errno.h>
#include <limits.h>
#include <signal.h>

#include "log.h"
#include "snapshot.h"
#include "svc.h"
#include "svd.h"

static double num(const cJSON *o, const char *k, double dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

void snapshot_restore_reaped(struct svd *m)
{
        const cJSON *o, *reaped = cJSON_GetObjectItemCaseSensitive(m->restore, "reaped");
        if (!reaped)
                return; /* (a daemon-reexec straight from the previous instance) */
        cJSON_ArrayForEach(o, reaped)
        {
                double pid = num(o, "pid", 0), st = num(o, "status", -1);
                if (pid < 2 || pid > INT_MAX || pid != (double)(int)pid || st < 0 || st > 0xffff ||
                    st != (double)(int)st) {
                        log_err("state: an exit in 'reaped' out of range; ignored");
                        continue;
                }
                svd_child_exited(m, (pid_t)pid, (int)st);
        }
        /* one the emergency could not note (out of memory), or one svd took
         * over after a crash (not its child): gone, unknown how */
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (s->pid > 0 && kill(s->pid, 0) < 0 && errno == ESRCH) {
                        log_warn("%s: pid %d ended during the emergency state; its exit status is unknown",
                                 s->cfg->name, (int)s->pid);
                        svc_main_exited_unknown(s);
                }
        }
}
