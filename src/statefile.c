/* statefile: see statefile.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "reexec.h"
#include "snapshot.h"
#include "statecheck.h"
#include "statefile.h"
#include "statejournal.h"
#include "statereserve.h"
#include "svd.h"

#define STATEFILE_DELAY 0.05
#define STATEFILE_RETRY_MIN 1.
#define STATEFILE_RETRY_MAX 30.

/* Field 22 of the /proc/PID/stat at path; 0 if unreadable. ret_state, if
 * given, gets field 3 (R, S, Z, ...; 0 if unreadable). */
static unsigned long long start_of(const char *path, char *ret_state)
{
        if (ret_state)
                *ret_state = 0;
        char buf[1024];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        /* after the last ')' (the command may contain anything): field 3 on */
        char *p = strrchr(buf, ')');
        if (!p)
                return 0;
        unsigned long long v = 0;
        p++;
        for (int field = 3; field <= 22 && *p; field++) {
                while (*p == ' ')
                        p++;
                if (field == 3 && ret_state)
                        *ret_state = *p;
                if (field == 22)
                        v = strtoull(p, NULL, 10);
                while (*p && *p != ' ')
                        p++;
        }
        return v;
}

unsigned long long statefile_pid_start(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        return start_of(path, NULL);
}

/* The start time of pid while it runs: 0 also for a zombie (an svd killed
 * whose parent has not reaped it yet is dead all the same). */
static unsigned long long running_start(pid_t pid)
{
        char path[64], st;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        unsigned long long v = start_of(path, &st);
        return st == 'Z' || st == 'X' || st == 'x' ? 0 : v;
}

unsigned long long statefile_self_start(void)
{
        return start_of("/proc/self/stat", NULL);
}

pid_t statefile_self_pid(void)
{
        char buf[32], *end;
        ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
        if (n <= 0)
                return getpid();
        buf[n] = 0;
        errno = 0;
        long v = strtol(buf, &end, 10);
        return errno || *end || end == buf || v <= 0 || v > INT32_MAX ? getpid() : (pid_t)v;
}

/* A UUID's text, as the kernel writes it: nothing that could break a
 * journal line or a log line. */
static bool boot_id_like(const char *s)
{
        size_t n = strspn(s, "0123456789abcdef-");
        return n == 36 && !s[n];
}

const char *statefile_boot_id(void)
{
        static char id[40];
        static bool read_once;
        if (!read_once) {
                read_once = true;
                int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
                ssize_t n = fd < 0 ? -1 : read(fd, id, sizeof(id) - 1);
                if (fd >= 0)
                        close(fd);
                id[n > 0 ? n : 0] = 0;
                id[strcspn(id, "\n")] = 0;
                if (!boot_id_like(id))
                        id[0] = 0;
        }
        return id[0] ? id : NULL;
}

static char *path_of(const struct svd_config *cfg, const char *name)
{
        return path_join(cfg->run_dir, name);
}

static bool writable(const struct svd *m)
{
        return m->state_timer.data == m && !init_is_pid1() && !m->shutting_down;
}

void statefile_touch(struct svd *m)
{
        /* (a pending timer writes later in this iteration: this change too) */
        if (!writable(m) || ev_is_active(&m->state_timer) || ev_is_pending(&m->state_timer) ||
            ev_is_active(&m->state_prepare))
                return;
        ev_timer_set(&m->state_timer, STATEFILE_DELAY, 0.);
        ev_timer_start(m->loop, &m->state_timer);
}

void statefile_touch_now(struct svd *m)
{
        if (!writable(m) || ev_is_active(&m->state_prepare))
                return;
        usec_t now = now_mono(), next = m->state_written_mono + (usec_t)(STATEFILE_DELAY * 1e6);
        if (!m->state_written_mono || now >= next) {
                ev_prepare_start(m->loop, &m->state_prepare);
                return;
        }
        /* written less than 50 ms ago: at most one write per 50 ms (a crash
         * loop of many services), state.journal covers the wait */
        double left = (double)(next - now) / 1e6;
        if (ev_is_active(&m->state_timer) && ev_timer_remaining(m->loop, &m->state_timer) <= left)
                return;
        ev_timer_stop(m->loop, &m->state_timer);
        ev_timer_set(&m->state_timer, left, 0.);
        ev_timer_start(m->loop, &m->state_timer);
}

