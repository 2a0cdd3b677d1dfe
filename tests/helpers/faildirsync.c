/* faildirsync: LD_PRELOADed into svd by tests/integration/secrets_dirsync.sh
 * to make the sync of one directory fail. While $FAILSYNC_DIR/arm exists, an
 * fsync() of a descriptor open on the directory $FAILSYNC_DIR itself fails
 * with EIO; every other fsync goes through. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int (*real_fsync)(int);
static char dir[1024], arm[1100];

__attribute__((constructor)) static void init(void)
{
        const char *d = getenv("FAILSYNC_DIR");

        real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
        if (d && strlen(d) < sizeof(dir)) {
                snprintf(dir, sizeof(dir), "%s", d);
                snprintf(arm, sizeof(arm), "%s/arm", d);
        }
}

int fsync(int fd)
{
        struct stat fst, dst;

        if (dir[0] && access(arm, F_OK) == 0 && fstat(fd, &fst) == 0 && S_ISDIR(fst.st_mode) &&
            stat(dir, &dst) == 0 && fst.st_dev == dst.st_dev && fst.st_ino == dst.st_ino) {
                errno = EIO;
                return -1;
        }
        return real_fsync(fd);
}
