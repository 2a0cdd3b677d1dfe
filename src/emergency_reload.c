/* emergency_reload: leaving PID 1's emergency state without a reboot (see
 * emergency.h). svctl reload, or SIGHUP, loads the configuration again;
 * once it loads, svd executes itself again and boots as it should have.
 *
 * The emergency can follow a daemon-reexec whose new instance could not
 * load the configuration (edited between the old instance's check and the
 * exec). That state's services still run, unsupervised: the exec hands the
 * state on, with the exits of their processes that the emergency reaped
 * meanwhile, so the next instance takes them over instead of starting them
 * a second time. It runs the binary this process runs (/proc/self/exe),
 * which reads that state; without a state, the file at the binary's path,
 * so that a fixed svd installed from the emergency shell is the one that
 * boots. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "emergency_int.h"
#include "log.h"
#include "log_watch.h"
#include "profile.h"
#include "reexec.h"
#include "reload.h"
#include "svc.h"
#include "svd.h"

#define SELF_EXE "/proc/self/exe"

void emergency_carry(struct emergency *e) {
        const cJSON *o;
        if (!e->rec.restore)
                return;
        if (!(e->reaped = cJSON_CreateArray()))
                log_err("emergency: out of memory: the exits of the previous instance's services are not kept");
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(e->rec.restore, "services")) {
                const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pid");
                if (!cJSON_IsString(n) || !cJSON_IsNumber(p) || p->valuedouble < 2 || p->valuedouble > INT_MAX)
                        continue;
                struct emergency_carried *v = realloc(e->carried, (e->n_carried + 1) * sizeof(*v));
                char *name = strdup(n->valuestring);
                if (!v || !name) {
                        free(name);
                        if (v)
                                e->carried = v;
                        log_err("emergency: out of memory listing the previous instance's services");
                        break;
                }
                e->carried = v;
                v[e->n_carried++] = (struct emergency_carried){ .name = name, .pid = (pid_t)p->valuedouble };
        }
        if (e->n_carried)
                log_warn("emergency: %zu service%s of the previous instance run%s on, unsupervised; svctl reload "
                         "takes them over once the configuration loads",
                         e->n_carried, e->n_carried == 1 ? "" : "s", e->n_carried == 1 ? "s" : "");
}

void emergency_reaped(struct emergency *e, pid_t pid, int status) {
        for (size_t i = 0; i < e->n_carried; i++) {
                if (e->carried[i].pid != pid)
                        continue;
                e->carried[i].pid = 0;
                char how[64];
                log_warn("emergency: %s (pid %d) ended (%s); svd acts on it once it runs again", e->carried[i].name,
                         (int)pid, svc_format_exit(status, how, sizeof(how)));
                cJSON *it = cJSON_CreateObject();
                if (!it || !cJSON_AddNumberToObject(it, "pid", pid) || !cJSON_AddNumberToObject(it, "status", status) ||
                    !cJSON_AddItemToArray(e->reaped, it)) {
                        cJSON_Delete(it);
                        log_err("emergency: out of memory: the next instance will not see %s's exit",
                                e->carried[i].name);
                }
                return;
        }
}

static size_t carried_running(const struct emergency *e) {
        size_t n = 0;
        for (size_t i = 0; i < e->n_carried; i++)
                n += e->carried[i].pid > 0;
        return n;
}

/* Loads the configuration as main() does; on errors, they become the
 * emergency's cause. */
static int config_loads(struct emergency *e, struct cfg_errors *errs, size_t *n_svcs) {
        struct svd_config *cfg = NULL;
        int r = config_load(e->rec.config_file, &cfg, errs);
        if (r >= 0 && (r = profile_select(cfg, e->rec.profiles, errs)) >= 0)
                *n_svcs = cfg->n_svcs;
        for (size_t i = 0; i < errs->n_warns; i++)
                log_warn("reload: %s", errs->warns[i]);
        config_free(cfg);
        if (r >= 0)
                return 0;
        char why[1024];
        if (errs->n)
                snprintf(why, sizeof(why), "the configuration does not load (%zu error%s; first: %s)", errs->n,
                         errs->n == 1 ? "" : "s", errs->msgs[0]);
        else
                snprintf(why, sizeof(why), "the configuration does not load: %s: %s", e->rec.config_file,
                         strerror(-r));
        emergency_set_reason(e, why, errs->msgs, errs->n);
        return r;
}

