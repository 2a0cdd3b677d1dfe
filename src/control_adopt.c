/* control_adopt: a listening socket at the control socket's path that svd
 * inherited without a state naming it. A daemon-reexec whose state the new
 * image refuses (another format version, damage) leaves the previous
 * image's listener open in this very process: a new bind would find the
 * path answering (svd itself) and fail, and svd would end with its services
 * unsupervised. Taken over instead, the clients queued on it (svctl
 * daemon-reexec waiting for the outcome among them) are answered. */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_adopt.h"

/* path with its directory made canonical (a socket's own name is not
 * followed: it is the socket); NULL if that directory does not resolve */
static char *canonical(const char *path)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                return NULL;
        char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        char *real = dir ? realpath(dir, NULL) : NULL;
        free(dir);
        char *out = NULL;
        if (real && asprintf(&out, "%s/%s", strcmp(real, "/") ? real : "", slash + 1) < 0)
                out = NULL;
        free(real);
        return out;
}

static bool listens_at(int fd, const char *path)
{
        int v = 0, type = 0;
        socklen_t l = sizeof(v), tl = sizeof(type);
        struct sockaddr_un sa;
        socklen_t sl = sizeof(sa);
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) < 0 || !v ||
            getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM)
                return false;
        memset(&sa, 0, sizeof(sa));
        if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0 || sa.sun_family != AF_UNIX ||
            sl <= offsetof(struct sockaddr_un, sun_path))
                return false;
        size_t n = sl - offsetof(struct sockaddr_un, sun_path);
        if (n >= sizeof(sa.sun_path))
                n = sizeof(sa.sun_path) - 1;
        sa.sun_path[n] = 0;
        if (!sa.sun_path[0])
                return false; /* (abstract, or unbound) */
        if (strcmp(sa.sun_path, path) == 0)
                return true;
        char *a = canonical(sa.sun_path), *b = canonical(path);
        bool same = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
        return same;
}

int control_adopt_inherited(const char *path)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -1;
        int found = -1;
        struct dirent *e;
        while (found < 0 && (e = readdir(d))) {
                char *end;
                long fd = strtol(e->d_name, &end, 10);
                if (*end || end == e->d_name || fd <= 2 || fd == dirfd(d) || fd > 1 << 20)
                        continue;
                if (listens_at((int)fd, path))
                        found = (int)fd;
        }
        closedir(d);
        if (found >= 0) {
                int fl = fcntl(found, F_GETFL);
                if (fl < 0 || fcntl(found, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(found, F_SETFD, FD_CLOEXEC) < 0)
                        return -1;
        }
        return found;
}
