/* health: probe scheduling and the health state of a service (see health.h).
 * Timing follows Compose: probes every start_interval until the first pass,
 * then every interval; retries consecutive failures make the service
 * unhealthy. Unlike Compose, failures before the first pass count only after
 * an explicit start_period (0 = until the first pass), because here unhealthy
 * means restart. svd adds what Compose
 * lacks: unhealthy restarts the service (on_unhealthy: restart) through the
 * normal backoff and start limit, and start_timeout fails a service that
 * never becomes healthy so its dependents fail instead of waiting forever. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "health.h"
#include "cgroup.h"
#include "config_parse.h"
#include "prewarm.h"
#include "log.h"
#include "prober.h"
#include "sandbox.h"
#include "sched.h"
#include "secrets.h"
#include "spawn.h"
#include "spawn_why.h"
#include "statefile.h"
#include "svc.h"
#include "svd.h"
#include "utf8.h"

static double secs(usec_t u) {
        return (double)u / 1e6;
}

static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* Delay to the next steady-state probe of a check run by svd-probe. Each
 * service gets a fixed phase within its interval: slot (index mod slots) of a
 * grid of interval/20 (at most 50 ms). Services sharing a slot fire in one
 * loop iteration and reach svd-probe as one batch (what such a check costs is
 * mostly wakeups of svd and svd-probe, not the work per check), and the
 * slots spread the services evenly over the interval, so no batch is larger
 * than it must be: services started together do not probe in lockstep, and
 * the number of checks in flight at once (= HTTP connections svd-probe keeps
 * open for reuse) stays near N/20 instead of N. The first delay after a
 * start lies in [interval/2, 1.5 x interval); after that, exactly interval. */
static usec_t phase_delay(const struct svc *s, usec_t iv, usec_t g) {
        usec_t now = (usec_t)(ev_now(s->m->loop) * 1e6);
        usec_t phase = (usec_t)(s->index % (iv / g)) * g;
        usec_t target = now + iv;
        usec_t due = target - target % iv + phase;
        if (due + iv / 2 < target)
                due += iv;
        else if (due >= target + iv / 2)
                due -= iv;
        return due > now ? due - now : g;
}

static void schedule_probe(struct svc *s) {
        const struct probe_config *p = &s->cfg->health;
        usec_t next = s->health == HEALTH_STARTING ? p->start_interval : p->interval;
        usec_t g = p->interval / 20 < 50 * USEC_PER_MSEC ? p->interval / 20 : 50 * USEC_PER_MSEC;
        if (s->health != HEALTH_STARTING && (p->kind == PROBE_TCP || p->kind == PROBE_HTTP) &&
            g >= USEC_PER_MSEC) {
                next = phase_delay(s, p->interval, g);
        } else if (s->health != HEALTH_STARTING && next >= 20) {
                /* Exec probes: services started together would otherwise
                 * probe in lockstep for ever: spread the steady-state
                 * interval by +-5 %. Not start_interval, which paces how
                 * soon a starting service is seen ready. */
                static uint64_t x; /* xorshift64*, seeded once: spread, not secrecy */
                if (!x)
                        x = ((uint64_t)now_mono() ^ ((uint64_t)getpid() << 32)) | 1;
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                usec_t span = next / 10; /* [-5 %, +5 %) */
                next = next - span / 2 + (usec_t)((x * 0x2545f4914f6cdd1dull) % span);
        }
        ev_timer_stop(s->m->loop, &s->probe_timer);
        ev_timer_set(&s->probe_timer, secs(next), 0.);
        ev_timer_start(s->m->loop, &s->probe_timer);
}

/* start_timeout bounds the wait for the first "healthy" only: a service
 * that got there and later turns unhealthy is on_unhealthy's business. */
static void set_healthy(struct svc *s) {
        ev_timer_stop(s->m->loop, &s->start_timer);
        svc_set_health(s, HEALTH_HEALTHY);
}

/* Every process of the check whose process group is pgid: the group, and
 * with cgroups the check's own cgroup (cgroup_check.c), which also holds a
 * process that left the group with setsid(). */
static void kill_check_processes(struct svc *s, pid_t pgid) {
        (void)kill(-pgid, SIGKILL);
        if (cgroup_enabled(s->m))
                (void)cgroup_check_kill(s);
}

