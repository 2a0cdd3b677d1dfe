/* mainpid: sd_notify MAINPID=, a service naming another process as its main
 * one (a daemon that forks, a wrapper that execs later). Accepted like
 * systemd does only for a process that belongs to the service: in its cgroup
 * leaf, or (without cgroups, or not yet moved) a descendant of its main
 * process or in the session svd created for it. An adopted process that is
 * not svd's child is watched with a pidfd, so its end is seen even if its
 * parent reaps it; its exit status is then unknown and counts as exit 0. */
#ifndef SVD_MAINPID_H
#define SVD_MAINPID_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct svc;

/* Makes pid the main process of s. -EPERM (why says so) if it does not
 * belong to the service, -ESRCH if it is gone; 0 if adopted (or already it). */
int mainpid_adopt(struct svc *s, pid_t pid, char *why, size_t len);

/* The main process ended or the service is down: drop the pidfd watch. */
void mainpid_forget(struct svc *s);

#endif