/* One attempt: the bytes written, or -errno (the temporary file removed). */
static int write_once(struct svd *m, const char *tmp, const char *path)
{
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int r = fd < 0 ? -errno : snapshot_write(m, fd, false, NULL);
        /* no fsync: the file matters only while this boot lasts (it lives in run_dir) */
        if (fd >= 0 && close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void)unlink(tmp);
        return r;
}

/* Until a write succeeds, one is tried again on a timer (1 s, doubling to
 * 30 s): the change that failed to be written may be the last one for
 * hours, and state.json must not stay stale for the next svd meanwhile. */
static void write_failed(struct svd *m, const char *path, int r)
{
        if (!m->state_retry_delay) {
                log_warn("cannot write %s: %s (a crash of svd would restart services); trying again", path,
                         strerror(-r));
                m->state_retry_delay = STATEFILE_RETRY_MIN;
        }
        if (!ev_is_active(&m->state_retry)) {
                ev_timer_set(&m->state_retry, m->state_retry_delay, 0.);
                ev_timer_start(m->loop, &m->state_retry);
        }
}

static int write_state(struct svd *m)
{
        ev_timer_stop(m->loop, &m->state_timer);
        ev_prepare_stop(m->loop, &m->state_prepare);
        _cleanup_(freep) char *path = path_of(m->cfg, "state.json"), *tmp = path_of(m->cfg, "state.json.tmp");
        if (!path || !tmp)
                return -ENOMEM;
        m->state_written_mono = now_mono(); /* also when it fails: the next try waits as long */
        int r;
        /* run_dir full: the space set aside for this, a part at a time */
        while ((r = write_once(m, tmp, path)) < 0 && statereserve_release(m, -r))
                ;
        if (r < 0) {
                write_failed(m, path, r);
                return r;
        }
        statejournal_written(m, m->state_saved_mono); /* what it recorded is in the state now */
        statereserve_written(m, (size_t)r);
        if (m->state_retry_delay) {
                ev_timer_stop(m->loop, &m->state_retry);
                m->state_retry_delay = 0;
                log_info("%s: state written again", path);
        }
        return 0;
}

int statefile_write_now(struct svd *m)
{
        return writable(m) ? write_state(m) : 0;
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        (void)write_state(w->data);
}

/* Prepare watchers run when the callbacks of a loop iteration are done,
 * before svd waits for the next events: every spawn of a burst is in. */
static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
        (void)write_state(w->data);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct svd *m = w->data;
        m->state_retry_delay *= 2; /* (for the retry after this one, if it fails) */
        if (m->state_retry_delay > STATEFILE_RETRY_MAX)
                m->state_retry_delay = STATEFILE_RETRY_MAX;
        if (writable(m))
                (void)write_state(m);
}

void statefile_init(struct svd *m)
{
        ev_init(&m->state_retry, retry_cb);
        m->state_retry.data = m;
        m->state_retry_delay = 0;
        ev_init(&m->state_timer, timer_cb);
        m->state_timer.data = m;
        ev_prepare_init(&m->state_prepare, prepare_cb);
        m->state_prepare.data = m;
}

void statefile_stop(struct svd *m)
{
        if (m->state_timer.data != m)
                return;
        ev_timer_stop(m->loop, &m->state_timer);
        ev_prepare_stop(m->loop, &m->state_prepare);
        ev_timer_stop(m->loop, &m->state_retry);
}

void statefile_remove(struct svd *m)
{
        _cleanup_(freep) char *path = path_of(m->cfg, "state.json");
        if (path)
                (void)unlink(path);
}