static void kill_exec_probe(struct svc *s) {
        struct ev_loop *loop = s->m->loop;
        ev_timer_stop(loop, &s->probe_timeout);
        if (s->probe_pid > 0)
                kill_check_processes(s, s->probe_pid);
        /* the pid stays recorded until it is reaped, so its exit is not
         * mistaken for anything else */
}

static void close_probe_pipe(struct svc *s) {
        if (s->probe_fd >= 0) {
                ev_io_stop(s->m->loop, &s->probe_io);
                close(s->probe_fd);
                s->probe_fd = -1;
        }
}

/* One byte more than is shown: whether the output went on past
 * HEALTH_OUTPUT_MAX, so the cut at a character boundary knows if the last
 * character is whole. */
#define PROBE_BUF_KEEP (HEALTH_OUTPUT_MAX + 1)

static void drain_probe_pipe(struct svc *s) {
        char buf[4096];
        for (;;) {
                ssize_t n = read(s->probe_fd, buf, sizeof(buf));
                if (n > 0) {
                        if (!s->probe_buf && !(s->probe_buf = malloc(PROBE_BUF_KEEP + 1)))
                                continue; /* output is a courtesy; drain anyway */
                        size_t room = PROBE_BUF_KEEP - s->probe_buf_len;
                        size_t take = (size_t)n < room ? (size_t)n : room;
                        memcpy(s->probe_buf + s->probe_buf_len, buf, take);
                        s->probe_buf_len += take;
                        s->probe_buf[s->probe_buf_len] = 0;
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0)
                        close_probe_pipe(s);
                return; /* EAGAIN: more later */
        }
}

static void probe_io_cb(struct ev_loop *loop, ev_io *w, int revents) {
        drain_probe_pipe(w->data);
}

/* The check outlived its SIGKILL by HEALTH_KILL_GRACE_S: failed, and no
 * longer waited for (its exit, if it comes, reports nothing). */
static void give_up_probe(struct svc *s) {
        char d[256], tb[32];
        s->probe_stuck = s->probe_stale = true;
        close_probe_pipe(s);
        snprintf(d, sizeof(d),
                 "timed out after %s; the check (pid %d) did not exit %d s after SIGKILL (stuck in the "
                 "kernel?)",
                 format_duration(s->cfg->health.timeout, tb, sizeof(tb)), (int)s->probe_pid,
                 HEALTH_KILL_GRACE_S);
        health_probe_result(s, false, true, d);
}

static void probe_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        if (s->probe_timed_out) {
                give_up_probe(s);
                sched_run(s->m);
                return;
        }
        s->probe_timed_out = true;
        kill_exec_probe(s);
        /* a process in uninterruptible sleep outlives SIGKILL: the check
         * is not waited for beyond this (health_child_exited stops it) */
        ev_timer_set(&s->probe_timeout, HEALTH_KILL_GRACE_S, 0.);
        ev_timer_start(loop, &s->probe_timeout);
}

/* An exec check runs as its service does: same user and groups, working
 * directory, capabilities, no_new_privs and seccomp filter, and in the
 * running service's mount namespace (so its private /tmp and read-only
 * view), or in one set up the same way if that cannot be opened. A check
 * is code run on the service's behalf, often a script the service itself
 * can write: it must not have more rights than the service. */
static int probe_identity(struct svc *s, gid_t **groups, int *ngroups, struct sandbox_plan *sbx, int *mntns_fd,
                          char *why, size_t whylen) {
        const struct svc_config *c = s->cfg;
        uid_t uid = c->has_uid ? c->uid : geteuid();
        if (!c->allow_root && uid == 0) {
                snprintf(why, whylen, "probe: setuid: allow_root is false but the check would run as root");
                return -EPERM;
        }
        if (c->has_uid || c->has_gid || c->n_sup_gids) {
                if ((c->user && svc_user_groups(c, groups, ngroups) < 0) || svc_add_sup_groups(c, groups, ngroups) < 0) {
                        snprintf(why, whylen, "probe: groups: %s", strerror(ENOMEM));
                        return -ENOMEM;
                }
        }
        char reason[200];
        int r = sandbox_plan_build(c, uid, sbx, reason, sizeof(reason));
        if (r < 0) {
                snprintf(why, whylen, "probe: %s", reason);
                return r;
        }
        if (sbx->mount_ns && s->pid > 0) {
                char ns[64];
                snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)s->pid);
                *mntns_fd = open(ns, O_RDONLY | O_CLOEXEC);
                /* A main process named by MAINPID= is not svd's child, so
                 * its pid may be another process's by now. Its pidfd tells:
                 * if it is still alive after the open, the namespace opened
                 * is its own (a pid is not reused while its process lives).
                 * If not, the check gets a namespace built from the plan. */
                if (*mntns_fd >= 0 && ev_is_active(&s->main_pidfd_io) &&
                    syscall(SYS_pidfd_send_signal, s->main_pidfd_io.fd, 0, NULL, 0) < 0) {
                        close(*mntns_fd);
                        *mntns_fd = -1;
                }
        }
        return 0;
}

