/* stopstate: LD_PRELOADed into svd by tests/vm/takeover_unknown_pending.sh
 * to stop svd (SIGSTOP) right after it wrote a state file with an exit
 * waiting for its cgroup to empty, so that a test acts on that state file
 * however slow the machine is (the wait is 5 s of svd's own). When
 * $STOPSTATE_DIR/arm exists, a rename() onto a path ending in "/state.json"
 * whose new content has "exit_pending" true removes arm, creates
 * $STOPSTATE_DIR/stopped and stops svd before returning. */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int (*real_rename)(const char *, const char *);
static char arm[1100], stopped[1100];

__attribute__((constructor)) static void init(void)
{
        const char *d = getenv("STOPSTATE_DIR");
        real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
        if (d && strlen(d) < 1024) {
                snprintf(arm, sizeof(arm), "%s/arm", d);
                snprintf(stopped, sizeof(stopped), "%s/stopped", d);
        }
}

/* Whether the file at path has "exit_pending" followed by true (any
 * spacing around the colon). */
static int pending_in(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
        struct stat st;
        if (fd < 0)
                return 0;
        char *buf = fstat(fd, &st) == 0 && st.st_size > 0 ? malloc((size_t)st.st_size + 1) : NULL;
        ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
        close(fd);
        if (n > 0) {
                buf[n] = 0;
                for (char *p = buf; !found && (p = strstr(p, "\"exit_pending\"")); p++) {
                        char *q = p + strlen("\"exit_pending\"");
                        q += strspn(q, " \t\n");
                        if (*q == ':') {
                                q++;
                                q += strspn(q, " \t\n");
                                found = strncmp(q, "true", 4) == 0;
                        }
                }
        }
        free(buf);
        return found;
}

int rename(const char *from, const char *to)
{
        int r = real_rename(from, to);
        size_t n = strlen(to);
        if (r == 0 && arm[0] && n >= 11 && strcmp(to + n - 11, "/state.json") == 0 &&
            access(arm, F_OK) == 0 && pending_in(to) && unlink(arm) == 0) {
                int fd = open(stopped, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (fd >= 0)
                        close(fd);
                raise(SIGSTOP);
        }
        return r;
}
