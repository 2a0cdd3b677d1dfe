/* init_umount: the file systems at the end of a shutdown, once every process
 * is gone (init.h). Everything in /proc/self/mountinfo is unmounted in
 * reverse mount order, in passes until a pass makes no progress (a mount
 * moved after its children was listed before them); kernel API file systems
 * (proc, sysfs, devtmpfs, cgroup2, ...) and what lives below /proc, /sys and
 * /dev stay: they hold no data. What stays busy (/, the file system of svd's
 * own binary, a process stuck in uninterruptible sleep) is remounted
 * read-only, which flushes it and marks it clean. Between passes the
 * device-mapper and loop devices are taken apart (init_detach.c): a loop
 * device keeps the file system of its backing file busy. One console line per
 * file system that could not be unmounted; errors never stop the rest. Each
 * unmount, remount and the last sync runs in a child of its own (a thread
 * when fork fails), waited for at most MOUNT_TIMEOUT_MS: one that hangs (a
 * dead NFS server, a device that takes no more I/O) is named, left behind,
 * not tried again, and the others are still handled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "util.h"

#define MAX_PASSES       8
#define MOUNT_TIMEOUT_MS 5000
#define HUNG             (-2) /* struct mnt.err: the call did not return in time */

enum mop { M_UMOUNT, M_REMOUNT_RO, M_SYNC };

struct mnt {
        char *path;
        char *type;
        int err; /* of the last unmount attempt */
};

static const char *const api_types[] = {
        "proc",       "sysfs",      "devtmpfs", "devpts",    "cgroup",      "cgroup2",
        "securityfs", "debugfs",    "tracefs",  "pstore",    "efivarfs",    "bpf",
        "configfs",   "fusectl",    "mqueue",   "hugetlbfs", "binfmt_misc", "selinuxfs",
        "autofs",     "rpc_pipefs", "nsfs",     "rootfs",
};

static bool below(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

static bool is_api(const struct mnt *m)
{
        for (size_t i = 0; i < ELEMENTSOF(api_types); i++)
                if (strcmp(m->type, api_types[i]) == 0)
                        return true;
        /* /run is the tmpfs everything early needs; it holds no data */
        return strcmp(m->path, "/") == 0 || strcmp(m->path, "/run") == 0 || below(m->path, "/proc") ||
               below(m->path, "/sys") || below(m->path, "/dev");
}

static int mop_run(enum mop op, const char *path)
{
        int r = op == M_UMOUNT       ? umount2(path, UMOUNT_NOFOLLOW)
                : op == M_REMOUNT_RO ? mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL)
                                     : (sync(), 0);
        return r < 0 ? errno : 0;
}

/* A mop for a thread: the path is copied in with it */
struct mop_arg {
        enum mop op;
        char path[]; /* "" for M_SYNC */
};

static int mop_thread(void *p)
{
        const struct mop_arg *a = p;
        return mop_run(a->op, a->path);
}

/* fork failed (ENOMEM, EAGAIN: init_bounded.c): the same bound with a
 * thread. Calling umount(2) here instead would let the first mount that
 * hangs hold up every one after it until the step's deadline; a hung
 * thread is left behind like a hung child. In this thread itself,
 * unbounded, only if no thread starts either. */
static int mop_bounded_thread(enum mop op, const char *path)
{
        size_t len = strlen(path) + 1;
        struct mop_arg *a = malloc(sizeof(*a) + len);
        if (!a)
                return mop_run(op, path);
        a->op = op;
        memcpy(a->path, path, len);
        int ret = 0;
        int r = init_thread_bounded(mop_thread, a, sizeof(*a) + len, MOUNT_TIMEOUT_MS, &ret);
        free(a);
        if (r < 0)
                return mop_run(op, path);
        return r ? ret : HUNG;
}

/* 0, an errno, or HUNG: OP on PATH, in a child waited for at most
 * MOUNT_TIMEOUT_MS (a thread if fork fails). A hung child stays behind,
 * stuck in the kernel; PID 1 reaps it if it ever ends. */
static int mop_bounded(enum mop op, const char *path)
{
        pid_t pid = fork();
        if (pid < 0)
                return mop_bounded_thread(op, path);
        if (pid == 0)
                _exit(mop_run(op, path) & 0xff);
        for (int waited = 0;; waited += 20) {
                int st;
                pid_t r = waitpid(pid, &st, WNOHANG);
                if (r == pid)
                        return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
                if (r < 0 && errno != EINTR)
                        return ECHILD;
                if (waited >= MOUNT_TIMEOUT_MS)
                        return HUNG;
                struct timespec t = { 0, 20 * 1000 * 1000 };
                nanosleep(&t, NULL);
        }
}

static bool listed(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
void init_unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = 0;
}