static void start_exec_probe(struct svc *s) {
        const struct probe_config *p = &s->cfg->health;
        int r, fds[2];
        if (s->probe_pid > 0) {
                /* the previous one is still running: never overlap. One
                 * left from the service's last run (killed, not yet reaped)
                 * reports nothing when it goes: try again at the next tick.
                 * One of this run stuck after SIGKILL: each check due fails */
                if (s->probe_stuck) {
                        char d[200];
                        snprintf(d, sizeof(d),
                                 "the last check (pid %d) still did not exit after SIGKILL (stuck in the "
                                 "kernel?): not run beside it",
                                 (int)s->probe_pid);
                        health_probe_result(s, false, true, d);
                } else if (s->probe_stale) {
                        /* not counted (the service's earlier run left it),
                         * but said: while the kernel holds it, this run's
                         * checks never run, and its health never changes */
                        char d[200];
                        snprintf(d, sizeof(d),
                                 "the check of the previous run (pid %d) has not exited yet (stuck in the "
                                 "kernel?): not run beside it",
                                 (int)s->probe_pid);
                        if (strcmp(s->probe_detail, d) != 0)
                                log_warn("%s: %s", s->cfg->name, d);
                        health_probe_result(s, false, false, d);
                }
                return;
        }
        char env_why[SVC_REASON_MAX] = "";
        _cleanup_(secrets_env_freep) char **env =
                svc_build_env(s, false, &r, env_why, sizeof(env_why)); /* may hold secrets */
        _cleanup_(freep) char *path = NULL;
        _cleanup_(freep) gid_t *groups = NULL;
        _cleanup_(sandbox_plan_done) struct sandbox_plan sbx = {0};
        _cleanup_(closep) int mntns_fd = -1;
        _cleanup_(closep) int cg_dir_fd = -1;
        _cleanup_(closep) int cg_procs_fd = -1;
        int ngroups = 0;
        if (!env) {
                /* the same reason a start would give: the file, the line,
                 * what is wrong with it (svc_build_env) */
                char d[SVC_REASON_MAX + 16];
                if (env_why[0])
                        snprintf(d, sizeof(d), "probe: %s", env_why);
                else /* no memory, or a secret that cannot be expanded */
                        snprintf(d, sizeof(d), "probe: environment: %s", strerror(r ? -r : ENOMEM));
                /* -EAGAIN: svd's secrets are locked (secrets.h), which says
                 * nothing about the service: not counted */
                health_probe_result(s, false, r != -EAGAIN, d);
                return;
        }
        /* looked up as the service's command is: in its environment's PATH;
         * a path as it is (a relative one from the working directory, where
         * the child executes it) */
        path = strchr(p->exec[0], '/') ? strdup(p->exec[0])
                                       : spawn_find_executable(p->exec[0], svc_env_get(env, "PATH"));
        if (!path) { /* as a service's start says it */
                char d[SVC_REASON_MAX];
                snprintf(d, sizeof(d), "probe: exec: %s: %s", p->exec[0], strerror(errno ? errno : ENOENT));
                health_probe_result(s, false, true, d);
                return;
        }
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
                health_probe_result(s, false, false, "probe: pipe failed");
                return;
        }
        /* the probe writes into a blocking pipe end; only ours is non-blocking */
        fcntl(fds[1], F_SETFL, 0);
        const struct svc_config *c = s->cfg;
        char why[512];
        r = probe_identity(s, &groups, &ngroups, &sbx, &mntns_fd, why, sizeof(why));
        /* With cgroups, in the check's own cgroup below the service's leaf:
         * it counts against the service's limits, and what it leaves is
         * killed at its end. Without one there, the leaf itself if svd has
         * it open; never svd's own cgroup. */
        if (r >= 0 && cgroup_enabled(s->m)) {
                int e = cgroup_check_open(s, &cg_dir_fd, &cg_procs_fd);
                if (e < 0 && s->cg_dir_fd >= 0) {
                        /* close-on-exec as every other: dup() would leave
                         * the check the leaf and a cgroup.procs root opened */
                        cg_dir_fd = fcntl(s->cg_dir_fd, F_DUPFD_CLOEXEC, 3);
                        cg_procs_fd = fcntl(s->cg_procs_fd, F_DUPFD_CLOEXEC, 3);
                }
                if (cg_dir_fd < 0 || cg_procs_fd < 0) {
                        snprintf(why, sizeof(why), "probe: cgroup %s/svd-check: %s", s->cg_path ? s->cg_path : "",
                                 strerror(e < 0 ? -e : errno));
                        r = -1;
                }
        }
        if (r < 0) {
                close(fds[0]);
                close(fds[1]);
                health_probe_result(s, false, true, why);
                return;
        }
        struct spawn_req req = {
                .path = path,
                .argv = p->exec,
                .envp = env,
                .cwd = svc_spawn_cwd(c),
                .cwd_optional = !c->working_dir,
                .set_ids = c->has_uid || c->has_gid || c->n_sup_gids,
                .uid = c->has_uid ? c->uid : geteuid(),
                .gid = c->has_gid ? c->gid : getegid(),
                .groups = groups,
                .n_groups = (size_t)(ngroups > 0 ? ngroups : 0),
                .stdin_fd = s->m->devnull_fd,
                .stdout_fd = fds[1],
                .stderr_fd = fds[1],
                .extra_fd = -1,
                .cgroup_procs_fd = cg_procs_fd, /* probes count against the service's limits */
                .cgroup_fd = cg_dir_fd,
                .sandbox = &sbx,
                .join_mntns = mntns_fd >= 0,
                .mntns_fd = mntns_fd,
        };
        /* The check's pipe is its own, as its service's log pipes are
         * (svc.c): one that reopens /dev/stderr by path (dash's
         * "> /dev/stderr") as the service's user must be allowed to. */
        if (req.set_ids && geteuid() == 0)
                (void)fchown(fds[1], req.uid, c->has_gid ? c->gid : (gid_t)-1);
        struct spawn_error se = {0};
        pid_t pid;
        r = spawn_start(&req, &pid, &se);
        close(fds[1]);
        if (r < 0) {
                close(fds[0]);
                char d[SVC_REASON_MAX + 8], f[SVC_REASON_MAX];
                /* what failed, as a service's start names it */
                snprintf(d, sizeof(d), "probe: %s", spawn_fail_why(&req, &se, f, sizeof(f)));
                health_probe_result(s, false, true, d);
                return;
        }
        s->probe_pid = pid;
        s->probe_fd = fds[0];
        /* The last completed probe's detail and output stay visible while
         * this one runs; its own output collects in probe_buf. */
        s->probe_buf_len = 0;
        if (s->probe_buf)
                s->probe_buf[0] = 0;
        s->probe_timed_out = false;
        ev_io_set(&s->probe_io, fds[0], EV_READ);
        ev_io_start(s->m->loop, &s->probe_io);
        ev_timer_set(&s->probe_timeout, secs(p->timeout), 0.);
        ev_timer_start(s->m->loop, &s->probe_timeout);
}

