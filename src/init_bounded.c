/* init_bounded: one step of PID 1's shutdown (a sync, the swapoff, the
 * unmounting; init.h) with a deadline. It runs in a child process: one
 * stuck in the kernel (a disk that takes no more I/O, a dead NFS server) is
 * left behind and PID 1 goes on. When fork() fails (ENOMEM: no room to
 * account a copy of svd's memory; EAGAIN), the step runs in a thread of PID
 * 1 instead, waited for the same way: a thread copies nothing, so it may
 * start where a process cannot, and one stuck in the kernel does not keep
 * the main thread from reboot(2). Only when neither starts does the step
 * run in PID 1 itself, unbounded and said so: skipping it would lose the
 * unwritten data of every healthy disk for the sake of one that hangs.
 * init_thread_bounded() is the thread half alone, for a single call with
 * an argument and a result: init_umount.c's unmounts, each bounded on its
 * own, when fork fails inside the unmounting step. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "log.h"

#define POLL_NS (20 * 1000 * 1000)

static bool past(const struct timespec *end)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return now.tv_sec > end->tv_sec || (now.tv_sec == end->tv_sec && now.tv_nsec >= end->tv_nsec);
}

static void nap(void)
{
        struct timespec t = { 0, POLL_NS };
        nanosleep(&t, NULL);
}

/* Shared by the caller and the thread; a thread that hangs outlives the
 * call, so whichever of the two lets go last frees it. The argument is
 * copied in for the same reason: the caller's copy may be gone by then. */
struct job {
        int (*fn)(void *arg);
        int refs;
        int done;
        int ret;
        max_align_t arg[]; /* (aligned for any type) */
};

static void job_put(struct job *j)
{
        if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) == 0)
                free(j);
}

static void *job_main(void *p)
{
        struct job *j = p;
        j->ret = j->fn(j->arg);
        __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
        job_put(j);
        return NULL;
}

/* 1 finished (its result in *ret), 0 timed out, -errno if no thread
 * started. No waitpid here: the step may fork and wait for children of its
 * own (init_umount.c). */
static int in_thread(int (*fn)(void *), const void *arg, size_t size, const struct timespec *end, int *ret)
{
        struct job *j = malloc(sizeof(*j) + size);
        if (!j)
                return -ENOMEM;
        *j = (struct job){ fn, 2, 0, 0 };
        if (size)
                memcpy(j->arg, arg, size);
        sigset_t all, old;
        sigfillset(&all);
        init_crash_unblock_faults(&all);          /* a blocked fault would end PID 1 */
        pthread_sigmask(SIG_SETMASK, &all, &old); /* the signals stay the main thread's */
        pthread_t t;
        int r = init_crash_thread_create(&t, job_main, j);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r != 0) {
                free(j);
                return -r;
        }
        pthread_detach(t); /* one that hangs is never joined */
        while (!__atomic_load_n(&j->done, __ATOMIC_ACQUIRE) && !past(end))
                nap();
        int done = __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
        if (done && ret)
                *ret = j->ret;
        job_put(j);
        return done;
}

int init_thread_bounded(int (*fn)(void *arg), const void *arg, size_t size, int timeout_ms, int *ret)
{
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += timeout_ms / 1000;
        end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
        if (end.tv_nsec >= 1000000000) {
                end.tv_sec++;
                end.tv_nsec -= 1000000000;
        }
        return in_thread(fn, arg, size, &end, ret);
}

/* A step as a job: the function pointer is the argument, copied as bytes
 * (a function pointer need not fit a void *). */
static int call_step(void *arg)
{
        void (*fn)(void);
        memcpy(&fn, arg, sizeof(fn));
        fn();
        return 0;
}

bool init_run_bounded(void (*fn)(void), int timeout_s, const char *what)
{
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += timeout_s;
        pid_t pid = fork();
        if (pid == 0) {
                fn();
                _exit(0);
        }
        if (pid < 0) {
                log_warn("init: %s: cannot fork (%s); running it in a thread of PID 1", what,
                         strerror(errno));
                int r = in_thread(call_step, &fn, sizeof(fn), &end, NULL);
                if (r < 0) {
                        log_err("init: %s: cannot start a thread either (%s); running it in PID 1 "
                                "itself, without a deadline",
                                what, strerror(-r));
                        fn();
                        return true;
                }
                if (!r)
                        log_err("init: %s did not finish within %ds; going on", what, timeout_s);
                return r;
        }
        for (;;) {
                pid_t p;
                while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
                        if (p == pid)
                                return true;
                if (past(&end)) {
                        log_err("init: %s did not finish within %ds; going on", what, timeout_s);
                        return false;
                }
                nap();
        }
}
