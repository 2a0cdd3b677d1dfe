/*
 * logrun - the stopwatch of bench/log.sh.
 *
 * Usage: logrun [-c] [-f FILE -z SIZE] [-T TIMEOUT_S] -- COMMAND [ARG...]
 *
 * Takes the monotonic time, posix_spawn()s COMMAND, and stops the clock
 *   - with -f/-z: the first time FILE holds at least SIZE bytes (stat() every
 *     millisecond), then sends SIGTERM to COMMAND and reaps it;
 *   - without: when COMMAND exits.
 * COMMAND's stdout goes to /dev/null. Prints the elapsed seconds ("0.4321") on stdout;
 * with -c and -f also the CPU seconds COMMAND itself (not its children) had
 * used when the file was complete, from /proc/PID/schedstat. Exits 1 on a timeout
 * (default 300 s) or when COMMAND exited before FILE was complete, 2 on a
 * usage error. Every logger in the bench is timed by this one loop, so the
 * figures differ only by what they measure, not by how.
 * Compiled on the fly by bench/log.sh; not part of the svd build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Nanoseconds on a CPU, the first field of /proc/PID/schedstat. */
static double cpu_seconds(pid_t pid) {
        char path[64];
        unsigned long long ns;
        snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        int n = fscanf(f, "%llu", &ns);
        fclose(f);
        return n == 1 ? (double)ns / 1e9 : -1;
}

int main(int argc, char **argv) {
        const char *file = NULL;
        long long size = -1;
        double timeout = 300, cpu = -1;
        bool want_cpu = false;
        int c;
        while ((c = getopt(argc, argv, "+cf:z:T:")) != -1) {
                switch (c) {
                case 'c':
                        want_cpu = true;
                        break;
                case 'f':
                        file = optarg;
                        break;
                case 'z':
                        size = atoll(optarg);
                        break;
                case 'T':
                        timeout = atof(optarg);
                        break;
                default:
                        return 2;
                }
        }
        if (optind >= argc || (file != NULL) != (size >= 0)) {
                fprintf(stderr, "usage: logrun [-f FILE -z SIZE] [-T TIMEOUT_S] -- COMMAND [ARG...]\n");
                return 2;
        }
        double t0 = now();
        /* COMMAND's stdout is not ours: only the figure goes there */
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        int r = posix_spawnp(&pid, argv[optind], &fa, NULL, argv + optind, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r) {
                fprintf(stderr, "logrun: %s: %s\n", argv[optind], strerror(r));
                return 2;
        }
        int status, rc = 0;
        double t = 0;
        if (!file) {
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                t = now() - t0;
        } else {
                struct timespec ms = {0, 1000000};
                for (;;) {
                        struct stat st;
                        if (stat(file, &st) == 0 && st.st_size >= size) {
                                t = now() - t0;
                                if (want_cpu)
                                        cpu = cpu_seconds(pid);
                                break;
                        }
                        if (waitpid(pid, &status, WNOHANG) == pid) {
                                fprintf(stderr, "logrun: %s exited before %s reached %lld bytes\n", argv[optind],
                                        file, size);
                                return 1;
                        }
                        if (now() - t0 > timeout) {
                                rc = 1;
                                break;
                        }
                        nanosleep(&ms, NULL);
                }
                kill(pid, SIGTERM);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        if (rc) {
                fprintf(stderr, "logrun: timeout after %.0f s\n", timeout);
                return rc;
        }
        if (cpu >= 0)
                printf("%.4f %.4f\n", t, cpu);
        else
                printf("%.4f\n", t);
        return 0;
}