static void run_probe(struct svc *s) {
        switch (s->cfg->health.kind) {
        case PROBE_EXEC:
                start_exec_probe(s);
                break;
        case PROBE_TCP:
        case PROBE_HTTP:
                if (s->probe_id) {
                        /* the deadline below passed: svd-probe is stuck, or
                         * lost the reply; not the service's fault */
                        prober_overdue(s->m, s);
                        health_probe_result(s, false, false, "no reply from svd-probe");
                        break;
                }
                if (prober_submit(s->m, s) < 0) {
                        char d[256];
                        const char *why = prober_why(s->m);
                        snprintf(d, sizeof(d), "prober unavailable%s%s", why[0] ? ": " : "", why);
                        health_probe_result(s, false, false, d);
                        break;
                }
                /* svd-probe ends the check at its timeout; if its reply does
                 * not come well after that, the timer fires again (above) */
                ev_timer_set(&s->probe_timer, secs(s->cfg->health.timeout) + PROBER_REPLY_GRACE_S, 0.);
                ev_timer_start(s->m->loop, &s->probe_timer);
                break;
        default:
                break;
        }
}

static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        /* Checks end where the service stops being up: one being stopped
         * (SIGTERM sent, its exit awaited) is not checked again. The timer
         * armed while it ran is only stopped at its exit (health_on_exit),
         * and a check now would run beside a process shutting down, for a
         * result health_probe_result drops (a tcp/http one sent to
         * svd-probe again at every reply deadline until the exit). */
        if (!svc_state_up(s->state) && s->state != ST_STARTING)
                return;
        run_probe(s);
        sched_run(s->m);
}