/* Why svd cannot leave from here; NULL if it can. */
static const char *cannot_leave(const struct emergency *e) {
        if (!e->rec.config_file || !e->rec.argv)
                return "svd cannot start again from its emergency state here; svctl reboot";
        if (e->rec.restore_lost)
                return "the services of the daemon-reexec before are no longer known to svd: starting again could "
                       "run them twice; svctl reboot";
        if (ev_is_active(&e->exec_timer))
                return "svd is starting again already";
        return NULL;
}

/* The state for the next instance, in a memfd it inherits: the one this
 * instance was given, the exits reaped since and the control socket this
 * one answers on. The fd or -errno. */
static int state_fd(struct svd *m, struct emergency *e) {
        cJSON *st = e->rec.restore, *fds = cJSON_GetObjectItemCaseSensitive(st, "fds");
        cJSON_DeleteItemFromObjectCaseSensitive(st, "reaped");
        cJSON *reaped = e->reaped ? cJSON_Duplicate(e->reaped, true) : cJSON_CreateArray();
        if (!reaped || !cJSON_AddItemToObject(st, "reaped", reaped)) {
                cJSON_Delete(reaped);
                return -ENOMEM;
        }
        if (!cJSON_IsObject(fds) && !(fds = cJSON_AddObjectToObject(st, "fds")))
                return -ENOMEM;
        cJSON_DeleteItemFromObjectCaseSensitive(fds, "control");
        int cfd = control_listen_fd(m->ctl);
        if (cfd >= 0 && !cJSON_AddNumberToObject(fds, "control", cfd))
                return -ENOMEM;
        char *text = cJSON_PrintUnformatted(st);
        if (!text)
                return -ENOMEM;
        int fd = memfd_create("svd-state", 0); /* inherited on purpose */
        struct iovec iov = { text, strlen(text) };
        int r = fd < 0 ? -errno : writev_whole(fd, &iov, 1, 0);
        free(text);
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                return r;
        }
        return fd;
}

static void set_cloexec(int fd, bool on) {
        int fl = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
        if (fl >= 0)
                (void)fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

/* What the next instance inherits: the previous instance's descriptors,
 * the control socket and the state, all or none. */
static void inherit(struct svd *m, struct emergency *e, int state, bool on) {
        for (int *f = e->rec.inherited_fds; state >= 0 && f && *f >= 0; f++)
                set_cloexec(*f, !on);
        if (state >= 0) {
                set_cloexec(control_listen_fd(m->ctl), !on);
                set_cloexec(state, !on);
        }
}

static void exec_svd(struct svd *m, struct emergency *e) {
        char *bin = e->rec.restore ? strdup(SELF_EXE) : reexec_binary();
        int fd = -1, r = bin ? 0 : -ENOMEM;
        if (r == 0 && e->rec.restore && (r = state_fd(m, e)) >= 0) {
                fd = r;
                r = 0;
        }
        char **argv = r < 0 ? NULL : reexec_argv(e->rec.argv, fd);
        if (!argv) {
                log_err("emergency: cannot start svd again: %s; still in the emergency state",
                        strerror(r < 0 ? -r : ENOMEM));
                if (fd >= 0)
                        close(fd);
                free(bin);
                return;
        }
        size_t n = carried_running(e);
        int x = cJSON_GetArraySize(e->reaped);
        if (e->rec.restore)
                log_info("emergency: the configuration loads: executing %s again, taking over %zu running "
                         "service%s and %d exit%s",
                         bin, n, n == 1 ? "" : "s", x, x == 1 ? "" : "s");
        else
                log_info("emergency: the configuration loads: executing %s", bin);
        emergency_shell_stop(m->loop, e, e->reload_peer);
        log_watch_detach(1000);
        control_flush_all(m->ctl);
        inherit(m, e, fd, true);
        int err = reexec_execv(bin, argv);
        inherit(m, e, fd, false);
        if (fd >= 0)
                close(fd);
        log_watch_attach(m->loop);
        log_err("emergency: executing %s failed: %s; still in the emergency state", bin, strerror(err));
        emergency_shell_resume(m->loop, e);
        reexec_argv_free(argv);
        free(bin);
}

static void exec_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        exec_svd(w->data, ((struct svd *)w->data)->emergency);
}

