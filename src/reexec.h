/* reexec: `svctl daemon-reexec` — svd replaces itself with the (possibly
 * upgraded) binary without touching a service. The state (every service's
 * state, PID, health, counters, timers, pending log bytes, scheduled jobs'
 * history) is written as JSON to a memfd; the control and notify sockets and
 * every log pipe stay open across execve; the new instance reads the state
 * (restore.c), adopts the processes (still its children: same PID) and
 * carries on. Before the exec, the new binary is asked which state format it
 * reads (`svd --state-format`): an incompatible one is refused and nothing
 * changes; then whether it loads the configuration (`svd --check`). Both
 * checks run as children the loop watches (reexec_check.h), the request's
 * reply deferred (control_defer) until they are done: svd keeps reaping,
 * probing and answering meanwhile; a shutdown that begins then cancels
 * the re-exec. If the client goes away meanwhile, the re-exec goes on. Lines after the format name what else the binary takes over:
 * REEXEC_CAP_KEY_FD, the unlocked secrets key in a memfd (secrets_handoff.c),
 * which is only handed to a binary that says so (an older one would leave
 * the memfd open for its services); REEXEC_CAP_SECRETS_RESTART, the
 * consumers of a changed secret still to start again (secrets_restart.c):
 * while there are, a binary that does not say so is refused (it would
 * leave them stopped). If execve itself fails, svd logs it and keeps
 * running as it was. */
#ifndef SVD_REEXEC_H
#define SVD_REEXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <ev.h>

#define REEXEC_STATE_FORMAT "svd-state"
#define REEXEC_STATE_VERSION 1
#define REEXEC_CAP_KEY_FD "secrets-key-fd"
#define REEXEC_CAP_SECRETS_RESTART "secrets-restart"

struct svd;
struct control_peer;

/* OP_REEXEC: admin only; replies CONTROL_DEFERRED once the checks of the
 * new binary have started; the reply is written before the exec. */
cJSON *reexec_op(struct svd *m, const cJSON *req, const struct control_peer *peer);
/* Whether a daemon-reexec is under way (its checks, or the exec scheduled):
 * a reload or another re-exec must wait. */
bool reexec_under_way(const struct svd *m);
/* svd's reaper: whether pid was a check of the new binary (taken then). */
bool reexec_child_exited(struct svd *m, pid_t pid, int status);
/* A shutdown began: a re-exec whose checks still run is cancelled (the
 * check killed, the client told "svd is shutting down"). */
void reexec_cancel(struct svd *m);
/* m->reexec_timer's callback. */
void reexec_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* Unblocks the signals a daemon-reexec blocked across execve (the new
 * instance inherits the mask); called once their handlers are installed, so
 * what arrived during the exec is delivered then. A no-op otherwise. */
void reexec_unblock_signals(void);
/* The same signals blocked, as PID 1 at start: the kernel discards a signal
 * PID 1 has no handler for, so a poweroff (SIGTERM) or Ctrl-Alt-Del sent
 * while the configuration loads would be lost. They wait until svd_init or
 * the emergency state has its handlers and unblocks them. */
void reexec_block_signals(void);

/* execv(bin, argv) of svd with those signals blocked (one that arrives
 * waits, pending, for the new instance's handlers), tried again for 2 s
 * while the file is busy (ETXTBSY). Returns only if it failed: the errno,
 * with the signal mask as it was. */
int reexec_execv(const char *bin, char **argv);

/* argv for a new instance: argv without an earlier --restore-fd, plus
 * --restore-fd=fd if fd >= 0; NULL if out of memory. Freed with
 * reexec_argv_free (argv's own strings are shared, not copied). */
char **reexec_argv(char **argv, int fd);
void reexec_argv_free(char **v);

/* The path of the running binary (an upgraded one if the package replaced
 * it); NULL if unknown. Caller frees. */
char *reexec_binary(void);

#endif