bool health_child_exited(struct svc *s, pid_t pid, int status) {
        if (pid != s->probe_pid || pid <= 0)
                return false;
        s->probe_pid = 0;
        /* Whatever the probe left behind in its process group (a background
         * child), or with cgroups anywhere, goes with it: a check leaves no
         * process. The group's id cannot have been reused while any member
         * is left. */
        kill_check_processes(s, pid);
        if (s->probe_stale) {
                s->probe_stale = s->probe_stuck = false;
                return true;
        }
        bool timed_out = s->probe_timed_out;
        ev_timer_stop(s->m->loop, &s->probe_timeout);
        if (s->probe_fd >= 0) {
                drain_probe_pipe(s);
                close_probe_pipe(s); /* a leftover grandchild may hold it open */
        }
        /* probe processes are only ours while the service runs */
        if (!svc_state_up(s->state) && s->state != ST_STARTING)
                return true;
        if (!s->probe_output)
                s->probe_output = calloc(1, HEALTH_OUTPUT_MAX + 1);
        if (s->probe_output) {
                /* The probe's text goes to svctl and into JSON: cleaned like
                 * STATUS= (utf8.h), its lines and tabs kept. A longer output
                 * keeps its first HEALTH_OUTPUT_MAX bytes, back to the last
                 * whole character. */
                size_t n = s->probe_buf ? s->probe_buf_len : 0;
                if (n > HEALTH_OUTPUT_MAX)
                        n = utf8_cut(s->probe_buf, n, HEALTH_OUTPUT_MAX);
                utf8_clean(s->probe_buf ? s->probe_buf : "", n, s->probe_output, HEALTH_OUTPUT_MAX + 1,
                           UTF8_KEEP_NL | UTF8_KEEP_TAB);
        }
        char d[256], tb[32];
        if (timed_out)
                snprintf(d, sizeof(d), "timed out after %s", format_duration(s->cfg->health.timeout, tb, sizeof(tb)));
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                snprintf(d, sizeof(d), "exit 0");
        else
                svc_format_exit(status, d, sizeof(d));
        health_probe_result(s, !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0, true, d);
        return true;
}

void health_probe_result(struct svc *s, bool pass, bool counted, const char *detail) {
        const struct probe_config *p = &s->cfg->health;
        if (!svc_state_up(s->state) && s->state != ST_STARTING)
                return;
        str_set(&s->probe_detail, detail);
        s->last_probe_real = now_real();
        if (pass) {
                s->probe_failures = 0;
                s->probe_passed = true;
                /* a notify service is healthy only once READY=1 came too */
                if (svc_state_up(s->state) && s->health != HEALTH_HEALTHY)
                        set_healthy(s);
        } else if (counted) {
                /* (even one that does not count yet: READY=1 after it must
                 * probe again, not take an older pass for the last word) */
                s->probe_passed = false;
                /* Before its first pass a service is still starting: its
                 * failures count only once an explicit start_period is over
                 * (start_timeout, if set, bounds the wait). Restarting a slow
                 * starter for being slow would never let it come up. */
                bool in_start_period = s->health == HEALTH_STARTING &&
                                       (p->start_period == 0 || now_mono() - s->spawned_mono < p->start_period);
                if (!in_start_period) {
                        s->probe_failures++;
                        if (s->probe_failures >= p->retries && s->health != HEALTH_UNHEALTHY) {
                                svc_set_health(s, HEALTH_UNHEALTHY);
                                if (p->on_unhealthy == ON_UNHEALTHY_RESTART) {
                                        char why[320];
                                        snprintf(why, sizeof(why), "unhealthy: %u failed probes (last: %s)",
                                                 s->probe_failures, detail);
                                        svc_fail(s, STOP_OUTCOME_RESTART, why);
                                        return;
                                }
                        }
                }
        }
        if (s->probe_again) {
                s->probe_again = false;
                if (!pass && s->state == ST_RUNNING) {
                        run_probe(s);
                        return;
                }
        }
        schedule_probe(s);
}

