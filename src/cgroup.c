/* cgroup: see cgroup.h. All paths are built from svd's own cgroup and the
 * configuration; nothing is ever written outside svd's subtree, and nothing
 * at all when the v2 controllers are not available. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "orphanstop_cg.h"
#include "sched.h"
#include "spawn.h"
#include "svd.h"

int cg_write_file(const char *dir, const char *file, const char *val) {
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, file);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, val, strlen(val));
        int r = n < 0 ? -errno : 0;
        close(fd);
        return r;
}

int cg_read_file(const char *dir, const char *file, char *buf, size_t len) {
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, file);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        int r = n < 0 ? -errno : (int)n;
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        return r;
}

/* "key value" lines: the value of key, or -ENOENT. */
int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *ret) {
        char buf[4096];
        int r = cg_read_file(dir, file, buf, sizeof(buf));
        if (r < 0)
                return r;
        size_t kl = strlen(key);
        for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
                        *ret = strtoull(l + kl + 1, NULL, 10);
                        return 0;
                }
        return -ENOENT;
}

char *cg_find_mount(void) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return NULL;
        char *line = NULL, *found = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                char *sep = strstr(line, " - ");
                if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
                        continue;
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
                        found = strdup(mp);
                        break;
                }
        }
        free(line);
        fclose(f);
        return found;
}

char *cg_own_cgroup(void) {
        FILE *f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return NULL;
        char line[4096], *r = NULL;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0) {
                        line[strcspn(line, "\n")] = 0;
                        r = strdup(line + 3);
                        break;
                }
        fclose(f);
        return r;
}

/* own as the base of svd's subtree: after a daemon-reexec (or a start from
 * inside the supervisor cgroup) this process is already in
 * <base>/<cgroup_root>/supervisor, and the subtree is the one it is in, not
 * a new one nested below it. Compared path component by component, so
 * "svd/" or "a//b" in cgroup_root match what /proc/self/cgroup shows. */
void cg_own_base(char *own, const char *cgroup_root) {
        char want[4096];
        size_t o = 0;
        for (const char *p = cgroup_root; *p && o < sizeof(want) - 16; p++)
                if (*p != '/' || (o && want[o - 1] != '/'))
                        want[o++] = *p;
        while (o && want[o - 1] == '/')
                o--;
        if (!o)
                return;
        snprintf(want + o, sizeof(want) - o, "/supervisor");
        size_t ol = strlen(own), wl = strlen(want);
        if (ol <= wl || own[ol - wl - 1] != '/' || strcmp(own + ol - wl, want) != 0)
                return;
        own[ol - wl - 1] = 0;
        if (!own[0])
                strcpy(own, "/");
}

bool cg_has_word(const char *list, const char *w) {
        size_t l = strlen(w);
        for (const char *p = list; (p = strstr(p, w)); p += l)
                if ((p == list || p[-1] == ' ') && (p[l] == 0 || p[l] == ' ' || p[l] == '\n'))
                        return true;
        return false;
}

/* The controllers svd uses that avail lists, as "+cpu +memory ..." */
static void wanted(const char *avail, char *want, size_t len) {
        const char *ctl[] = { "cpu", "memory", "pids", "io", "cpuset" };
        size_t o = 0;
        want[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(ctl); i++)
                if (cg_has_word(avail, ctl[i]) && o + strlen(ctl[i]) + 3 < len)
                        o += (size_t)snprintf(want + o, len - o, "%s+%s", o ? " " : "", ctl[i]);
}

/* Enables our controllers for the children of dir. */
static int enable_controllers(struct cgroup_mgr *g, const char *dir) {
        char want[160];
        wanted(g->controllers, want, sizeof(want));
        return want[0] ? cg_write_file(dir, "cgroup.subtree_control", want) : 0;
}

/* Whether dir is the root of its cgroup2 hierarchy: only the root has no
 * cgroup.type. A cgroup namespace's root (a container's) does have one. */
static bool real_root(const char *dir) {
        char p[4200];
        snprintf(p, sizeof(p), "%s/cgroup.type", dir);
        return access(p, F_OK) < 0 && errno == ENOENT;
}

