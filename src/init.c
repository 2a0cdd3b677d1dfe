/* init: see init.h. Everything here is best effort and logged: an appliance
 * that cannot mount /dev/shm should still boot its database. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "init.h"
#include "log.h"
#include "util.h"

static const char *const action_names[_SHUTDOWN_MAX] = {
        [SHUTDOWN_EXIT] = "exit", [SHUTDOWN_POWEROFF] = "poweroff",
        [SHUTDOWN_REBOOT] = "reboot", [SHUTDOWN_HALT] = "halt",
};

const char *shutdown_action_name(enum shutdown_action a) {
        return (unsigned)a < _SHUTDOWN_MAX ? action_names[a] : "invalid";
}

bool init_is_pid1(void) {
        return getpid() == 1;
}

void init_early_config(const struct svd_config *cfg) {
        if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
                log_warn("init: sethostname %s: %s", cfg->hostname, strerror(errno));
        if (cfg->root_rw && mount(NULL, "/", NULL, MS_REMOUNT, NULL) < 0)
                log_warn("init: remounting / read-write: %s", strerror(errno));
}

void init_reload_config(const struct svd_config *old, const struct svd_config *cfg) {
        if (!init_is_pid1() || !cfg->hostname)
                return;
        if (old->hostname && strcmp(old->hostname, cfg->hostname) == 0)
                return;
        if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
                log_warn("init: sethostname %s: %s", cfg->hostname, strerror(errno));
        else
                log_info("init: hostname set to %s", cfg->hostname);
}

/* Whether any process but us is left (children: only our own children,
 * sent sig if it is not 0). Not kill(-1, 0): in the initial PID namespace it
 * counts kernel threads (kthreadd is pid 2) and never says ESRCH, so every
 * shutdown waited out the whole grace period. */
static bool others_left(bool children, int sig) {
        DIR *d = opendir("/proc");
        if (!d)
                return children ? waitpid(-1, NULL, WNOHANG) == 0 : kill(-1, 0) == 0 || errno != ESRCH;
        bool found = false;
        struct dirent *de;
        while ((!found || sig) && (de = readdir(d))) {
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                if (*end || pid <= 1 || pid == (long)getpid())
                        continue;
                char path[64], buf[512];
                snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue; /* gone meanwhile */
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n <= 0)
                        continue;
                buf[n] = 0;
                /* "PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS ...";
                 * COMM may hold anything, so parse after its last ')' */
                const char *p = strrchr(buf, ')');
                unsigned long flags = 0;
                long ppid = 0;
                if (p && sscanf(p + 1, " %*c %ld %*d %*d %*d %*d %lu", &ppid, &flags) == 2 && (flags & 0x00200000))
                        continue; /* PF_KTHREAD */
                if (children && (!p || ppid != (long)getpid()))
                        continue;
                found = true;
                if (sig) {
                        log_warn("pid %ld outlived its service (it left its process group); sending %s", pid,
                                 signal_name(sig));
                        kill((pid_t)pid, sig);
                        if (sig != SIGKILL) /* a stopped process could not act on it */
                                kill((pid_t)pid, SIGCONT);
                }
        }
        closedir(d);
        return found;
}

static void reap_for(long ms, bool children) {
        struct timespec end, now;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += ms / 1000;
        end.tv_nsec += ms % 1000 * 1000000;
        if (end.tv_nsec >= 1000000000) {
                end.tv_sec++;
                end.tv_nsec -= 1000000000;
        }
        for (;;) {
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (!others_left(children, 0))
                        return;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
                        return;
                struct timespec t = {0, 50 * 1000 * 1000};
                nanosleep(&t, NULL);
        }
}

/* Whether this is the machine's own init rather than PID 1 of a container:
 * a container's file systems are (bind mounts of) its host's, not its to
 * remount read-only. PROC_PID_INIT_INO is the initial PID namespace's fixed
 * inode number. */
static bool initial_pid_ns(void) {
        struct stat st;
        return stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCU;
}

/* Syncing, swapoff and unmounting can hang (pages swapped in from a slow
 * disk, a dead NFS or FUSE server, a DM device or disk that takes no more
 * I/O): PID 1 goes on after STEP_TIMEOUT whatever they did
 * (init_bounded.c). */
#define STEP_TIMEOUT 30