static void start_timer_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        if (svc_dep_satisfied(s, DEP_HEALTHY))
                return;
        char tb[32], why[320];
        snprintf(why, sizeof(why), "not healthy within start_timeout %s%s%s",
                 format_duration(s->cfg->health.start_timeout, tb, sizeof(tb)), s->probe_detail[0] ? " (last probe: " : "",
                 s->probe_detail[0] ? s->probe_detail : "");
        if (s->probe_detail[0])
                strncat(why, ")", sizeof(why) - strlen(why) - 1);
        svc_fail(s, STOP_OUTCOME_FAILED, why);
        sched_run(s->m);
}

static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        char tb[32], why[128];
        snprintf(why, sizeof(why), "watchdog timeout: no WATCHDOG=1 within %s",
                 format_duration(health_watchdog_interval(s), tb, sizeof(tb)));
        svc_fail(s, STOP_OUTCOME_RESTART, why);
        sched_run(s->m);
}

void health_watchdog_trigger(struct svc *s) {
        if (!svc_state_up(s->state) && s->state != ST_STARTING)
                return;
        svc_fail(s, STOP_OUTCOME_RESTART, "watchdog: the service sent WATCHDOG=trigger");
        sched_run(s->m);
}

bool health_extend_start(struct svc *s, uint64_t usec) {
        if (s->state != ST_STARTING || s->probe_timer.data != s || !ev_is_active(&s->start_timer))
                return false;
        double want = (double)usec / 1e6;
        if (ev_timer_remaining(s->m->loop, &s->start_timer) < want) {
                ev_timer_stop(s->m->loop, &s->start_timer);
                ev_timer_set(&s->start_timer, want, 0.);
                ev_timer_start(s->m->loop, &s->start_timer);
        }
        return true;
}

static void init_watchers(struct svc *s) {
        if (s->probe_timer.data == s)
                return;
        ev_init(&s->probe_timer, probe_timer_cb);
        ev_init(&s->probe_timeout, probe_timeout_cb);
        ev_init(&s->probe_io, probe_io_cb);
        ev_init(&s->start_timer, start_timer_cb);
        ev_init(&s->watchdog_timer, watchdog_cb);
        s->probe_timer.data = s->probe_timeout.data = s->probe_io.data = s;
        s->start_timer.data = s->watchdog_timer.data = s;
        s->probe_fd = -1;
}

void health_on_spawn(struct svc *s) {
        const struct svc_config *c = s->cfg;
        init_watchers(s);
        s->probe_failures = 0;
        s->probe_passed = false;
        s->probe_again = false;
        str_clear(&s->probe_detail);
        if (s->probe_output)
                s->probe_output[0] = 0;
        s->probe_id = 0;
        if (c->health.kind != PROBE_NONE) {
                svc_set_health(s, HEALTH_STARTING);
                schedule_probe(s);
        }
        if (c->health.start_timeout) {
                ev_timer_set(&s->start_timer, secs(c->health.start_timeout), 0.);
                ev_timer_start(s->m->loop, &s->start_timer);
        }
        /* a WATCHDOG_USEC= of the last run is not this one's (systemd resets it too) */
        s->watchdog_override = false;
        s->watchdog_override_usec = 0;
        /* (the watchdog waits for READY=1, or a first WATCHDOG=1: see
         * arm_watchdog) */
}

