/* init_crash: what svd does as PID 1 when it crashes (see init.h). A fault
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE) or an abort (SIGABRT: glibc's heap
 * checks, a failed safety net) would end PID 1, and the kernel panics: the
 * machine stops dead, with the services' data unsynced. Instead the handler,
 * on its own stack, says so on the console, lets a child dump core, and
 * never returns: it reaps children for as long as the machine runs and, on
 * SIGTERM, SIGUSR2 or SIGPWR (power off) or SIGINT (Ctrl-Alt-Del: reboot),
 * ends the machine as a shutdown's last step does: every process gets
 * SIGTERM, then SIGKILL, file systems are synced and / remounted read-only
 * (not in a container; in a child, 30 s at most), then reboot(2). Nothing of svd's state is
 * trusted: only system calls, no allocation, no stdio, no configuration.
 * A fault in one of svd's threads (the early set-up, a key derivation)
 * is a crash of PID 1 as well: that thread reports it and lets a child
 * dump core, then hands over to the main thread and stops; the event loop
 * does not go on. The threads leave the fault signals unblocked
 * (init_crash_unblock_faults): the kernel ends a process whose thread
 * faults with the signal blocked, whatever its handler. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"
#include "util.h"

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
/* the handler's stack: a stack overflow is one of the faults */
#define CRASH_STACK (64 * 1024)
static char crash_stack[CRASH_STACK];
static bool crash_installed;
/* PID 1 of the machine, not of a container (whose / is its host's) */
static bool crash_initial_ns;

static void nap_ms(long ms);

/* To the console; svd made stderr non-blocking: a slow one gets 1 s a line */
static void put(const char *s) {
        if (!s)
                s = "?";
        size_t n = strlen(s);
        for (int waits = 0; n && waits < 100;) {
                ssize_t w = write(STDERR_FILENO, s, n);
                if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
                        nap_ms(10);
                        waits++;
                        continue;
                }
                if (w <= 0)
                        return;
                s += w;
                n -= (size_t)w;
        }
}

static void put_int(long v) {
        char b[24], *p = b + sizeof(b);
        bool neg = v < 0;
        unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
        *--p = 0;
        do
                *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (neg)
                *--p = '-';
        put(p);
}

/* fork() runs atfork handlers and takes locks a crash may have left held */
static pid_t raw_fork(void) {
        return (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
}

static void nap_ms(long ms) {
        struct timespec t = {ms / 1000, ms % 1000 * 1000000L};
        while (nanosleep(&t, &t) < 0 && errno == EINTR)
                ;
}

/* Reaps every child for ms; returns early once pid (if > 0) was reaped. */
static void reap_ms(long ms, pid_t pid) {
        for (long waited = 0;; waited += 50) {
                pid_t p;
                while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
                        if (p == pid)
                                return;
                if (waited >= ms || (p < 0 && errno == ECHILD))
                        return;
                /* reaped already (by the event loop, before a thread's crash
                 * reached the main thread) */
                if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH)
                        return;
                nap_ms(50);
        }
}

static void crash_finish(int cmd, const char *why) {
        const char *what = cmd == RB_AUTOBOOT ? "reboot" : "poweroff";
        put("svd: crashed PID 1: ");
        put(why);
        put(": ");
        put(what);
        put("; sending SIGTERM to every process\n");
        kill(-1, SIGTERM);
        kill(-1, SIGCONT);
        reap_ms(5000, 0);
        kill(-1, SIGKILL);
        reap_ms(2000, 0);
        /* syncing and the remount can hang on a device that takes no I/O */
        pid_t c = raw_fork();
        if (c == 0) {
                sync();
                if (crash_initial_ns)
                        (void)mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
                sync();
                _exit(0);
        }
        if (c > 0)
                reap_ms(30000, c);
        put("svd: crashed PID 1: ");
        put(what);
        put("\n");
        reboot(cmd);
        /* refused (a container without CAP_SYS_BOOT, or a seccomp filter
         * that denies it): PID 1 of a PID namespace ends the namespace by
         * exiting, with init_finish's status (INIT_EXIT_REBOOT); the
         * machine's init reaps on (it must never end) */
        if (!crash_initial_ns) {
                int status = cmd == RB_AUTOBOOT ? INIT_EXIT_REBOOT : 0;
                put("svd: crashed PID 1: reboot(2) failed; PID 1 of a PID namespace: exiting instead "
                    "(status ");
                put_int(status);
                put(")\n");
                _exit(status);
        }
}

/* A thread of PID 1 that crashed hands the rest to the main thread (whose
 * thread id is 1), which reaps and powers off; this thread stops for good.
 * Nothing is trusted after a crash anywhere in the process: the main
 * thread's event loop must not go on with a heap a thread may have broken. */