static void table_free(struct mnt *t, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(t[i].path);
                free(t[i].type);
        }
        free(t);
}

/* The mounts in mount order; returns the count, or -errno. */
static ssize_t table_read(struct mnt **ret)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        struct mnt *t = NULL;
        size_t n = 0;
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS */
                char mp[4096], type[256];
                const char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
                    sscanf(sep + 3, "%255s", type) != 1)
                        continue;
                struct mnt *nt = realloc(t, (n + 1) * sizeof(*t));
                if (!nt)
                        break;
                t = nt;
                init_unescape(mp);
                t[n] = (struct mnt){ strdup(mp), strdup(type), 0 };
                if (!t[n].path || !t[n].type) {
                        free(t[n].path);
                        free(t[n].type);
                        break;
                }
                n++;
        }
        free(line);
        fclose(f);
        *ret = t;
        return (ssize_t)n;
}

void init_umount_all(void)
{
        unsigned unmounted = 0, remounted = 0, failed = 0, detached = 0, hung = 0;
        char **hung_paths = NULL; /* not tried again */
        struct mnt *t = NULL;
        ssize_t n = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
                table_free(t, (size_t)n);
                t = NULL;
                if ((n = table_read(&t)) < 0) {
                        log_warn("init: reading /proc/self/mountinfo: %s; only remounting / read-only",
                                 strerror((int)-n));
                        n = 0;
                        break;
                }
                bool progress = false;
                for (ssize_t i = n - 1; i >= 0; i--) {
                        if (is_api(&t[i]))
                                continue;
                        if (listed(hung_paths, t[i].path)) {
                                t[i].err = HUNG;
                                continue;
                        }
                        int err = mop_bounded(M_UMOUNT, t[i].path);
                        if (err == 0) {
                                log_info("init: unmounted %s (%s)", t[i].path, t[i].type);
                                unmounted++;
                                progress = true;
                                t[i].err = -1; /* gone */
                        } else if (err == HUNG) {
                                log_err("init: unmounting %s (%s) did not finish within %ds; going on with "
                                        "the others",
                                        t[i].path, t[i].type, MOUNT_TIMEOUT_MS / 1000);
                                hung++;
                                progress = true;
                                t[i].err = HUNG;
                                if (strv_push(&hung_paths, t[i].path) < 0)
                                        log_err("init: out of memory: %s may be tried again", t[i].path);
                        } else
                                t[i].err = err;
                }
                /* what the unmounts freed: DM and loop devices, then the
                 * file systems their backing files are on (next pass) */
                unsigned d = init_detach_devices(false);
                detached += d;
                if (!progress && !d)
                        break;
        }
        detached += init_detach_devices(true); /* names what stays */
        /* What is left (the last table read, minus what its pass unmounted)
         * is busy: read-only keeps its data safe; / comes last. */
        for (ssize_t i = n - 1; i >= 0; i--) {
                if (t[i].err == -1 || is_api(&t[i]))
                        continue;
                if (t[i].err == HUNG) {
                        log_err("init: %s (%s) hangs: not remounted read-only either", t[i].path, t[i].type);
                        continue;
                }
                int err = mop_bounded(M_REMOUNT_RO, t[i].path);
                if (err == 0) {
                        log_warn("init: cannot unmount %s (%s): %s; remounted read-only", t[i].path,
                                 t[i].type, strerror(t[i].err));
                        remounted++;
                } else if (err == HUNG) {
                        log_err("init: cannot unmount %s (%s): %s; remounting it read-only did not finish "
                                "within "
                                "%ds",
                                t[i].path, t[i].type, strerror(t[i].err), MOUNT_TIMEOUT_MS / 1000);
                        hung++;
                } else {
                        log_err("init: cannot unmount %s (%s): %s; nor remount it read-only: %s", t[i].path,
                                t[i].type, strerror(t[i].err), strerror(err));
                        failed++;
                }
        }
        table_free(t, (size_t)n);
        strv_free(hung_paths);
        if (mop_bounded(M_SYNC, "") == HUNG)
                log_err("init: sync did not finish within %ds; going on", MOUNT_TIMEOUT_MS / 1000);
        int err = mop_bounded(M_REMOUNT_RO, "/");
        if (err == 0)
                log_info("init: remounted / read-only");
        else if (err == HUNG) {
                log_err("init: remounting / read-only did not finish within %ds", MOUNT_TIMEOUT_MS / 1000);
                hung++;
        } else {
                log_err("init: cannot remount / read-only: %s", strerror(err));
                failed++;
        }
        log_info("init: file systems: %u unmounted, %u remounted read-only, %u left writable, %u hung; "
                 "%u loop/dm devices detached",
                 unmounted, remounted, failed, hung, detached);
}