/* After a reply, a loop iteration later: the reply goes out first. */
static void exec_soon(struct svd *m, struct emergency *e) {
        ev_timer_init(&e->exec_timer, exec_cb, 0., 0.);
        e->exec_timer.data = m;
        ev_timer_start(m->loop, &e->exec_timer);
}

cJSON *emergency_reload_op(struct svd *m, const cJSON *req, const struct control_peer *peer) {
        struct emergency *e = m->emergency;
        const cJSON *dry = cJSON_GetObjectItemCaseSensitive(req, "dry_run");
        if (dry && !cJSON_IsBool(dry))
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'dry_run': expected true or false");
        if (!peer->admin) {
                log_warn("control: refused reload from uid %u pid %d: not an administrator", (unsigned)peer->uid,
                         (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: reload needs root or the admin group");
        }
        const char *no = cannot_leave(e);
        if (no)
                return proto_reply_error(PROTO_E_FAILED, "%s", no);
        struct cfg_errors errs = { 0 };
        size_t n_svcs = 0;
        int r = config_loads(e, &errs, &n_svcs);
        if (r < 0) {
                log_warn("control: reload from uid %u pid %d: the configuration still does not load (%zu error%s)",
                         (unsigned)peer->uid, (int)peer->pid, errs.n, errs.n == 1 ? "" : "s");
                for (size_t i = 0; i < errs.n; i++)
                        log_warn("reload: %s", errs.msgs[i]);
                cJSON *rep = reload_errors_reply(&errs, r, "svd stays in its emergency state");
                cfg_errors_free(&errs);
                return rep;
        }
        cfg_errors_free(&errs);
        cJSON *rep = proto_reply_ok();
        if (!rep)
                return NULL;
        cJSON_AddBoolToObject(rep, "emergency", true);
        cJSON_AddBoolToObject(rep, "dry_run", cJSON_IsTrue(dry));
        cJSON_AddNumberToObject(rep, "services", (double)n_svcs);
        cJSON_AddNumberToObject(rep, "carried", (double)carried_running(e));
        if (cJSON_IsTrue(dry))
                return rep;
        log_info("control: reload from uid %u pid %d: leaving the emergency state", (unsigned)peer->uid,
                 (int)peer->pid);
        e->reload_peer = peer->pid;
        exec_soon(m, e);
        return rep;
}

void emergency_reload_signal(struct svd *m) {
        struct emergency *e = m->emergency;
        const char *no = cannot_leave(e);
        if (no) {
                log_err("SIGHUP: %s", no);
                return;
        }
        struct cfg_errors errs = { 0 };
        size_t n_svcs = 0;
        int r = config_loads(e, &errs, &n_svcs);
        if (r < 0) {
                for (size_t i = 0; i < errs.n; i++)
                        log_err("reload: %s", errs.msgs[i]);
                log_err("SIGHUP: the configuration still does not load (%s); svd stays in its emergency state",
                        errs.n ? "errors above" : strerror(-r));
        } else {
                log_info("SIGHUP: leaving the emergency state");
                e->reload_peer = 0;
                exec_soon(m, e);
        }
        cfg_errors_free(&errs);
}
