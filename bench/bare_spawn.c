/*
 * bare_spawn - baseline for bench/spawn.sh.
 *
 * Usage: bare_spawn N [ARG]
 *
 * Resolves `sleep` in $PATH once (as a supervisor does when it loads its
 * configuration), then posix_spawn()s N copies of `sleep ARG` (ARG defaults
 * to 100000) as fast as possible, prints one line
 *
 *     spawned N in USEC us (end_us=EPOCH_USEC)
 *
 * to stdout, then waits until it receives SIGTERM/SIGINT/SIGHUP, sends
 * SIGTERM to every child, reaps them all and exits 0.
 *
 * Keeping the children alive lets the benchmark observe them through /proc
 * with exactly the same poll loop it uses for the s6 and svd runs.
 * Compiled on the fly by bench/common.sh; not part of the svd build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_us(clockid_t clk)
{
        struct timespec ts;
        clock_gettime(clk, &ts);
        return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static char *resolve(const char *name)
{
        const char *path = getenv("PATH");
        static char buf[4096];

        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        while (*path) {
                size_t len = strcspn(path, ":");
                if (len && len + strlen(name) + 2 < sizeof buf) {
                        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, path, name);
                        if (access(buf, X_OK) == 0)
                                return buf;
                }
                path += len + (path[len] == ':');
        }
        return NULL;
}

int main(int argc, char **argv)
{
        long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
        char *arg = argc > 2 ? argv[2] : "100000";
        char *cargv[] = { "sleep", arg, NULL };
        sigset_t set, empty;
        posix_spawnattr_t attr;
        pid_t *pids;
        long i, ok = 0;
        int sig;
        char *exe = resolve("sleep");

        if (!exe) {
                fprintf(stderr, "bare_spawn: sleep not found in PATH\n");
                return 2;
        }
        if (n <= 0 || !(pids = calloc((size_t)n, sizeof *pids))) {
                fprintf(stderr, "usage: bare_spawn N [ARG]\n");
                return 2;
        }

        /* Block the stop signals now so none is lost; children get an
         * empty mask and default dispositions, like a real supervisor. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_BLOCK, &set, NULL);
        sigemptyset(&empty);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigmask(&attr, &empty);
        posix_spawnattr_setsigdefault(&attr, &set);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

        long long t0 = now_us(CLOCK_MONOTONIC);
        for (i = 0; i < n; i++) {
                int r = posix_spawn(&pids[i], exe, NULL, &attr, cargv, environ);
                if (r) {
                        fprintf(stderr, "bare_spawn: posix_spawn #%ld: %s\n", i, strerror(r));
                        pids[i] = 0;
                } else
                        ok++;
        }
        long long t1 = now_us(CLOCK_MONOTONIC);
        printf("spawned %ld in %lld us (end_us=%lld)\n", ok, t1 - t0, now_us(CLOCK_REALTIME));
        fflush(stdout);

        sigwait(&set, &sig);
        for (i = 0; i < n; i++)
                if (pids[i] > 0)
                        kill(pids[i], SIGTERM);
        for (i = 0; i < n; i++)
                if (pids[i] > 0)
                        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
                                ;
        return ok == n ? 0 : 1;
}