static bool run_with_deadline(void (*fn)(void), const char *what) {
        return init_run_bounded(fn, STEP_TIMEOUT, what);
}

/* sync(2) waits for every dirty page to reach its device: for good, when
 * a device takes no more I/O. */
static void sync_all(void) {
        sync();
}

/* The unmounting did not finish in time (each unmount is bounded, but
 * many that hang add up): / at least is made read-only, which flushes it
 * and marks it clean, unless it is the one that hangs. */
static void remount_root_ro(void) {
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
                log_info("init: remounted / read-only");
        else
                log_err("init: cannot remount / read-only: %s", strerror(errno));
}

void init_finish(enum shutdown_action a) {
        if (!init_is_pid1())
                return;
        /* Services were stopped in order already; this is for whatever
         * escaped them (and for the emergency path). Each step is logged,
         * and taken, only when a process is left for it: the log of a clean
         * stop must not read as if something had to be killed. */
        reap_for(0, false); /* (children that ended: not "left") */
        if (others_left(false, 0)) {
                log_info("init: sending SIGTERM to remaining processes");
                kill(-1, SIGTERM);
                kill(-1, SIGCONT); /* a stopped process could not act on it */
                reap_for(5000, false);
        }
        if (others_left(false, 0)) {
                log_info("init: sending SIGKILL to remaining processes");
                kill(-1, SIGKILL);
                reap_for(2000, false);
        }
        run_with_deadline(sync_all, "sync");
        if (chdir("/") < 0) /* our working directory must not keep a mount busy */
                log_warn("init: chdir /: %s", strerror(errno));
        if (initial_pid_ns()) {
                /* swap first: a swap file keeps its file system busy, swap
                 * on a loop or DM device that device */
                run_with_deadline(init_swapoff_all, "swapoff");
                if (!run_with_deadline(init_umount_all, "unmounting"))
                        run_with_deadline(remount_root_ro, "remounting / read-only");
        } else
                log_info("init: PID 1 of a PID namespace: leaving the file systems to the host (and swap, loop and DM devices)");
        run_with_deadline(sync_all, "sync");
        log_info("init: %s", shutdown_action_name(a));
        int cmd = a == SHUTDOWN_REBOOT ? RB_AUTOBOOT : a == SHUTDOWN_HALT ? RB_HALT_SYSTEM : RB_POWER_OFF;
        reboot(cmd);
        int err = errno;
        /* reboot(2) failed. PID 1 of a PID namespace (a container without
         * CAP_SYS_BOOT, or whose seccomp filter denies reboot(2)) ends the
         * namespace by exiting, as its runtime expects, with a status that
         * tells a reboot from a poweroff (INIT_EXIT_REBOOT); the machine's
         * own init must never end (the kernel would panic). */
        if (!initial_pid_ns()) {
                int status = a == SHUTDOWN_REBOOT ? INIT_EXIT_REBOOT : 0;
                log_err("init: %s: reboot(2): %s; PID 1 of a PID namespace: exiting instead (status %d)",
                        shutdown_action_name(a), strerror(err), status);
                _exit(status);
        }
        log_err("init: %s: reboot(2): %s; only reaping children now", shutdown_action_name(a), strerror(err));
        init_reap_forever();
}

void init_end_children(void) {
        if (init_is_pid1())
                return; /* init_finish */
        /* a helper told to quit (svd-fdstore) goes by itself */
        reap_for(200, true);
        if (!others_left(true, SIGTERM))
                return;
        reap_for(3000, true);
        if (others_left(true, SIGKILL))
                reap_for(2000, true); /* one stuck in the kernel is left behind */
}

void init_reap_forever(void) {
        for (;;)
                if (waitpid(-1, NULL, 0) < 0) {
                        struct timespec t = {1, 0};
                        nanosleep(&t, NULL);
                }
}

void init_notify(const char *msg) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path)
                return;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t len = strlen(path);
        if (len >= sizeof(sa.sun_path))
                return;
        memcpy(sa.sun_path, path, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0; /* abstract namespace */
        /* Our supervisor waits for READY=1 (and may time the start out)
         * without it: say so, once, not at every message. */
        static bool warned;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
                if (!warned)
                        log_warn("cannot notify NOTIFY_SOCKET %s: %s (further failures are not logged)", path,
                                 strerror(errno));
                warned = true;
        }
        if (fd >= 0)
                close(fd);
}