int cgroup_enable_root_controllers(const char *mnt, char *why, size_t wl) {
        char avail[256], on[256], want[160];
        _cleanup_(freep) char *own = cg_own_cgroup();
        /* Only the hierarchy's real root, and only if it is cgroup2 with our
         * controllers: on a hybrid host (PID 1 of a PID namespace in a test)
         * or in a container's cgroup namespace there is nothing to do here. */
        if (!own || strcmp(own, "/") != 0 || cg_read_file(mnt, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
            !real_root(mnt))
                return 0;
        wanted(avail, want, sizeof(want));
        if (!want[0] || cg_read_file(mnt, "cgroup.subtree_control", on, sizeof(on)) < 0)
                return 0;
        bool all = true;
        char copy[160], *save = NULL;
        snprintf(copy, sizeof(copy), "%s", want);
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
                all = all && cg_has_word(on, w + 1);
        if (all)
                return 0;
        int r = cg_write_file(mnt, "cgroup.subtree_control", want);
        if (r < 0) {
                snprintf(why, wl, "enabling %s in %s: %s", want, mnt, strerror(-r));
                return r;
        }
        return 0;
}

static void ino_cb(struct ev_loop *loop, ev_io *w, int revents);

__attribute__((format(printf, 4, 5))) static int unavailable(struct cgroup_mgr *g, char *reason, size_t rlen,
                                                              const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
        va_end(ap);
        snprintf(reason, rlen, "%s", g->reason);
        g->enabled = false;
        return -ENODEV;
}

/* Creates every slice of m->cfg (parents first: a slice path is the chain of
 * its parents) with its limits; *ret: absolute paths, per slice, and
 * *ret_refused what the kernel refused of each one's limits. live (a
 * reload, a take-over): a refused limit stops none of the others
 * (cg_slice_apply_live); at svd's fresh start the first one refused is the
 * error. */
static int setup_slices(struct svd *m, char ***ret, char ***ret_refused, bool live, char *reason,
                        size_t rlen)
{
        struct cgroup_mgr *g = m->cg;
        char **paths = calloc(m->cfg->n_slices + 1, sizeof(char *));
        char **refused = calloc(m->cfg->n_slices + 1, sizeof(char *));
        int r;
        *ret = paths;
        *ret_refused = refused;
        if (!paths || !refused)
                return -ENOMEM;
        for (size_t i = 0; i < m->cfg->n_slices; i++) {
                _cleanup_(freep) char *rel = cgroup_slice_path(m->cfg, &m->cfg->slices[i]);
                if (!rel || !(paths[i] = strdup_printf("%s/%s", g->root, rel)))
                        return -ENOMEM;
        }
        /* every path is known now (slice stats index them); a failing slice
         * does not keep the others from being set up */
        int first = 0;
        for (size_t i = 0; i < m->cfg->n_slices; i++) {
                char *abs = paths[i];
                bool existed = access(abs, F_OK) == 0; /* reload, or an earlier svd's */
                if ((r = mkdir_p(abs, 0755)) < 0) {
                        if (!first) {
                                snprintf(reason, rlen, "slice %s: cannot create %s: %s", m->cfg->slices[i].name,
                                         abs, strerror(-r));
                                first = -EINVAL;
                        }
                        continue;
                }
                /* every level needs the controllers for the next one */
                for (char *p = abs + strlen(g->root); (p = strchr(p + 1, '/'));) {
                        *p = 0;
                        enable_controllers(g, abs);
                        *p = '/';
                }
                enable_controllers(g, abs);
                if (live) {
                        refused[i] = cg_slice_apply_live(g, abs, &m->cfg->slices[i], existed);
                        continue;
                }
                char err[256];
                if (existed) /* (an earlier svd's, a lower memory_max) */
                        cg_below_use(g, abs, &m->cfg->slices[i].resources, "slice", m->cfg->slices[i].name);
                if (cg_apply_knobs(g, abs, &m->cfg->slices[i].resources, existed, err, sizeof(err)) < 0 &&
                    !first) {
                        snprintf(reason, rlen, "slice %s: %s", m->cfg->slices[i].name, err);
                        first = -EINVAL;
                }
        }
        return first;
}

/* A cgroup's memory.min/low protection is capped by its parent's, and svd's
 * own subtree root has none by default: the protection a slice or service
 * asks for would be cut to nothing. The root therefore lets it through
 * ("max": what the subtree claims is what it gets) while something in the
 * configuration asks for protection, and goes back to none ("0") once
 * nothing does: at every start (the root may be a killed svd's, or an
 * earlier configuration's), reload and daemon-reexec, so a protection
 * removed from the configuration does not live on as memory the subtree
 * keeps from the rest of the host. memory_min lets memory.low through
 * too. */
static void protect_root(struct svd *m) {
        struct cgroup_mgr *g = m->cg;
        bool min = false, low = false;
        for (size_t i = 0; i < m->cfg->n_slices; i++) {
                min |= m->cfg->slices[i].resources.memory_min.set;
                low |= m->cfg->slices[i].resources.memory_low.set;
        }
        for (size_t i = 0; i < m->cfg->n_svcs; i++) {
                min |= m->cfg->svcs[i].resources->memory_min.set;
                low |= m->cfg->svcs[i].resources->memory_low.set;
        }
        low |= min;
        int r;
        if ((r = cg_write_file(g->root, "memory.min", min ? "max" : "0")) < 0)
                log_warn("cgroup: memory.min of %s: %s (%s)", g->root, strerror(-r),
                         min ? "memory_min of slices and services is not effective"
                             : "an earlier memory_min may still be held");
        if ((r = cg_write_file(g->root, "memory.low", low ? "max" : "0")) < 0)
                log_warn("cgroup: memory.low of %s: %s (%s)", g->root, strerror(-r),
                         low ? "memory_low of slices and services is not effective"
                             : "an earlier memory_low may still be held");
}

static void free_paths(char **paths) {
        for (size_t i = 0; paths && paths[i]; i++)
                free(paths[i]);
        free(paths);
}

/* (NULL where none was refused: not NULL-terminated as paths are) */
static void free_refused(char **refused, size_t n)
{
        for (size_t i = 0; refused && i < n; i++)
                free(refused[i]);
        free(refused);
}

void cgroup_reload_slices(struct svd *m) {
        struct cgroup_mgr *g = m->cg;
        char **paths = NULL, **refused = NULL, why[300] = "";
        if (!g || !g->enabled)
                return;
        int r = setup_slices(m, &paths, &refused, true, why, sizeof(why));
        if (r < 0)
                log_err("reload: slices: %s", r == -EINVAL ? why : strerror(-r));
        cg_warn_missing(m);
        protect_root(m);
        cg_gone_keep(m, paths);
        cg_gone_retry(m); /* what an earlier reload left */
        /* slices no longer configured go once empty, deepest first: the
         * paths are in the order of the slices' names, where a child may
         * come before its parent ("api" below "web"), and a parent tried
         * first would stay, busy with the child. A path below another is
         * longer than it: the longest first. */
        size_t below = SIZE_MAX; /* the lengths done */
        for (;;) {
                size_t len = 0;
                for (size_t i = 0; g->slice_paths && g->slice_paths[i]; i++) {
                        size_t l = strlen(g->slice_paths[i]);
                        if (l < below && l > len)
                                len = l;
                }
                if (!len)
                        break;
                for (size_t i = 0; g->slice_paths[i]; i++) {
                        bool kept = strlen(g->slice_paths[i]) != len;
                        for (size_t k = 0; paths && paths[k] && !kept; k++)
                                kept = strcmp(paths[k], g->slice_paths[i]) == 0;
                        if (!kept && rmdir(g->slice_paths[i]) < 0 && errno != ENOENT)
                                cg_gone_add(m, g->slice_paths[i], "removed by the reload");
                }
                below = len;
        }
        if (r == -ENOMEM) {
                /* the old paths stay (what the next reload removes); the
                 * slices' figures are not read from them */
                free_paths(paths);
                free_refused(refused, m->cfg->n_slices);
                g->slices_stale = true;
                return;
        }
        free_paths(g->slice_paths);
        free_refused(g->slice_refused, g->n_slices);
        g->slice_paths = paths;
        g->slice_refused = refused;
        g->n_slices = m->cfg->n_slices;
        g->slices_stale = false;
}

static void close_leaf_fds(struct svc *s) {
        if (s->cg_procs_fd >= 0)
                close(s->cg_procs_fd);
        if (s->cg_dir_fd >= 0)
                close(s->cg_dir_fd);
        s->cg_procs_fd = s->cg_dir_fd = -1;
}

void cgroup_forget(struct svd *m, struct svc *s) {
        struct cgroup_mgr *g = m->cg;
        close_leaf_fds(s);
        if (g && g->ino_fd >= 0) {
                if (s->cg_wd_events >= 0)
                        (void)inotify_rm_watch(g->ino_fd, s->cg_wd_events);
                if (s->cg_wd_memory >= 0)
                        (void)inotify_rm_watch(g->ino_fd, s->cg_wd_memory);
        }
        s->cg_wd_events = s->cg_wd_memory = -1;
        cg_leftovers_forget(s);
        s->cg_knobs_written = false;
        /* an empty leaf goes, with the empty cgroups the service made below
         * it; one with processes stays visible */
        if (s->cg_path)
                cg_rmdir_tree(s->cg_path);
        free(s->cg_path);
        s->cg_path = NULL;
}

int cgroup_init(struct svd *m, char *reason, size_t rlen) {
        struct cgroup_mgr *g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->ino_fd = -1;
        m->cg = g;
        g->host_ram = host_mem_total();

        _cleanup_(freep) char *mnt = cg_find_mount();
        if (!mnt && getpid() == 1) {
                (void)mkdir("/sys/fs/cgroup", 0755);
                if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "nsdelegate,memory_recursiveprot") == 0 ||
                    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "nsdelegate") == 0)
                        mnt = strdup("/sys/fs/cgroup");
        }
        if (!mnt)
                return unavailable(g, reason, rlen, "no cgroup2 file system is mounted");
        _cleanup_(freep) char *own = cg_own_cgroup();
        if (!own)
                return unavailable(g, reason, rlen, "cannot read /proc/self/cgroup");
        cg_own_base(own, m->cfg->cgroup_root);
        char base[4096];
        snprintf(base, sizeof(base), "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
        char ctl[256];
        if (cg_read_file(base, "cgroup.controllers", ctl, sizeof(ctl)) < 0 || !cg_has_word(ctl, "memory") ||
            !cg_has_word(ctl, "pids"))
                /* A hybrid/v1 host: its controllers live in v1 hierarchies that
                 * belong to the host. Touch nothing. */
                return unavailable(g, reason, rlen,
                                   "no cgroup v2 memory/pids controllers at %.160s (hybrid or v1 layout)", base);
        ctl[strcspn(ctl, "\n")] = 0;
        snprintf(g->controllers, sizeof(g->controllers), "%s", ctl);

        g->root = strdup_printf("%s/%s", base, m->cfg->cgroup_root);
        if (!g->root)
                return -ENOMEM;
        /* Our own cgroup may enable controllers for its children only once
         * it holds no process (no-internal-processes rule), so svd moves
         * into <root>/supervisor. Not PID 1 in the hierarchy's real root,
         * which the rule exempts: there the move would only cost a wait for
         * the kernel (an RCU grace period) on every boot. */
        bool move = !(getpid() == 1 && strcmp(own, "/") == 0 && real_root(base));
        char sup[4200];
        snprintf(sup, sizeof(sup), "%s/supervisor", g->root);
        if ((mkdir(g->root, 0755) < 0 && errno != EEXIST) || (move && mkdir(sup, 0755) < 0 && errno != EEXIST)) {
                int e = errno;
                return unavailable(g, reason, rlen, "cannot create svd's cgroup subtree: %s", strerror(e));
        }
        int r = 0;
        if (move) {
                char pid[32];
                snprintf(pid, sizeof(pid), "%d", (int)getpid());
                r = cg_write_file(sup, "cgroup.procs", pid);
                if (r < 0)
                        return unavailable(g, reason, rlen, "cannot move svd into its supervisor cgroup: %s",
                                           strerror(-r));
        }
        r = enable_controllers(g, base);
        if (r < 0 && r != -EBUSY)
                log_warn("cgroup: enabling controllers in %s: %s", base, strerror(-r));
        if ((r = enable_controllers(g, g->root)) < 0)
                return unavailable(g, reason, rlen, "cannot enable controllers in svd's subtree: %s", strerror(-r));
        char kp[4300];
        snprintf(kp, sizeof(kp), "%s/cgroup.kill", g->root);
        g->has_kill = access(kp, F_OK) == 0; /* Linux 5.14+ */

        g->n_slices = m->cfg->n_slices;
        /* taking over running services (a daemon-reexec, a killed svd's
         * state): their slices hold what the instance before accepted,
         * refusals included, and a refusal now must not end svd and leave
         * them unsupervised; at a fresh start, it is an error */
        if ((r = setup_slices(m, &g->slice_paths, &g->slice_refused, m->restore != NULL, reason, rlen)) < 0)
                return r;
        cg_sweep_stale(m); /* dropped from the configuration while no svd ran */
        cg_warn_missing(m);
        protect_root(m);

        g->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (g->ino_fd < 0)
                return -errno;
        ev_io_init(&g->ino_io, ino_cb, g->ino_fd, EV_READ);
        g->ino_io.data = m;
        ev_io_start(m->loop, &g->ino_io);
        g->enabled = true;
        cg_gone_retry(m); /* (the sweep's: watched from now on) */
        return 0;
}

