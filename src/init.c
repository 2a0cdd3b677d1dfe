/* init: see init.h. Everything here is best effort and logged: an appliance
 * that cannot mount /dev/shm should still boot its database. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

static bool mounted(const char *path) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        char line[4096], mp[4096];
        bool found = false;
        while (!found && fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0)
                        found = true;
        fclose(f);
        return found;
}

static void mount_if_missing(const char *src, const char *target, const char *type, unsigned long flags,
                             const char *data) {
        /* /proc itself may be missing, then mountinfo is unreadable: try anyway */
        if (strcmp(target, "/proc") != 0 && mounted(target))
                return;
        if (strcmp(target, "/proc") == 0 && access("/proc/self", F_OK) == 0)
                return;
        (void)mkdir(target, 0755);
        if (mount(src, target, type, flags, data) < 0 && errno != EBUSY)
                log_warn("init: mount %s on %s: %s", type, target, strerror(errno));
}

void init_early_mounts(void) {
        const unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        mount_if_missing("proc", "/proc", "proc", nse, NULL);
        mount_if_missing("sysfs", "/sys", "sysfs", nse, NULL);
        mount_if_missing("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
        mount_if_missing("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666");
        mount_if_missing("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
        mount_if_missing("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
        /* memory_recursiveprot (Linux 5.7+): a slice's memory.min/low also
         * protects the services in it, as under systemd */
        if (mounted("/sys/fs/cgroup") ||
            mount("cgroup2", "/sys/fs/cgroup", "cgroup2", nse, "nsdelegate,memory_recursiveprot") < 0)
                mount_if_missing("cgroup2", "/sys/fs/cgroup", "cgroup2", nse, "nsdelegate");

        /* Output of svd and of services without their own log goes to the
         * console, where an appliance's operator looks. */
        int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0) {
                if (fcntl(1, F_GETFD) < 0)
                        dup2(fd, 1);
                if (fcntl(2, F_GETFD) < 0)
                        dup2(fd, 2);
                close(fd);
        }
        /* Ctrl-Alt-Del arrives as SIGINT instead of an instant reboot. */
        (void)reboot(RB_DISABLE_CAD);
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
                        log_warn("init: bringing up lo: %s", strerror(errno));
        }
        close(s);
}

void init_early_config(const struct svd_config *cfg) {
        if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
                log_warn("init: sethostname %s: %s", cfg->hostname, strerror(errno));
        if (cfg->root_rw && mount(NULL, "/", NULL, MS_REMOUNT, NULL) < 0)
                log_warn("init: remounting / read-write: %s", strerror(errno));
        loopback_up();
}

static void reap_for(int seconds) {
        struct timespec end, now;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += seconds;
        for (;;) {
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (kill(-1, 0) < 0 && errno == ESRCH)
                        return; /* nothing left but us */
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
                        return;
                struct timespec t = {0, 50 * 1000 * 1000};
                nanosleep(&t, NULL);
        }
}

void init_finish(enum shutdown_action a) {
        if (!init_is_pid1())
                return;
        /* Services were stopped in order already; this is for whatever
         * escaped them (and for the emergency path). */
        log_info("init: sending SIGTERM to remaining processes");
        kill(-1, SIGTERM);
        reap_for(5);
        log_info("init: sending SIGKILL to remaining processes");
        kill(-1, SIGKILL);
        reap_for(2);
        sync();
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 && errno != EBUSY)
                log_warn("init: remounting / read-only: %s", strerror(errno));
        sync();
        log_info("init: %s", shutdown_action_name(a));
        int cmd = a == SHUTDOWN_REBOOT ? RB_AUTOBOOT : a == SHUTDOWN_HALT ? RB_HALT_SYSTEM : RB_POWER_OFF;
        reboot(cmd);
        /* reboot(2) failed: never let PID 1 return */
        init_emergency("reboot(2) failed", NULL);
}

void init_emergency(const char *reason, const char *shell) {
        log_err("EMERGENCY: %s; reaping children%s%s", reason, shell ? ", shell on the console: " : "",
                shell ? shell : "");
        pid_t sh = 0;
        for (;;) {
                if (shell && sh <= 0) {
                        sh = fork();
                        if (sh == 0) {
                                setsid();
                                int fd = open("/dev/console", O_RDWR);
                                if (fd >= 0) {
                                        ioctl(fd, TIOCSCTTY, 1);
                                        dup2(fd, 0);
                                        dup2(fd, 1);
                                        dup2(fd, 2);
                                }
                                execl(shell, shell, (char *)NULL);
                                _exit(127);
                        }
                }
                pid_t p = waitpid(-1, NULL, 0);
                if (p == sh)
                        sh = 0;
                if (p < 0) {
                        struct timespec t = {1, 0};
                        nanosleep(&t, NULL);
                }
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
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        (void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
        close(fd);
}