/* The watchdog runs from READY=1 on, as systemd's does ("activated when the
 * start-up is completed"): a daemon written for it pings from its main loop,
 * which may begin only after a start longer than the interval (a database's
 * recovery); the start's own limit is healthcheck.start_timeout. A
 * WATCHDOG=1 while starting starts it at once (systemd's too): a service
 * that pings is held to it from then on. */
static void arm_watchdog(struct svc *s) {
        init_watchers(s);
        ev_timer_stop(s->m->loop, &s->watchdog_timer);
        ev_timer_set(&s->watchdog_timer, 0., secs(health_watchdog_interval(s)));
        ev_timer_again(s->m->loop, &s->watchdog_timer);
}

uint64_t health_watchdog_interval(const struct svc *s) {
        return s->watchdog_override ? s->watchdog_override_usec : s->cfg->watchdog;
}

void health_watchdog_usec(struct svc *s, uint64_t usec, bool quiet) {
        const char *name = s->cfg->name;
        char tb[32];
        /* (only a notify service is given NOTIFY_SOCKET and may keep a
         * watchdog: as systemd's NotifyAccess= defaults, another's is not
         * listened to) */
        if (s->cfg->type != SVC_NOTIFY) {
                if (!quiet)
                        log_warn("%s: WATCHDOG_USEC=%llu ignored: only a service of type notify has "
                                 "a watchdog",
                                 name, (unsigned long long)usec);
                return;
        }
        if (!svc_state_up(s->state) && s->state != ST_STARTING)
                return; /* stopping: its watchdog is over (health_on_exit) */
        /* the watchdog key's range: below it, a service is killed before
         * it can ping; above it, a value meant as "off" (systemd's
         * USEC_INFINITY) or a unit mistake would never fire */
        if (usec && (usec < 10 * USEC_PER_MSEC || usec > CP_DAY)) {
                char v[32]; /* (NOTIFY_EXTEND_MAX + 1 stands for any larger value) */
                if (usec > CP_DAY)
                        snprintf(v, sizeof(v), "over a day");
                else
                        snprintf(v, sizeof(v), "%llu", (unsigned long long)usec);
                if (!quiet)
                        log_warn("%s: WATCHDOG_USEC=%s refused: not between 10ms and 1d "
                                 "(0 turns the watchdog off); the watchdog stays %s",
                                 name, v,
                                 health_watchdog_interval(s)
                                         ? format_duration(health_watchdog_interval(s), tb, sizeof(tb))
                                         : "off");
                return;
        }
        bool same = health_watchdog_interval(s) == usec;
        s->watchdog_override = true;
        s->watchdog_override_usec = usec;
        statefile_touch(s->m); /* (a next svd after a crash keeps it too) */
        init_watchers(s);
        /* As systemd's: the new interval counts from now (a WATCHDOG=1), and
         * 0 stops the watchdog until the next start. */
        if (!usec) {
                ev_timer_stop(s->m->loop, &s->watchdog_timer);
                if (!same)
                        log_info("%s: watchdog off (WATCHDOG_USEC=0) until the service starts again", name);
                return;
        }
        arm_watchdog(s);
        if (!same)
                log_info("%s: watchdog now %s (WATCHDOG_USEC=%llu) until the service starts again", name,
                         format_duration(usec, tb, sizeof(tb)), (unsigned long long)usec);
}

void health_on_ready(struct svc *s) {
        init_watchers(s);
        if (health_watchdog_interval(s) && !ev_is_active(&s->watchdog_timer))
                arm_watchdog(s);
        if (s->cfg->health.kind == PROBE_NONE)
                return;
        /* healthy at once only if the last check passed (a READY=1 that ends
         * a reload must not clear "unhealthy": the next check decides) */
        if (s->probe_passed && s->probe_failures == 0) {
                set_healthy(s);
                return;
        }
        /* READY=1 says it is up now: probe at once rather than at the next
         * start_interval tick, or again as soon as a probe that began before
         * READY=1 fails. Dependents waiting for "healthy" (a boot is a chain
         * of these) would otherwise wait up to start_interval for nothing. */
        if (s->probe_pid > 0 || s->probe_id) {
                s->probe_again = true;
                return;
        }
        ev_timer_stop(s->m->loop, &s->probe_timer);
        run_probe(s);
}