static volatile sig_atomic_t crash_from_thread;
static volatile pid_t crash_core_pid;

static void park_thread(void) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        for (;;)
                pause();
}

/* A core dump (where core_pattern allows one): a child that is not PID 1
 * and dies of the same signal; forked from the thread that crashed, so
 * the core shows its stack. Returns its pid, or -1. */
static pid_t core_dump_child(int sig) {
        pid_t c = raw_fork();
        if (c == 0) {
                sigset_t one;
                signal(sig, SIG_DFL);
                sigemptyset(&one);
                sigaddset(&one, sig);
                sigprocmask(SIG_UNBLOCK, &one, NULL);
                raise(sig);
                _exit(128 + sig);
        }
        return c;
}

static void core_dump_wait(pid_t c) {
        if (c <= 0)
                return;
        reap_ms(10000, c);
        put("svd: the crashed PID 1's core dump (if core_pattern allows one) is from pid ");
        put_int(c);
        put("\n");
}

static void crash_handler(int sig, siginfo_t *si, void *uc) {
        (void)si;
        (void)uc;
        if (syscall(SYS_getpid) != 1) {
                /* a child of svd between its fork and its exec: its own end */
                signal(sig, SIG_DFL);
                raise(sig);
                _exit(128 + sig);
        }
        long tid = syscall(SYS_gettid);
        if (tid != 1 && crash_from_thread)
                park_thread(); /* another thread crashed first */
        if (tid == 1 && crash_from_thread) {
                /* the main thread, told by the thread that crashed, which
                 * reported it and forked the core dump's child */
                core_dump_wait(crash_core_pid);
        } else {
                put("svd: PID 1 crashed (");
                put(signal_name(sig));
                if (tid != 1) {
                        put(" in thread ");
                        put_int(tid);
                }
                put("); the services run on, unsupervised. svd only reaps processes now; SIGTERM, SIGUSR2 or "
                    "SIGPWR powers off, Ctrl-Alt-Del reboots\n");
                pid_t c = core_dump_child(sig);
                if (tid != 1) {
                        crash_core_pid = c;
                        crash_from_thread = sig;
                        (void)syscall(SYS_tgkill, 1, 1, sig);
                        park_thread();
                }
                core_dump_wait(c);
        }
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGUSR2);
        sigaddset(&set, SIGPWR);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_BLOCK, &set, NULL);
        for (;;) {
                struct timespec t = {1, 0};
                siginfo_t info;
                int s = sigtimedwait(&set, &info, &t);
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (s == SIGINT)
                        crash_finish(RB_AUTOBOOT, "Ctrl-Alt-Del");
                else if (s == SIGTERM || s == SIGUSR2 || s == SIGPWR)
                        crash_finish(RB_POWER_OFF, signal_name(s));
        }
}

void init_crash_unblock_faults(sigset_t *set) {
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigdelset(set, fatal_signals[i]);
}

void init_crash_install(void) {
        struct stat st; /* PROC_PID_INIT_INO: the initial PID namespace */
        crash_initial_ns = stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCU;
        crash_installed = true;
        stack_t ss = {.ss_sp = crash_stack, .ss_size = sizeof(crash_stack)};
        (void)sigaltstack(&ss, NULL);
        struct sigaction sa = {.sa_sigaction = crash_handler, .sa_flags = SA_SIGINFO | SA_ONSTACK};
        sigfillset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                (void)sigaction(fatal_signals[i], &sa, NULL);
}

/* A thread's own alternate stack for the handler (a thread starts without
 * one: sigaltstack is per thread), so that its stack overflow is handled
 * too; only once the handler is installed (PID 1). */
struct crash_thread {
        void *(*fn)(void *);
        void *arg;
};

static void *crash_thread_main(void *p) {
        struct crash_thread t = *(struct crash_thread *)p;
        free(p);
        void *stack = MAP_FAILED;
        if (crash_installed) {
                stack = mmap(NULL, CRASH_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1,
                             0);
                stack_t ss = {.ss_sp = stack, .ss_size = CRASH_STACK};
                if (stack != MAP_FAILED && sigaltstack(&ss, NULL) < 0) {
                        munmap(stack, CRASH_STACK);
                        stack = MAP_FAILED;
                }
        }
        void *r = t.fn(t.arg);
        if (stack != MAP_FAILED) {
                stack_t off = {.ss_flags = SS_DISABLE};
                (void)sigaltstack(&off, NULL);
                munmap(stack, CRASH_STACK);
        }
        return r;
}

int init_crash_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg) {
        struct crash_thread *t = malloc(sizeof(*t));
        if (!t)
                return ENOMEM;
        *t = (struct crash_thread){fn, arg};
        int r = pthread_create(thread, NULL, crash_thread_main, t);
        if (r != 0)
                free(t);
        return r;
}