bool cgroup_enabled(const struct svd *m) {
        return m->cg && m->cg->enabled;
}

const char *cgroup_unavailable_reason(const struct svd *m) {
        return m->cg && !m->cg->enabled ? m->cg->reason : NULL;
}

static const struct slice_config *find_slice(const struct svd_config *c, const char *name) {
        for (size_t i = 0; i < c->n_slices; i++)
                if (strcmp(c->slices[i].name, name) == 0)
                        return &c->slices[i];
        return NULL;
}

char *cgroup_slice_path(const struct svd_config *c, const struct slice_config *sl) {
        char *p = strdup_printf("%s.slice", sl->name);
        /* validation guarantees parents exist and form no cycle; bound anyway */
        for (int depth = 0; p && sl && sl->parent && depth < 64; depth++) {
                sl = find_slice(c, sl->parent);
                if (!sl)
                        break;
                char *n = strdup_printf("%s.slice/%s", sl->name, p);
                free(p);
                p = n;
        }
        return p;
}

char *cgroup_service_path(const struct svd_config *c, const struct svc_config *s) {
        const struct slice_config *sl = s->slice ? find_slice(c, s->slice) : NULL;
        if (!sl)
                return strdup_printf("%s.service", s->name);
        _cleanup_(freep) char *sp = cgroup_slice_path(c, sl);
        return sp ? strdup_printf("%s/%s.service", sp, s->name) : NULL;
}

