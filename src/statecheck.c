/* statecheck: see statecheck.h. Every number svd reads back from a state is
 * listed here with the range of the type it is stored in: a new field read
 * by snapshot.c or timer.c belongs in these tables too. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "statecheck.h"
#include "svc.h"

/* [lo, hi): as doubles, exactly representable bounds */
#define I32_LO (-2147483648.0)
#define I32_HI 2147483648.0
#define U32_HI 4294967296.0
/* times (usec_t), byte and line counts, clock ticks: within int64 too, so
 * that no later signed arithmetic on them can overflow either */
#define U63_HI 9223372036854775808.0

struct field {
        const char *path; /* dot-separated, through objects */
        double lo, hi;
};

static const struct field root_fields[] = {
        { "version", 0, I32_HI },
        { "saved_mono", 0, U63_HI },
        { "svd_pid", 0, I32_HI },
        { "svd_start", 0, U63_HI },
        { "boot.mono", 0, U63_HI },
        { "boot.real", 0, U63_HI },
        { "boot.done_mono", 0, U63_HI },
        { "boot.main_mono", 0, U63_HI },
        { "boot.main_cpu", 0, U63_HI },
        { "boot.main_cpu_sys", 0, U63_HI },
        { "boot.cpu", 0, U63_HI },
        { "boot.cpu_sys", 0, U63_HI },
        { "fds.control", -1, I32_HI },
        { "fds.notify", -1, I32_HI },
        { "fds.secrets_key", -1, I32_HI },
};

static const struct field svc_fields[] = {
        { "pid", 0, I32_HI },
        { "pgid", 0, I32_HI },
        { "pid_start", 0, U63_HI },
        { "since_real", 0, U63_HI },
        { "since_mono", 0, U63_HI },
        { "health_since_real", 0, U63_HI },
        { "spawned_mono", 0, U63_HI },
        { "up_mono", 0, U63_HI },
        { "first_spawn_mono", 0, U63_HI },
        { "first_prep_mono", 0, U63_HI },
        { "first_exec_mono", 0, U63_HI },
        { "ready_mono", 0, U63_HI },
        { "restarts", 0, U32_HI },
        { "restarts_total", 0, U63_HI },
        { "cpu_usec_gone", 0, U63_HI },
        { "attempt", 0, U32_HI },
        { "exit_status", I32_LO, I32_HI },
        { "stop_outcome", 0, STOP_OUTCOME_FAILED + 1 }, /* enum stop_outcome: the last one */
        { "probe_failures", 0, U32_HI },
        { "probe_pid", 0, I32_HI },
        { "last_probe_real", 0, U63_HI },
        { "oom_seen", 0, U63_HI },
        { "oom_kills", 0, U63_HI },
        { "oom_at_spawn", 0, U63_HI },
        { "notify_dropped", 0, U63_HI },
        { "pending_status", I32_LO, I32_HI },
        /* microseconds left, -1: none */
        { "timer_left", -1, U63_HI },
        { "start_left", -1, U63_HI },
        { "watchdog_left", -1, U63_HI },
        { "watchdog_usec", -1, U63_HI }, /* WATCHDOG_USEC=, -1: none */
        { "log.out.rfd", -1, I32_HI },
        { "log.out.wfd", -1, I32_HI },
        { "log.err.rfd", -1, I32_HI },
        { "log.err.wfd", -1, I32_HI },
        { "log.out.piece_bytes", 0, U63_HI },
        { "log.err.piece_bytes", 0, U63_HI },
        { "log.pending_lines", 0, U63_HI },
        { "log.pending_raw", 0, U63_HI },
        { "log.dropped_bytes", 0, U63_HI },
        { "log.gap_bytes", 0, U63_HI },
        { "log.gap_lines", 0, U63_HI },
        { "log.gap_err", I32_LO, I32_HI },
        { "log.rate_start", 0, U63_HI },
        { "log.rate_lines", 0, U32_HI },
        { "log.rate_dropped", 0, U63_HI },
        { "log.rate_burst", 0, U32_HI },
        { "log.rate_interval", 0, U63_HI },
        { "timer.spawn_mono", 0, U63_HI },
        { "timer.begin_mono", 0, U63_HI },
        { "timer.due_boot", 0, U63_HI },
        { "timer.last_run", 0, U63_HI },
        { "timer.last_duration", 0, U63_HI },
        { "timer.runs", 0, U32_HI },
        { "timer.skipped", 0, U32_HI },
        { "timer.next_base", 0, U63_HI },
        { "timer.next_at", 0, U63_HI },
};

