/* cgroup_oom: whose end an OOM kill explains. memory.events counts the
 * kills in a service's leaf, not whom they hit: a run whose main process
 * outlived an OOM kill of another of its processes, and was later killed
 * with SIGKILL by someone else (an operator's kill -9), did not die of it.
 * When svd reads a new kill as it happens (the memory.events watch) while
 * the main process is alive and not dying, that kill was another
 * process's: svc.c's exit then counts only the kills after it. The kernel
 * counts a kill before it sends the victim its SIGKILL, and the watch
 * fires from a work item after that, so the victim is by then dying. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "svd.h"

#define PF_EXITING 0x00000004 /* the kernel's task flag: in do_exit() */

static ssize_t read_proc(pid_t pid, const char *file, char *buf, size_t len)
{
        char p[64];
        int fd;
        ssize_t n;

        snprintf(p, sizeof p, "/proc/%d/%s", (int)pid, file);
        if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
                return -errno;
        n = read(fd, buf, len - 1);
        n = n < 0 ? -errno : n;
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        return n;
}

/* Gone, a zombie, exiting, or with a SIGKILL pending (its own or its
 * thread group's): what an OOM victim is once the kernel has chosen it.
 * Unreadable counts as dying: then the kill is not ruled out. */
static bool dying(pid_t pid)
{
        char buf[2048], *p;
        unsigned long long flags;
        char state;

        if (read_proc(pid, "stat", buf, sizeof buf) <= 0 || !(p = strrchr(buf, ')')) ||
            sscanf(p + 1, " %c %*d %*d %*d %*d %*d %llu", &state, &flags) != 2)
                return true;
        if (state == 'Z' || state == 'X' || (flags & PF_EXITING))
                return true;
        if (read_proc(pid, "status", buf, sizeof buf) <= 0)
                return true;
        for (const char *key = "SigPnd:"; key; key = strcmp(key, "SigPnd:") == 0 ? "ShdPnd:" : NULL) {
                const char *l = strstr(buf, key);
                if (!l)
                        return true;
                if (strtoull(l + strlen(key), NULL, 16) & (1ULL << (SIGKILL - 1)))
                        return true;
        }
        return false;
}

void cgroup_oom_event(struct svc *s)
{
        if (cgroup_oom_check(s) && s->pid > 0 && !dying(s->pid))
                s->oom_at_spawn = s->oom_kills; /* (another process's: not its end's cause) */
}
