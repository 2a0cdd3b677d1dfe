/* sigdfl: see sigdfl.h. */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sigdfl.h"

/* Not instrumented: the spawn child runs it on a private stack while svd
 * waits, where sanitizer bookkeeping would touch svd's shadow state. The
 * system call itself, not sigaction(): glibc's refuses 32 and 33. An
 * all-zero struct is SIG_DFL whatever the architecture's field order. */
__attribute__((no_sanitize("address", "undefined")))
void sigdfl_all(void) {
        uint64_t dfl[8] = {0}; /* larger than any architecture's struct */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, (NSIG - 1) / 8);
}
