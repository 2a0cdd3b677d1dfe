/* init: PID-1 duties. Early boot (mount what is missing of /proc, /sys, /dev,
 * /dev/pts, /dev/shm, /run, cgroup2 and loopback up on a thread while the
 * configuration is read, init_early.c; hostname; optional rw remount of /;
 * console on /dev/console), the final act of a shutdown (kill what is left,
 * sync, swapoff, unmount, detach loop and device-mapper devices, reboot(2)),
 * a blocking reap loop as the last resort (PID 1
 * exiting panics the kernel; the emergency state is emergency.h), and sd_notify to our own supervisor when
 * svd runs under systemd. */
#ifndef SVD_INIT_H
#define SVD_INIT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct svd_config;

enum shutdown_action { SHUTDOWN_EXIT, SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT, SHUTDOWN_HALT, _SHUTDOWN_MAX };
const char *shutdown_action_name(enum shutdown_action a);

bool init_is_pid1(void);
/* init_early.c, first thing as PID 1: Ctrl-Alt-Del as SIGINT, then a
 * thread mounts what is missing of /proc, /sys, /dev, /dev/pts, /dev/shm,
 * /run and cgroup2, enables the cgroup controllers at the root and brings
 * up lo, while the configuration is read. init_early_join() waits for it,
 * logs its warnings and puts /dev/console on fds 1 and 2 if they are closed;
 * nothing may print, spawn or touch cgroups between the two. */
void init_early_start(void);
void init_early_join(void);
/* Drops what the thread preloaded (libseccomp, for the first spawn's
 * filter); once the boot settled. */
void init_early_release(void);
/* After the config is read (and init_early_join): hostname, root rw.
 * Errors are logged. */
void init_early_config(const struct svd_config *cfg);
/* After a reload, as PID 1: the hostname, if the new configuration sets
 * another one (root: stays as the boot left it). Logged. */
void init_reload_config(const struct svd_config *old, const struct svd_config *cfg);
/* Kills every process left (SIGTERM and SIGCONT, grace, SIGKILL), syncs (in
 * a child, or a thread if fork fails: init_run_bounded; at most 30 s), turns swap off
 * (init_swapoff_all, in a child, at most 30 s), unmounts the file systems and
 * takes loop and device-mapper devices apart (init_umount_all, in a child, at
 * most 30 s); not as PID 1 of a PID namespace, whose file systems and devices
 * belong to its host. Then syncs again (at most 30 s) and calls reboot(2).
 * Never returns when PID 1 (INIT_EXIT_REBOOT: how a container's ends). */
void init_finish(enum shutdown_action a);
/* PID 1 of a PID namespace whose reboot(2) is refused exits instead: with
 * this status for a reboot, 0 for a poweroff or halt. 128 + SIGHUP, the
 * status a runtime reports when reboot(2) works there (the kernel ends the
 * namespace's init "by SIGHUP" for a restart, by SIGINT otherwise), and not
 * 0, so that a restart policy (on-failure) starts the container again on a
 * reboot but not on a poweroff. */
#define INIT_EXIT_REBOOT (128 + SIGHUP)
/* init_bounded.c: fn in a child, waited for at most timeout_s seconds;
 * in a thread of PID 1 if fork fails (in PID 1 itself, unbounded, only if
 * that fails too). False if it did not finish in time (logged with what). */
bool init_run_bounded(void (*fn)(void), int timeout_s, const char *what);
/* init_bounded.c: fn(copy of arg) in a thread of this process, waited for
 * at most timeout_ms. arg's size bytes are copied: a thread still stuck
 * in the kernel when the wait ends is left behind with its own copy (and
 * frees it if it ever returns). Returns 1 with fn's result in *ret (if ret
 * is not NULL), 0 if fn did not return in time, -errno if no thread
 * started. */
int init_thread_bounded(int (*fn)(void *arg), const void *arg, size_t size, int timeout_ms, int *ret);
/* init_umount.c: unmount everything but the kernel's API file systems in
 * reverse mount order, with init_detach_devices between passes; remount
 * read-only what stays busy (/ included), sync. Each call is bounded (5 s,
 * in a child, or in a thread when fork fails): one that hangs is named and
 * the others still run.
 * Logs one line per file system that could not be unmounted. */
void init_umount_all(void);
/* init_detach.c: swapoff(2) of everything in /proc/swaps, one console line
 * each. Before the file systems are unmounted. */
void init_swapoff_all(void);
/* init_detach.c: removes the device-mapper devices (top of a stack first)
 * and detaches the loop devices that nothing holds open any more; returns
 * how many went. report: log the ones that stay. Repeatable. */
unsigned init_detach_devices(bool report);
/* Decodes mountinfo's and /proc/swaps' \ooo escapes in place. */
void init_unescape(char *s);
/* Not PID 1, at svd's final exit: what is still our child (processes that
 * left their service's process group without a cgroup to find them, adopted
 * as subreaper) gets SIGTERM and SIGCONT, SIGKILL 3 s later, and is reaped; each is
 * logged. Not for a daemon-reexec, which keeps its children. */
void init_end_children(void);
/* init_crash.c, first thing as PID 1: a fault or abort of svd itself no
 * longer ends PID 1 (a kernel panic): the handler reports it on the
 * console, lets a child dump core and reaps children from then on; SIGTERM,
 * SIGUSR2 or SIGPWR power off, SIGINT (Ctrl-Alt-Del) reboots, after killing
 * every process and syncing (bounded). Async-signal-safe throughout. */
void init_crash_install(void);
/* Takes the fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) out of
 * set: a thread of svd is created with the mask it leaves. A fault the
 * kernel finds blocked kills the whole process whatever its handler (for
 * PID 1: a kernel panic), so no thread may block them. */
void init_crash_unblock_faults(sigset_t *set);
/* pthread_create (default attributes) of fn(arg), with an alternate signal
 * stack of its own for the crash handler while svd runs as PID 1 (a stack
 * overflow in the thread is then a crash like any other, not a panic).
 * Returns 0 or an errno, as pthread_create. */
int init_crash_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg);
/* Never returns: reaps children forever, blocking. The last resort when
 * not even the emergency state (emergency.h) can run. */
void init_reap_forever(void) __attribute__((noreturn));
/* sd_notify to $NOTIFY_SOCKET (svd under systemd, Type=notify); no-op without. */
void init_notify(const char *msg);

#endif
