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
struct svd;

/* Makes pid the main process of s. -EPERM (why says so) if it does not
 * belong to the service or is a thread's id, -ESRCH if it is gone; 0 if
 * adopted (or already it). */
int mainpid_adopt(struct svc *s, pid_t pid, char *why, size_t len);

/* The main process ended or the service is down: drop the pidfd watch. */
void mainpid_forget(struct svc *s);

/* The process group svd may signal (kill(-g)) or trust (notify attribution,
 * MAINPID= checks) for s; 0 if none. The one rule for it: svd made the group
 * at the spawn (s->pgid, also its session), and its number names that group
 * only while something svd watches holds it. Until svd has reaped the
 * leader, the leader does (alive or a zombie: its pid is not handed out
 * again). After that, the number is held only by the group's remaining
 * members, and svd knows one only if the main process is one: once it is not
 * (MAINPID= named a process in another group, or the main process left it),
 * the number may be handed to an unrelated process, so svd forgets it for
 * good (s->pgid = 0, logged once) and signals the main process alone. */
pid_t mainpid_group(struct svc *s);

/* svd reaped pid: if it led the group of a service, the rule above now asks
 * for the main process's membership (checked at once). Called after the
 * reaped process's own exit was handled: a leader that was the main process
 * has its leftovers killed with it in that same event (the group's number
 * cannot be handed out while any of them is left). */
void mainpid_leader_reaped(struct svd *m, pid_t pid);

/* After a state was read back: a leader that is not svd's child (svd was
 * killed and started again) has an end svd cannot see; it counts as reaped. */
void mainpid_group_restored(struct svc *s, bool leader_reaped);

#endif