/* A service's processes: 0 (none) or a whole number from 2 (1 is init,
 * never a service's; a fraction would be cut to another number). */
static const char *const svc_pids[] = { "pid", "pgid", "probe_pid" };

static bool in_range(double v, double lo, double hi)
{
        return v >= lo && v < hi; /* false for NaN */
}

/* The item at a dot-separated path, NULL if any step is missing. */
static const cJSON *item_at(const cJSON *o, const char *path)
{
        char key[32];
        while (o) {
                const char *dot = strchr(path, '.');
                size_t n = dot ? (size_t)(dot - path) : strlen(path);
                if (n >= sizeof(key))
                        return NULL;
                memcpy(key, path, n);
                key[n] = 0;
                o = cJSON_GetObjectItemCaseSensitive(o, key);
                if (!dot)
                        return o;
                path = dot + 1;
        }
        return NULL;
}

/* (a number of another type, read as absent, would be read as 0: a pid
 * "1234" as none, a service running with no process to watch) */
static int check(const cJSON *o, const struct field *f, size_t n, const char **ret_field)
{
        for (size_t i = 0; i < n; i++) {
                const cJSON *v = item_at(o, f[i].path);
                int r = !v                                            ? 0
                        : !cJSON_IsNumber(v)                          ? -EINVAL
                        : !in_range(v->valuedouble, f[i].lo, f[i].hi) ? -ERANGE
                                                                      : 0;
                if (r < 0) {
                        *ret_field = f[i].path;
                        return r;
                }
        }
        return 0;
}

/* The states in which a service has a main process (svc.c: the spawn is
 * synchronous, STARTING included); without one, its exit must be pending
 * (svc_main_exited: the cgroup still had processes). */
static int check_state(const cJSON *svc, const char **ret_field)
{
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(svc, "state");
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(svc, "pid");
        int s = cJSON_IsString(st) ? svc_state_from_name(st->valuestring) : -EINVAL;
        if (s < 0) {
                *ret_field = "state";
                return -EINVAL;
        }
        if ((s == ST_STARTING || s == ST_STOPPING || svc_state_up((enum svc_state)s)) &&
            !(cJSON_IsNumber(pid) && pid->valuedouble > 0) &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(svc, "exit_pending"))) {
                *ret_field = "pid";
                return -ESRCH;
        }
        return 0;
}

const char *statecheck_what(int r)
{
        switch (r) {
        case -ERANGE:
                return "out of range";
        case -ESRCH:
                return "missing for its state";
        case -ENOENT:
                return "missing";
        default:
                return "of the wrong type";
        }
}

int statecheck_root(const cJSON *root, const char **ret_field)
{
        return check(root, root_fields, sizeof(root_fields) / sizeof(root_fields[0]), ret_field);
}

int statecheck_svc(const cJSON *svc, const char **ret_field)
{
        /* (an entry of no configured service's is one no longer configured:
         * its process would be stopped, under no name) */
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(svc, "name");
        if (!cJSON_IsString(name)) {
                *ret_field = "name";
                return name ? -EINVAL : -ENOENT;
        }
        int r = check(svc, svc_fields, sizeof(svc_fields) / sizeof(svc_fields[0]), ret_field);
        const cJSON *t;
        if (r < 0 || (r = check_state(svc, ret_field)) < 0)
                return r;
        for (size_t i = 0; i < sizeof(svc_pids) / sizeof(svc_pids[0]); i++) {
                t = cJSON_GetObjectItemCaseSensitive(svc, svc_pids[i]);
                if (cJSON_IsNumber(t) && (t->valuedouble == 1 || t->valuedouble != (double)(int64_t)t->valuedouble)) {
                        *ret_field = svc_pids[i];
                        return -ERANGE;
                }
        }
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(svc, "starts"))
                if (!cJSON_IsNumber(t) || !in_range(t->valuedouble, 0, U63_HI)) {
                        *ret_field = "starts";
                        return cJSON_IsNumber(t) ? -ERANGE : -EINVAL;
                }
        return 0;
}
