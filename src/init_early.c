/* init_early: PID 1's first steps (see init.h). What the configuration does
 * not decide -- mounting what is missing of /proc, /sys, /dev, /dev/pts,
 * /dev/shm, /run and cgroup2, enabling the cgroup controllers at the root of
 * the hierarchy, bringing up lo -- runs on a second thread, started first
 * thing in main(), while the main thread reads and checks the configuration.
 * At boot both mostly wait for the kernel and the disk (mounting, a cgroup
 * controller change waiting out an RCU grace period, reading every file), so
 * on a machine with two or more CPUs they overlap instead of adding up.
 *
 * The thread touches no svd state, takes no signal (all blocked) and does
 * not log: it records its warnings, and init_early_join() logs them. Every
 * path past the configuration goes through init_early_join() before it
 * prints, spawns or sets up cgroups, so the rest of svd runs single-threaded
 * as before. If no thread can be created, the same work runs inline. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "init.h"
#include "log.h"
#include "util.h"

#define EARLY_NOTES 12

static struct {
        pthread_t tid;
        bool running;
        void *seccomp; /* a reference to libseccomp, init_early_release() */
        unsigned n_notes;
        char notes[EARLY_NOTES][240];
} early;

/* A warning for init_early_join() to log (the thread must not log itself). */
__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...) {
        if (early.n_notes >= EARLY_NOTES)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(early.notes[early.n_notes++], sizeof(early.notes[0]), fmt, ap);
        va_end(ap);
}

/* The mount points in /proc/self/mountinfo, read once for all the checks
 * below; NULL if it cannot be read (nothing counts as mounted then). */
static char **mountpoints(void) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return NULL;
        char line[4096], mp[4096];
        char **v = NULL;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strv_push(&v, mp) < 0)
                        break;
        fclose(f);
        return v;
}

static bool mounted(char *const *mps, const char *path) {
        for (size_t i = 0; mps && mps[i]; i++)
                if (strcmp(mps[i], path) == 0)
                        return true;
        return false;
}

static void mount_if_missing(char *const *mps, const char *src, const char *target, const char *type,
                             unsigned long flags, const char *data) {
        if (mounted(mps, target))
                return;
        (void)mkdir(target, 0755);
        if (mount(src, target, type, flags, data) < 0 && errno != EBUSY)
                note("init: mount %s on %s: %s", type, target, strerror(errno));
}

static void mount_missing(void) {
        const unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        /* without /proc there is no mountinfo to ask */
        if (access("/proc/self", F_OK) < 0)
                mount_if_missing(NULL, "proc", "/proc", "proc", nse, NULL);
        char **mps = mountpoints(); /* once: a mount below changes no other's answer */
        mount_if_missing(mps, "sysfs", "/sys", "sysfs", nse, NULL);
        mount_if_missing(mps, "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
        mount_if_missing(mps, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666");
        mount_if_missing(mps, "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        mount_if_missing(mps, "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
        /* memory_recursiveprot (Linux 5.7+): a slice's memory.min/low also
         * protects the services in it, as under systemd */
        if (mounted(mps, "/sys/fs/cgroup") ||
            mount("cgroup2", "/sys/fs/cgroup", "cgroup2", nse, "nsdelegate,memory_recursiveprot") < 0)
                mount_if_missing(mps, "cgroup2", "/sys/fs/cgroup", "cgroup2", nse, "nsdelegate");
        strv_free(mps);
}

static void loopback_up(void) {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return;
        struct ifreq ifr = {0};
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
                ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
                if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                        note("init: bringing up lo: %s", strerror(errno));
        }
        close(s);
}

static void early_work(void) {
        mount_missing();
        loopback_up();
        /* PID 1 owns the hierarchy: svd's subtree will want these anyway,
         * and done now the change's wait for the kernel overlaps the
         * configuration's reading (cgroup_init then finds them enabled). */
        char why[200];
        if (cgroup_enable_root_controllers("/sys/fs/cgroup", why, sizeof(why)) < 0)
                note("cgroup: %s", why);
        /* The first spawn compiles a seccomp filter: its library is loaded
         * now, meanwhile, and the spawn's own dlopen (dynlib.c) finds it
         * there. Only a reference, dropped once the boot settled. */
        early.seccomp = dlopen(SECCOMP_SONAME, RTLD_NOW | RTLD_LOCAL);
}

static void *early_main(void *arg) {
        (void)arg;
        early_work();
        return NULL;
}

/* fds 1 and 2 on /dev/console if they are closed: where an appliance's
 * operator looks, for svd's output and that of services without a log. */
static void console_fds(void) {
        if (fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0)
                return;
        int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        if (fcntl(1, F_GETFD) < 0)
                dup2(fd, 1);
        if (fcntl(2, F_GETFD) < 0)
                dup2(fd, 2);
        close(fd);
}

void init_early_start(void) {
        /* Ctrl-Alt-Del arrives as SIGINT instead of an instant reboot. */
        (void)reboot(RB_DISABLE_CAD);
        console_fds(); /* at once if /dev is there: errors found meanwhile show */
        /* and never wait for the console (Ctrl-S, a slow serial line): the
         * lines of both threads wait in log.c's backlog until the loop runs */
        (void)log_nonblocking_start(NULL);
        sigset_t all, old;
        sigfillset(&all);
        init_crash_unblock_faults(&all); /* a blocked fault would end PID 1 */
        pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread inherits "all blocked" */
        int r = init_crash_thread_create(&early.tid, early_main, NULL);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r == 0)
                early.running = true;
        else
                early_work();
}

void init_early_join(void) {
        if (early.running) {
                pthread_join(early.tid, NULL);
                early.running = false;
        }
        console_fds(); /* /dev may have been mounted by the thread */
        for (unsigned i = 0; i < early.n_notes; i++)
                log_warn("%s", early.notes[i]);
        early.n_notes = 0;
}

void init_early_release(void) {
        if (early.seccomp)
                dlclose(early.seccomp);
        early.seccomp = NULL;
}
