/*
 * logrun - the stopwatch of bench/log.sh.
 *
 * Usage: logrun [-c] -f FILE [-z SIZE] [-T TIMEOUT_S] -- COMMAND [ARG...]
 *
 * posix_spawn()s COMMAND (its stdout goes to /dev/null) and watches FILE,
 * the log it produces, with a stat() every millisecond. The run ends
 *   - with -z: the first time FILE holds at least SIZE bytes; COMMAND then
 *     gets SIGTERM and is reaped;
 *   - without: when COMMAND exits (a pipeline whose logger exits at EOF).
 * Prints two figures on stdout, "LOGGING TOTAL" in seconds: LOGGING from the
 * first byte in FILE to the end (throughput, without the start-up of the
 * logger or supervisor), TOTAL from the spawn to the end. With -c and -z a
 * third: the CPU seconds COMMAND itself (not its children) had used at the
 * end, from /proc/PID/schedstat. Exits 1 on a timeout (default 300 s) or
 * when COMMAND exited before FILE was complete, 2 on a usage error. Every
 * logger in the bench is timed by this one loop, so the figures differ only
 * by what they measure, not by how. logrun polls as SCHED_FIFO (when
 * permitted, e.g. as root), so load from elsewhere does not delay its view.
 * Compiled on the fly by bench/log.sh; not part of the svd build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

static long long file_size(const char *file) {
        struct stat st;
        return stat(file, &st) == 0 ? (long long)st.st_size : 0;
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
        if (optind >= argc || !file) {
                fprintf(stderr, "usage: logrun [-c] -f FILE [-z SIZE] [-T TIMEOUT_S] -- COMMAND [ARG...]\n");
                return 2;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        double t0 = now(), first = -1, end = -1;
        pid_t pid;
        int r = posix_spawnp(&pid, argv[optind], &fa, NULL, argv + optind, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r) {
                fprintf(stderr, "logrun: %s: %s\n", argv[optind], strerror(r));
                return 2;
        }
        /* The poll must see the moments it times when they happen, not when
         * a loaded machine next gets round to it: logrun (not COMMAND, which
         * is spawned already and keeps its policy) runs SCHED_FIFO when it
         * may, which costs nothing while it sleeps between stat()s. */
        struct sched_param sp = {.sched_priority = 1};
        (void)sched_setscheduler(0, SCHED_FIFO, &sp);
        struct timespec ms = {0, 1000000};
        int status;
        bool exited = false;
        for (;;) {
                double t = now();
                long long sz = file_size(file);
                if (first < 0 && sz > 0)
                        first = t;
                if (size >= 0 && sz >= size) {
                        end = t;
                        if (want_cpu)
                                cpu = cpu_seconds(pid);
                        break;
                }
                if (waitpid(pid, &status, WNOHANG) == pid) {
                        exited = true;
                        if (size < 0) {
                                end = now();
                                if (first < 0 && file_size(file) > 0)
                                        first = end;
                                break;
                        }
                        fprintf(stderr, "logrun: %s exited before %s reached %lld bytes\n", argv[optind], file, size);
                        return 1;
                }
                if (t - t0 > timeout)
                        break;
                nanosleep(&ms, NULL);
        }
        if (!exited) {
                kill(pid, SIGTERM);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        if (end < 0 || first < 0) {
                fprintf(stderr, "logrun: %s after %.0f s\n", end < 0 ? "timeout" : "no output", timeout);
                return 1;
        }
        if (cpu >= 0)
                printf("%.4f %.4f %.4f\n", end - first, end - t0, cpu);
        else
                printf("%.4f %.4f\n", end - first, end - t0);
        return 0;
}