int cg_leaf_path(struct svc *s) {
        if (s->cg_path)
                return 0;
        _cleanup_(freep) char *rel = cgroup_service_path(s->m->cfg, s->cfg);
        if (!rel || !(s->cg_path = strdup_printf("%s/%s", s->m->cg->root, rel)))
                return -ENOMEM;
        return 0;
}

void cg_watch_events(struct svc *s) {
        char p[4200];
        if (s->cg_wd_events >= 0)
                return;
        snprintf(p, sizeof(p), "%s/cgroup.events", s->cg_path);
        s->cg_wd_events = inotify_add_watch(s->m->cg->ino_fd, p, IN_MODIFY);
}

int cgroup_prepare(struct svd *m, struct svc *s) {
        struct cgroup_mgr *g = m->cg;
        int r;
        if ((r = cg_leaf_path(s)) < 0)
                return r;
        bool created = mkdir(s->cg_path, 0755) == 0;
        if (!created && errno != EEXIST)
                return -errno;
        if (created) {
                /* A leaf svd had open was removed from outside (an
                 * operator's rmdir while the service was down): what it
                 * holds of it belongs to a dead cgroup, where a spawn
                 * fails with ENODEV for good. The kernel dropped the
                 * watches with the files. */
                close_leaf_fds(s);
                s->cg_wd_events = s->cg_wd_memory = -1;
        }
        /* a removed service's stop of this leaf, if empty by now, is done */
        orphanstop_cg_event(m); /* (unwatched once configured again: it would kill this run) */
        if (!created && cgroup_populated(s))
                /* leftovers of an earlier run: they would share the new run's
                 * limits and confuse "down"; the start waits for them to go
                 * (cgroup_leftovers_wait) */
                cg_leftovers_found(s);
        char err[256];
        /* A leaf that was there already holds whatever an earlier definition
         * or svd wrote into it: what this one leaves unset is reset. */
        bool reset = !created && !s->cg_knobs_written;
        if ((r = cg_apply_knobs(g, s->cg_path, s->cfg->resources, reset, err, sizeof(err))) < 0) {
                svc_set_reason(s, "cgroup: %s", err);
                return r;
        }
        s->cg_knobs_written = true;
        if (s->cg_procs_fd < 0) {
                char p[4200];
                snprintf(p, sizeof(p), "%s/cgroup.procs", s->cg_path);
                s->cg_procs_fd = open(p, O_WRONLY | O_CLOEXEC);
                if (s->cg_procs_fd < 0)
                        return -errno;
        }
        if (s->cg_dir_fd < 0) {
                s->cg_dir_fd = open(s->cg_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (s->cg_dir_fd < 0)
                        return -errno;
        }
        cg_watch_events(s);
        if (s->cg_wd_memory < 0) {
                char p[4200];
                snprintf(p, sizeof(p), "%s/memory.events", s->cg_path);
                s->cg_wd_memory = inotify_add_watch(g->ino_fd, p, IN_MODIFY);
                uint64_t v = 0;
                if (cg_read_key(s->cg_path, "memory.events", "oom_kill", &v) == 0)
                        s->oom_seen = v;
        }
        return 0;
}

bool cgroup_adopt(struct svd *m, struct svc *s, const char *was) {
        size_t rl = strlen(m->cg->root);
        bool moved = false;
        /* (only a leaf below svd's root: the state names it) */
        if (!s->cg_path && was && strncmp(was, m->cg->root, rl) == 0 && was[rl] == '/' && !strstr(was, "/..") &&
            access(was, F_OK) == 0) {
                _cleanup_(freep) char *rel = cgroup_service_path(m->cfg, s->cfg);
                moved = rel && strcmp(was + rl + 1, rel) != 0 && (s->cg_path = strdup(was));
        }
        if (cg_leaf_path(s) < 0)
                return moved;
        s->cg_knobs_written = false; /* by the previous instance, maybe for another definition */
        cg_watch_events(s);
        char p[4200];
        snprintf(p, sizeof(p), "%s/memory.events", s->cg_path);
        s->cg_wd_memory = inotify_add_watch(m->cg->ino_fd, p, IN_MODIFY);
        if (s->cg_wd_events < 0)
                log_warn("%s: cannot watch %s/cgroup.events: %s", s->cfg->name, s->cg_path, strerror(errno));
        return moved;
}

void cgroup_note_spawn(struct svd *m) {
        struct cgroup_mgr *g = m->cg;
        int st = spawn_clone3_status();
        if (!g || st == g->spawn_logged)
                return;
        g->spawn_logged = st;
        if (st > 0)
                log_info("cgroup: services are created inside their cgroup (clone3 CLONE_INTO_CGROUP)");
        else if (st < 0)
                log_info("cgroup: clone3(CLONE_INTO_CGROUP) unavailable (%s): each service joins its cgroup "
                         "before exec while svd waits",
                         strerror(-st));
}

const char *cgroup_spawn_mode(void) {
        int st = spawn_clone3_status();
        return st > 0 ? "clone3" : st < 0 ? "join" : "none";
}

bool cgroup_populated(struct svc *s) {
        uint64_t v = 0;
        if (!s->cg_path)
                return false;
        return cg_read_key(s->cg_path, "cgroup.events", "populated", &v) == 0 && v != 0;
}

bool cgroup_contains(struct svc *s, pid_t pid) {
        if (!s->cg_path)
                return false;
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/cgroup.procs", s->cg_path);
        FILE *f = fopen(path, "re");
        long v;
        bool found = false;
        while (f && !found && fscanf(f, "%ld", &v) == 1)
                found = v == pid;
        if (f)
                fclose(f);
        return found;
}

static void ino_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct svd *m = w->data;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        for (;;) {
                ssize_t n = read(m->cg->ino_fd, buf, sizeof(buf));
                if (n <= 0)
                        break;
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *)p;
                        p += sizeof(*ev) + ev->len;
                        if (cg_gone_event(m, ev->wd))
                                continue;
                        for (size_t i = 0; i < m->n_svcs; i++) {
                                struct svc *s = m->svcs[i];
                                if (ev->wd == s->cg_wd_events && !cgroup_populated(s))
                                        svc_cgroup_empty(s);
                                else if (ev->wd == s->cg_wd_memory)
                                        cgroup_oom_event(s);
                        }
                }
        }
        sched_run(m);
}

void cgroup_done(struct svd *m) {
        struct cgroup_mgr *g = m->cg;
        if (!g)
                return;
        for (size_t i = 0; m->svcs && i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                close_leaf_fds(s);
                cg_leftovers_forget(s);
                s->cg_knobs_written = false;
                /* an empty leaf is removed (with the empty cgroups the
                 * service made below it); one with processes stays visible */
                if (s->cg_path)
                        cg_rmdir_tree(s->cg_path);
                free(s->cg_path);
                s->cg_path = NULL;
        }
        if (g->ino_fd >= 0) {
                ev_io_stop(m->loop, &g->ino_io);
                close(g->ino_fd);
        }
        free_paths(g->slice_paths);
        free_refused(g->slice_refused, g->n_slices);
        cg_gone_done(g);
        free(g->root);
        free(g);
        m->cg = NULL;
}
