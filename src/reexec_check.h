/* reexec_check: one check of the binary a daemon-reexec is to execute
 * (`svd --state-format`, `svd --check ...`), run as a child process the
 * event loop watches: its output on a non-blocking pipe (ev_io), its end
 * through svd's SIGCHLD reaper (reexec_check_exited), its deadline as an
 * ev_timer. svd (possibly PID 1) keeps reaping, probing and answering while
 * the new binary is checked. Internal to reexec.c. */
#ifndef SVD_REEXEC_CHECK_H
#define SVD_REEXEC_CHECK_H

#include <stdbool.h>
#include <sys/types.h>

#include <ev.h>

struct svd;

struct reexec_check {
        struct svd *m;
        pid_t pid;  /* the child until reaped or given up on; else 0 */
        pid_t pgid; /* its process group */
        int fd;     /* the read end of its output; -1 once closed */
        ev_io io;
        ev_timer deadline;
        char out[1024]; /* what it wrote, NUL-terminated; the rest is dropped */
        size_t got, keep;
        int status;     /* its wait status, once exited */
        bool exited, timed_out;
        /* Called once it has closed its output and exited, or at the
         * deadline (timed_out: it was killed, status unknown). May free
         * the structure. */
        void (*done)(struct reexec_check *c);
};

/* Starts bin with argv, stdin and the other of stdout/stderr on /dev/null,
 * keeping at most keep - 1 bytes of what it writes to fd (STDOUT_FILENO or
 * STDERR_FILENO; keep <= sizeof(out)), for timeout_s at most. c is
 * initialized here; the child runs in a process group of its own, so that
 * one killed at the deadline takes what it started along. 0 or -errno
 * (then nothing runs and done is never called). */
int reexec_check_start(struct svd *m, struct reexec_check *c, const char *bin, char *const argv[], int fd,
                       size_t keep, double timeout_s, void (*done)(struct reexec_check *));
/* Kills the check (if it still runs) and stops its watchers; done is not
 * called. The killed child is reaped by svd's reaper as any orphan. */
void reexec_check_stop(struct reexec_check *c);
/* svd's reaper: whether pid was c's child (its status is taken then). */
bool reexec_check_exited(struct reexec_check *c, pid_t pid, int status);

#endif
