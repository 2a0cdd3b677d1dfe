/* nofile: see nofile.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "log.h"
#include "nofile.h"

static struct rlimit services;
static bool raised;

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

void nofile_raise(const cJSON *restore) {
        struct rlimit now;
        if (getrlimit(RLIMIT_NOFILE, &now) < 0)
                return;
        services = now;
        if (restore && cJSON_GetObjectItemCaseSensitive(restore, "nofile") && !from_state(restore, &now, &services))
                log_warn("daemon-reexec: the state's nofile limit is out of range; services get %llu:%llu",
                         (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max);
        if (now.rlim_cur < now.rlim_max) {
                struct rlimit up = { now.rlim_max, now.rlim_max };
                if (setrlimit(RLIMIT_NOFILE, &up) < 0) {
                        log_warn("cannot raise svd's limit on open files from %llu to %llu: %s",
                                 (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max,
                                 strerror(errno));
                        return;
                }
                log_debug("limit on open files: svd %llu, services %llu:%llu", (unsigned long long)up.rlim_cur,
                          (unsigned long long)services.rlim_cur, (unsigned long long)services.rlim_max);
        }
        raised = services.rlim_cur != now.rlim_max || services.rlim_max != now.rlim_max;
}

const struct rlimit *nofile_services(void) {
        return raised ? &services : NULL;
}

void nofile_lower(void) {
        if (raised && setrlimit(RLIMIT_NOFILE, &services) == 0)
                raised = false;
}

void nofile_save(cJSON *state) {
        if (!raised)
                return;
        cJSON *v = cJSON_AddArrayToObject(state, "nofile");
        if (v) {
                cJSON_AddItemToArray(v, cJSON_CreateNumber((double)services.rlim_cur));
                cJSON_AddItemToArray(v, cJSON_CreateNumber((double)services.rlim_max));
        }
}
