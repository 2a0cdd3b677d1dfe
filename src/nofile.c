/* nofile: see nofile.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "nofile.h"

/* systemd's hard limit for its services: high enough for a database or a
 * proxy to raise its own soft limit to what it needs. */
#define SERVICES_HARD ((rlim_t)524288)

static struct rlimit started; /* svd's own at its start, or a state's */
static struct rlimit services;
static bool raised;   /* svd's own limit is not the started one */
static bool differs;  /* services set theirs in the spawn child */

/* [soft, hard] from a state, if it is one the kernel could have given:
 * within the hard limit svd runs under now (an exec keeps it). */
static bool from_state(const cJSON *restore, const struct rlimit *now, struct rlimit *out) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(restore, "nofile");
        const cJSON *s = cJSON_GetArrayItem(v, 0), *h = cJSON_GetArrayItem(v, 1);
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 || !cJSON_IsNumber(s) || !cJSON_IsNumber(h))
                return false;
        double sv = s->valuedouble, hv = h->valuedouble;
        if (sv < 0 || sv > hv || hv > 1e15 || sv != (double)(rlim_t)sv || hv != (double)(rlim_t)hv || (rlim_t)hv > now->rlim_max)
                return false;
        out->rlim_cur = (rlim_t)sv;
        out->rlim_max = (rlim_t)hv;
        return true;
}

/* fs.nr_open, the most the kernel allows; 0 if unknown. */
static rlim_t nr_open(void) {
        unsigned long long v = 0;
        FILE *f = fopen("/proc/sys/fs/nr_open", "re");
        if (!f)
                return 0;
        if (fscanf(f, "%llu", &v) != 1)
                v = 0;
        fclose(f);
        return (rlim_t)v;
}

/* The hard limit services get: the started one, raised to SERVICES_HARD
 * (at most fs.nr_open) if svd may raise hard limits. Whether it may is
 * tried on svd itself and undone: a capability check would be wrong in a
 * user namespace, where CAP_SYS_RESOURCE does not raise rlimits, and the
 * spawn child, with svd's credentials at that stage, would then fail every
 * start. */
static rlim_t services_hard(const struct rlimit *own) {
        rlim_t want = SERVICES_HARD, max = nr_open();
        if (max && want > max)
                want = max;
        if (want <= started.rlim_max)
                return started.rlim_max;
        if (want <= own->rlim_max) /* a state's started limit is below svd's own */
                return want;
        struct rlimit up = {own->rlim_cur, want};
        if (setrlimit(RLIMIT_NOFILE, &up) < 0) /* not privileged: what svd was started with */
                return started.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, own) < 0) /* lowering: cannot fail, but then keep it */
                log_warn("cannot lower svd's hard limit on open files back to %llu: %s",
                         (unsigned long long)own->rlim_max, strerror(errno));
        return want;
}

void nofile_raise(const cJSON *restore) {
        struct rlimit now;
        if (getrlimit(RLIMIT_NOFILE, &now) < 0)
                return;
        started = now;
        if (restore && cJSON_GetObjectItemCaseSensitive(restore, "nofile") && !from_state(restore, &now, &started))
                log_warn("daemon-reexec: the state's nofile limit is out of range; services get %llu:%llu",
                         (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max);
        if (now.rlim_cur < now.rlim_max) {
                struct rlimit up = {now.rlim_max, now.rlim_max};
                if (setrlimit(RLIMIT_NOFILE, &up) < 0)
                        log_warn("cannot raise svd's limit on open files from %llu to %llu: %s",
                                 (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max,
                                 strerror(errno));
                else
                        now = up;
        }
        services = (struct rlimit){started.rlim_cur, services_hard(&now)};
        raised = started.rlim_cur != now.rlim_cur || started.rlim_max != now.rlim_max;
        differs = services.rlim_cur != now.rlim_cur || services.rlim_max != now.rlim_max;
        log_debug("limit on open files: svd %llu:%llu, services %llu:%llu", (unsigned long long)now.rlim_cur,
                  (unsigned long long)now.rlim_max, (unsigned long long)services.rlim_cur,
                  (unsigned long long)services.rlim_max);
}

const struct rlimit *nofile_services(void) {
        return differs ? &services : NULL;
}

void nofile_lower(void) {
        if (raised && setrlimit(RLIMIT_NOFILE, &started) == 0)
                raised = false;
}

void nofile_save(cJSON *state) {
        if (!raised)
                return;
        cJSON *v = cJSON_AddArrayToObject(state, "nofile");
        if (v) {
                cJSON_AddItemToArray(v, cJSON_CreateNumber((double)started.rlim_cur));
                cJSON_AddItemToArray(v, cJSON_CreateNumber((double)started.rlim_max));
        }
}
