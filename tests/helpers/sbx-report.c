/* sbx-report: run as an svd service, reports the confinement it finds itself
 * in, as KEY=VALUE lines written (atomically) to OUTFILE:
 *   sbx-report OUTFILE [CHECK...]
 * Always: uid gid groups umask cwd, CapBnd CapPrm CapEff CapAmb NoNewPrivs
 * Seccomp (from /proc/self/status), securebits (PR_GET_SECUREBITS, hex),
 * rlimit_<name>=SOFT:HARD, reopen_stderr.
 * CHECKs:
 *   forbidden     mount, init_module, swapon (with arguments that fail
 *                 harmlessly without a filter: ENOENT/EFAULT), and reboot --
 *                 the latter only when a seccomp filter is loaded AND
 *                 CAP_SYS_BOOT is not effective, so it can never succeed
 *   deny-groups   one harmless call from each other group the default
 *                 profile denies, with arguments the kernel refuses or
 *                 answers without changing anything: @clock clock_settime
 *                 (bad clock: EINVAL), @debug perf_event_open (NULL attr),
 *                 @obsolete sysfs(3), @cpu-emulation modify_ldt (read),
 *                 @keyring keyctl(GET_KEYRING_ID, no create), @raw-io
 *                 ioperm(0, 0, 0) (EINVAL); as clock= debug= ... keys
 *   acct          acct(NULL) (in @privileged, outside @system-service)
 *   mount, swapon the single calls of forbidden
 *   work          files, sockets, a thread, fork+exec of /bin/true
 *   bind80        bind 127.0.0.1:80
 *   uring         io_uring_setup (a ring of one entry, closed at once)
 *   i386          a child makes a system call through int 0x80 (x86-64)
 *   x32           a child makes an x32-ABI getpid (x86-64)
 *   write:PATH    create and write PATH
 *   exists:PATH   whether PATH exists
 *   read:PATH     open PATH for reading and read from it
 *   stat:PATH     stat PATH
 *   mount-last    after writing OUTFILE, call mount() (for action: kill)
 *   thread        pthread_create and join (glibc tries clone3 first)
 *   clone3        a raw clone3(NULL, 0): EINVAL from the kernel, anything
 *                 else from a filter
 *   faccessat     glibc's faccessat(AT_FDCWD, "/", F_OK, 0) (faccessat2
 *                 first, faccessat where that is ENOSYS)
 * Values are "ok" or the errno name (EPERM, EROFS, ...). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/keyctl.h>

static FILE *out;

static const char *res(int r)
{
        return r == 0 ? "ok" : strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

static void status_fields(unsigned long long *capeff, int *seccomp)
{
        static const char *const keys[] = {
                "CapBnd", "CapPrm", "CapEff", "CapAmb", "NoNewPrivs", "Seccomp"
        };
        char line[256];
        FILE *f = fopen("/proc/self/status", "re");

        while (f && fgets(line, sizeof line, f)) {
                for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
                        size_t kl = strlen(keys[i]);
                        if (strncmp(line, keys[i], kl) || line[kl] != ':')
                                continue;
                        char *v = line + kl + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = 0;
                        fprintf(out, "%s=%s\n", keys[i], v);
                        if (!strcmp(keys[i], "CapEff"))
                                *capeff = strtoull(v, NULL, 16);
                        if (!strcmp(keys[i], "Seccomp"))
                                *seccomp = atoi(v);
                }
        }
        if (f)
                fclose(f);
}

static void *thread_fn(void *p)
{
        return p;
}

static int work(void)
{
        char path[] = "/dev/shm/sbx-report.XXXXXX";
        int fd = mkstemp(path), sv[2];
        pthread_t t;

        if (fd < 0)
                return -1;
        if (write(fd, "x", 1) != 1)
                return -1;
        close(fd);
        unlink(path);
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                return -1;
        close(sv[0]);
        close(sv[1]);
        if ((errno = pthread_create(&t, NULL, thread_fn, NULL)) != 0 || pthread_join(t, NULL) != 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                execl("/bin/true", "true", (char *)NULL);
                _exit(127);
        }
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) < 0)
                return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                errno = ECHILD;
                return -1;
        }
        return 0;
}

/* In a child: one foreign-ABI getpid; reports how the child ended. */
static const char *foreign_call(int x32, char *buf, size_t len)
{
#if defined(__x86_64__)
        pid_t pid = fork();
        if (pid == 0) {
                long ret;
                if (x32) /* x32: the x86-64 entry with bit 30 set */
                        __asm__ volatile("syscall"
                                         : "=a"(ret)
                                         : "a"(0x40000000L | 39)
                                         : "rcx", "r11", "memory");
                else /* i386 getpid */
                        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
                _exit(ret > 0 ? 0 : 1);
        }
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) < 0)
                return "E?";
        if (WIFSIGNALED(st))
                snprintf(buf, len, "%s", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
        else
                snprintf(buf, len, "exit%d", WEXITSTATUS(st));
        return buf;
#else
        (void)x32;
        (void)buf;
        (void)len;
        return "n/a";
#endif
}