void health_on_watchdog(struct svc *s) {
        if (!health_watchdog_interval(s))
                return;
        if (s->probe_timer.data == s && ev_is_active(&s->watchdog_timer))
                ev_timer_again(s->m->loop, &s->watchdog_timer);
        else if (s->state == ST_STARTING)
                arm_watchdog(s); /* its first ping (see arm_watchdog) */
}

void health_on_exit(struct svc *s) {
        struct ev_loop *loop = s->m->loop;
        init_watchers(s);
        ev_timer_stop(loop, &s->probe_timer);
        ev_timer_stop(loop, &s->start_timer);
        ev_timer_stop(loop, &s->watchdog_timer);
        kill_exec_probe(s);
        if (s->probe_pid > 0)
                s->probe_stale = true;
        s->probe_stuck = false; /* the next run skips its checks while it is there, as before */
        close_probe_pipe(s);
        if (s->probe_id)
                prober_cancel(s->m, s);
        s->probe_id = s->probe_late_id = 0;
        if (s->health != HEALTH_NONE)
                svc_set_health(s, HEALTH_NONE);
}

void health_done(struct svc *s) {
        if (s->m && s->probe_timer.data == s)
                health_on_exit(s);
        free(s->probe_output);
        free(s->probe_buf);
        s->probe_output = s->probe_buf = NULL;
}

void health_probe_abandoned(struct svc *s, pid_t probe_pid) {
        /* Only a child of ours: unreaped, so neither its pid nor its group
         * id can be another's (and a damaged state naming 1 or anything
         * else cannot turn this into a kill of the wrong group). */
        siginfo_t si;
        if (probe_pid <= 1 || waitid(P_PID, (id_t)probe_pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                return;
        (void)kill(-probe_pid, SIGKILL);
        s->probe_pid = probe_pid;
        s->probe_stale = true;
}

void health_on_restore(struct svc *s, unsigned probe_failures, bool probe_passed, double start_left_usec,
                       double watchdog_left_usec, double watchdog_usec) {
        const struct svc_config *c = s->cfg;
        init_watchers(s);
        s->probe_failures = probe_failures;
        s->probe_passed = probe_passed;
        s->probe_id = 0;
        /* A process taken over whose file changed since it started, with
         * no reload to apply it: its checks are the file's (the old ones
         * are not known any more, and it runs until a restart), and its
         * health must fit them. Without a check, none (a "starting" left
         * would hold a dependent needing it healthy for ever: no check is
         * there to end it); with a check it ran without, it begins as at a
         * start, starting until a first pass (not unhealthy at its first
         * failure). */
        if (c->health.kind == PROBE_NONE && s->health != HEALTH_NONE) {
                log_info("%s: health %s -> none: its health check was removed from its file", c->name,
                         svc_health_name(s->health));
                s->health = HEALTH_NONE;
                s->health_since_real = now_real();
        } else if (c->health.kind != PROBE_NONE && s->health == HEALTH_NONE) {
                log_info("%s: health none -> starting: its file has a health check now", c->name);
                s->health = HEALTH_STARTING;
                s->health_since_real = now_real();
                s->probe_failures = 0;
                s->probe_passed = false;
        }
        if (c->health.kind != PROBE_NONE)
                schedule_probe(s);
        if (c->health.start_timeout && start_left_usec >= 0) {
                ev_timer_set(&s->start_timer, start_left_usec / 1e6, 0.);
                ev_timer_start(s->m->loop, &s->start_timer);
        }
        /* its WATCHDOG_USEC= holds until its next start, not until ours (a
         * value none could have set, from a damaged state, counts as none) */
        s->watchdog_override = watchdog_usec == 0 || (watchdog_usec >= (double)(10 * USEC_PER_MSEC) &&
                                                      watchdog_usec <= (double)CP_DAY);
        s->watchdog_override_usec = s->watchdog_override ? (usec_t)watchdog_usec : 0;
        usec_t every = health_watchdog_interval(s);
        /* (a service still starting whose watchdog had not started yet:
         * it still waits, see arm_watchdog) */
        if (every && (watchdog_left_usec >= 0 || s->state != ST_STARTING)) {
                ev_timer_set(&s->watchdog_timer,
                             watchdog_left_usec >= 0 ? watchdog_left_usec / 1e6 : secs(every), secs(every));
                ev_timer_start(s->m->loop, &s->watchdog_timer);
        }
}
