/* sigdfl: every signal's disposition back to the default in a new child of
 * svd, before it executes a program: svd's handlers mean nothing there, and
 * a signal svd was started with ignored (by make, by posix_spawn) would stay
 * ignored across the exec. Used by the spawn child (spawn.c) and the
 * emergency shell's (emergency.c). */
#ifndef SVD_SIGDFL_H
#define SVD_SIGDFL_H

/* Every signal but SIGKILL and SIGSTOP to SIG_DFL, signals 32 and 33 too
 * (glibc's own, which its sigaction refuses). The mask is the caller's.
 * Async-signal-safe and safe in a vfork-style child (no allocation, no
 * sanitizer bookkeeping). */
void sigdfl_all(void);

#endif