static bool format_ok(const cJSON *j, char *why, size_t n)
{
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "format");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
        if (cJSON_IsString(f) && strcmp(f->valuestring, REEXEC_STATE_FORMAT) == 0 && cJSON_IsNumber(v) &&
            v->valuedouble == REEXEC_STATE_VERSION)
                return true;
        /* (a downgrade: a newer svd's fields may not mean what this one
         * reads them as; an svd that wrote a version never reads another) */
        char got[64];
        if (cJSON_IsNumber(v))
                snprintf(got, sizeof(got), " %.0f", v->valuedouble);
        else
                snprintf(got, sizeof(got), "%s", cJSON_IsString(f) ? " (no version)" : "");
        snprintf(why, n, "its format is '%.32s%s', this svd reads '%s %d'",
                 cJSON_IsString(f) ? f->valuestring : "(none)", got, REEXEC_STATE_FORMAT,
                 REEXEC_STATE_VERSION);
        return false;
}

/* (far more than a state of thousands of services takes) */
#define STATEFILE_MAX (64 << 20)

cJSON *statefile_load_orphaned(const struct svd_config *cfg)
{
        _cleanup_(freep) char *path = path_of(cfg, "state.json");
        _cleanup_(freep) char *buf = NULL;
        int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
        if (fd < 0) {
                if (path && errno != ENOENT)
                        log_err("cannot open %s: %s: the services of the svd before are not taken over and may "
                                "still run beside the ones started now (check with ps)",
                                path, strerror(errno));
                return NULL;
        }
        char unread[96] = "";
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size >= STATEFILE_MAX - 1)
                snprintf(unread, sizeof(unread), "larger than %d MiB", STATEFILE_MAX >> 20);
        else if (!(buf = read_fd_all(fd, STATEFILE_MAX)))
                snprintf(unread, sizeof(unread), "cannot read it: %s", strerror(errno));
        close(fd);
        cJSON *j = buf ? cJSON_Parse(buf) : NULL;
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(j, "svd_pid");
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(j, "svd_start");
        const cJSON *boot = cJSON_GetObjectItemCaseSensitive(j, "boot_id");
        const char *why = *unread ? unread : !j ? "not JSON" : !cJSON_IsNumber(pid) ? "no svd_pid" : NULL,
                   *field = NULL;
        char bad[160];
        int r;
        if (!why && !format_ok(j, bad, sizeof(bad)))
                why = bad;
        if (!why && boot && !(cJSON_IsString(boot) && boot_id_like(boot->valuestring)))
                why = "its boot_id is not a boot id";
        if (!why && (r = statecheck_root(j, &field)) < 0) {
                snprintf(bad, sizeof(bad), "%s %s", field, statecheck_what(r));
                why = bad;
        }
        if (!why && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "services")))
                why = "its services are not a list";
        if (why) {
                /* svd writes it whole (a rename), so this is damage from
                 * elsewhere. The services it names may still run, and are
                 * not taken over: say so, and keep the file for a look. */
                _cleanup_(freep) char *aside = strdup_printf("%s.unreadable", path);
                bool kept = aside && rename(path, aside) == 0;
                log_err("%s is not a state svd wrote (%s): the services of the svd before are not taken over and "
                        "may still run beside the ones started now (check with ps);%s%s",
                        path, why, kept ? " kept as " : " cannot move it aside", kept ? aside : "");
                cJSON_Delete(j);
                return NULL;
        }
        /* Written during another boot (run_dir on persistent storage): its
         * pids and start times (clock ticks since that boot) may well name
         * processes of this one. Nothing in it is taken over or killed; the
         * first state write of this svd replaces it. A state without a
         * boot id (an older svd's) is trusted as before. */
        const char *ours = statefile_boot_id();
        if (boot && ours && strcmp(boot->valuestring, ours) != 0) {
                log_warn("%s is from another boot (boot id %s, this boot %s): ignored, nothing it names is taken "
                         "over or stopped",
                         path, boot->valuestring, ours);
                cJSON_Delete(j);
                return NULL;
        }
        /* still running (the same process, not a reused pid, and not a
         * zombie): not ours to take, unless it is this very process (a
         * daemon-reexec whose state could not be read: the file is the
         * fallback). Both numbers are as /proc shows them (snapshot.c), so
         * the check reads them there. */
        if (pid->valueint > 0 && pid->valueint != statefile_self_pid() && cJSON_IsNumber(start) &&
            running_start((pid_t)pid->valueint) == (unsigned long long)start->valuedouble) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}
