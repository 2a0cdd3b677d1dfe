/* stallchdir: LD_PRELOADed into svd by tests/integration/crash_state.sh to
 * hold a spawn in the middle of its child's setup. When $STALL_DIR/arm
 * exists, a chdir() to $STALL_DIR (a spawned child entering the service's
 * working directory: svd is suspended until its exec) removes arm, creates
 * $STALL_DIR/stalled and sleeps STALL_SECONDS before going on. The child
 * shares svd's memory (vfork): everything is prepared in the constructor,
 * nothing allocates afterwards. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STALL_SECONDS 3

static int (*real_chdir)(const char *);
static char dir[1024], arm[1100], stalled[1100];

__attribute__((constructor)) static void init(void)
{
        const char *d = getenv("STALL_DIR");
        real_chdir = (int (*)(const char *))dlsym(RTLD_NEXT, "chdir");
        if (d && strlen(d) < sizeof(dir)) {
                snprintf(dir, sizeof(dir), "%s", d);
                snprintf(arm, sizeof(arm), "%s/arm", d);
                snprintf(stalled, sizeof(stalled), "%s/stalled", d);
        }
}

int chdir(const char *path)
{
        if (dir[0] && strcmp(path, dir) == 0 && unlink(arm) == 0) {
                int fd = open(stalled, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (fd >= 0)
                        close(fd);
                struct timespec ts = { STALL_SECONDS, 0 };
                while (nanosleep(&ts, &ts) < 0)
                        ;
        }
        return real_chdir(path);
}
