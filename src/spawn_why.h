/* spawn_why: why an execve failed, in words an operator can act on. The
 * kernel says ENOENT both for a program that is not there and for one whose
 * interpreter is not: a script's #! program (or one with DOS line endings,
 * whose #! names "/bin/sh\r"), an ELF program's loader (a binary built for
 * musl on a glibc system, or for another architecture's loader path). For
 * the operator that is "No such file or directory" about a file that is
 * plainly there. And "Argument list too long" names neither the environment
 * (an env_file grown large) nor the limit. Called in svd after a failed
 * spawn, never in the child. */
#ifndef SVD_SPAWN_WHY_H
#define SVD_SPAWN_WHY_H

#include <stdbool.h>
#include <stddef.h>

/* strerror(err), with the missing interpreter named when path exists but
 * err is ENOENT: "No such file or directory (its #! interpreter
 * /usr/bin/python9 is missing)"; for E2BIG, how large the environment and
 * the arguments (argv, envp: what the exec was given) were, the largest
 * variable, the kernel's limits and the likely cause ("Argument list too
 * long (environment: 3 variables, 200.1 KiB, the largest BIG at 200.0 KiB;
 * arguments: 3, 20 bytes; ...)"). A relative path is looked up from cwd,
 * the directory the child ran in (NULL: "/"). Returns buf; 512 bytes hold
 * it all. */
const char *spawn_exec_why(const char *path, const char *cwd, int err, char *const *argv, char *const *envp,
                           char *buf, size_t len);

struct spawn_req;
struct spawn_error;

/* The reason a failed spawn_start gives, "STAGE: [WHAT: ]ERROR", naming
 * what the stage worked on: the directory, the program (spawn_exec_why),
 * the uid or gid, the limit and its values. Returns buf. */
const char *spawn_fail_why(const struct spawn_req *req, const struct spawn_error *se, char *buf, size_t len);

/* Whether a spawn_start that failed with err may well succeed a moment
 * later: a resource that frees up by itself (EAGAIN: pids.max, the user's
 * RLIMIT_NPROC; ENOMEM; ENFILE, EMFILE; ETXTBSY: the program is being
 * written, an upgrade). Anything else will fail the same way again. */
bool spawn_transient(int err);

#endif
