/* failfork: LD_PRELOADed into svd by tests/vm/shutdown_nofork.sh. In PID 1
 * only, while the file $FAILFORK_ARM exists, fork() fails with ENOMEM, as
 * it does when the kernel cannot account a copy of PID 1's memory; every
 * other call, and every other process (the services inherit the
 * preload), goes to the next fork(). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

pid_t fork(void)
{
        static pid_t (*next)(void);
        const char *arm = getenv("FAILFORK_ARM");

        if (getpid() == 1 && arm && access(arm, F_OK) == 0) {
                errno = ENOMEM;
                return -1;
        }
        if (!next)
                next = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
        return next();
}