/* r >= 0 is success (some calls return a count) */
static const char *res_ge0(long r)
{
        return res(r >= 0 ? 0 : -1);
}

static void deny_groups(void)
{
        char ldt[16];

        fprintf(out, "clock=%s\n", res_ge0(syscall(SYS_clock_settime, 0x7fffffff, NULL)));
        fprintf(out, "debug=%s\n", res_ge0(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)));
#ifdef SYS_sysfs
        fprintf(out, "obsolete=%s\n", res_ge0(syscall(SYS_sysfs, 3)));
#endif
#ifdef SYS_modify_ldt
        fprintf(out, "cpu_emulation=%s\n", res_ge0(syscall(SYS_modify_ldt, 0, ldt, sizeof ldt)));
#endif
        fprintf(out, "keyring=%s\n",
                res_ge0(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0)));
#ifdef SYS_ioperm
        fprintf(out, "raw_io=%s\n", res_ge0(syscall(SYS_ioperm, 0, 0, 0)));
#endif
        (void)ldt;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                int res;
        } lims[] = { { "nofile", RLIMIT_NOFILE },
                     { "nproc", RLIMIT_NPROC },
                     { "core", RLIMIT_CORE },
                     { "memlock", RLIMIT_MEMLOCK },
                     { "stack", RLIMIT_STACK } };
        char tmp[4096], buf[64];
        unsigned long long capeff = 0;
        int seccomp = 0, mount_last = 0;

        if (argc < 2)
                return 2;
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
        if (!(out = fopen(tmp, "w")))
                return 3;
        fprintf(out, "uid=%u\ngid=%u\n", (unsigned)getuid(), (unsigned)getgid());
        gid_t g[64];
        int ng = getgroups(64, g);
        fprintf(out, "groups=");
        for (int i = 0; i < ng; i++)
                fprintf(out, "%s%u", i ? "," : "", (unsigned)g[i]);
        fprintf(out, "\n");
        mode_t um = umask(0);
        umask(um);
        fprintf(out, "umask=%04o\n", (unsigned)um);
        char cwd[4096];
        fprintf(out, "cwd=%s\n", getcwd(cwd, sizeof cwd) ? cwd : "E?");
        fprintf(out, "securebits=0x%x\n", (unsigned)prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
        status_fields(&capeff, &seccomp);
        for (size_t i = 0; i < sizeof lims / sizeof *lims; i++) {
                struct rlimit rl;
                getrlimit(lims[i].res, &rl);
                char s[32], h[32];
                snprintf(s, sizeof s, rl.rlim_cur == RLIM_INFINITY ? "infinity" : "%llu",
                         (unsigned long long)rl.rlim_cur);
                snprintf(h, sizeof h, rl.rlim_max == RLIM_INFINITY ? "infinity" : "%llu",
                         (unsigned long long)rl.rlim_max);
                fprintf(out, "rlimit_%s=%s:%s\n", lims[i].name, s, h);
        }
        int fd = open("/proc/self/fd/2", O_WRONLY | O_APPEND);
        fprintf(out, "reopen_stderr=%s\n", res(fd < 0 ? -1 : 0));
        if (fd >= 0)
                close(fd);

        for (int i = 2; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "forbidden")) {
                        fprintf(out, "mount=%s\n", res(mount("none", "/nonexistent/sbx", "tmpfs", 0, NULL)));
                        fprintf(out, "init_module=%s\n", res((int)syscall(SYS_init_module, NULL, 0, "")));
                        fprintf(out, "swapon=%s\n", res(swapon("/nonexistent/sbx-swap", 0)));
                        /* never without a filter, never with CAP_SYS_BOOT */
                        if (seccomp == 2 && !(capeff & (1ULL << 22)))
                                fprintf(out, "reboot=%s\n", res(reboot(RB_AUTOBOOT)));
                        else
                                fprintf(out, "reboot=skipped\n");
                } else if (!strcmp(a, "work")) {
                        fprintf(out, "work=%s\n", res(work()));
                } else if (!strcmp(a, "bind80")) {
                        int s = socket(AF_INET, SOCK_STREAM, 0);
                        struct sockaddr_in sa = { .sin_family = AF_INET,
                                                  .sin_port = htons(80),
                                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                        int one = 1;
                        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                        fprintf(out, "bind80=%s\n", res(bind(s, (struct sockaddr *)&sa, sizeof sa)));
                        close(s);
                } else if (!strcmp(a, "uring")) {
                        unsigned char params[120] = { 0 }; /* struct io_uring_params */
                        int fd = (int)syscall(425 /* io_uring_setup, every architecture */, 1, params);
                        fprintf(out, "uring=%s\n", res(fd < 0 ? -1 : 0));
                        if (fd >= 0)
                                close(fd);
                } else if (!strcmp(a, "deny-groups")) {
                        deny_groups();
                } else if (!strcmp(a, "acct")) {
                        fprintf(out, "acct=%s\n", res(acct(NULL)));
                } else if (!strcmp(a, "mount")) {
                        fprintf(out, "mount=%s\n", res(mount("none", "/nonexistent/sbx", "tmpfs", 0, NULL)));
                } else if (!strcmp(a, "swapon")) {
                        fprintf(out, "swapon=%s\n", res(swapon("/nonexistent/sbx-swap", 0)));
                } else if (!strcmp(a, "i386")) {
                        fprintf(out, "i386=%s\n", foreign_call(0, buf, sizeof buf));
                } else if (!strcmp(a, "x32")) {
                        fprintf(out, "x32=%s\n", foreign_call(1, buf, sizeof buf));
                } else if (!strncmp(a, "write:", 6)) {
                        int w = open(a + 6, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                        int r = w < 0 ? -1 : (write(w, "x\n", 2) == 2 ? 0 : -1);
                        fprintf(out, "%s=%s\n", a, res(r));
                        if (w >= 0)
                                close(w);
                } else if (!strncmp(a, "read:", 5)) {
                        char c;
                        int rd = open(a + 5, O_RDONLY);
                        int r = rd < 0 ? -1 : (read(rd, &c, 1) >= 0 ? 0 : -1);
                        fprintf(out, "%s=%s\n", a, res(r));
                        if (rd >= 0)
                                close(rd);
                } else if (!strncmp(a, "stat:", 5)) {
                        struct stat st;
                        fprintf(out, "%s=%s\n", a, res(stat(a + 5, &st)));
                } else if (!strncmp(a, "exists:", 7)) {
                        fprintf(out, "%s=%s\n", a, access(a + 7, F_OK) == 0 ? "yes" : "no");
                } else if (!strcmp(a, "thread")) {
                        pthread_t t;
                        int e = pthread_create(&t, NULL, thread_fn, NULL);
                        if (e == 0)
                                e = pthread_join(t, NULL);
                        errno = e;
                        fprintf(out, "thread=%s\n", res(e ? -1 : 0));
                } else if (!strcmp(a, "clone3")) {
                        fprintf(out, "clone3=%s\n", res((int)syscall(435 /* clone3 */, NULL, 0)));
                } else if (!strcmp(a, "faccessat")) {
                        fprintf(out, "faccessat=%s\n", res(faccessat(AT_FDCWD, "/", F_OK, 0)));
                } else if (!strcmp(a, "mount-last")) {
                        mount_last = 1;
                }
        }
        fclose(out);
        if (rename(tmp, argv[1]) < 0)
                return 4;
        if (mount_last)
                mount("none", "/nonexistent/sbx", "tmpfs", 0, NULL);
        return 0;
}
