/* inherit-report: run as an svd service, check or job; reports what the
 * process inherited at exec as KEY=VALUE lines written (atomically, through
 * OUTFILE.tmp) to OUTFILE, then exits 0 or, with "stay", sleeps; with
 * "notify" it sends READY=1 to $NOTIFY_SOCKET first:
 *   inherit-report OUTFILE [stay|notify]
 * or, as a careless parent, executes PROGRAM with SIGUSR2 and SIGTERM
 * blocked and SIGHUP, SIGPIPE and signals 32 and 33 (glibc's own, which
 * its sigaction refuses to touch: make's children have them ignored)
 * ignored, through the raw system call:
 *   inherit-report --exec-careless PROGRAM [ARG...]
 * fds      the open descriptors, read before this program opens any, as
 *          N:TARGET separated by spaces (0, 1, 2 included)
 * sigblk, sigign  the blocked and ignored signal sets (hex, /proc)
 * pgid_is_pid, sid_is_pid  yes/no
 * tty      the controlling terminal's device number (0: none)
 * pdeathsig   PR_GET_PDEATHSIG
 * oom_score_adj, umask, cwd
 * env      every variable's name, sorted by the caller if it wants
 * Not linked with a sanitizer runtime: it runs under svd's seccomp filter. */
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static char fds[8192];

/* Without opendir (which opens a descriptor of its own): the links of
 * /proc/self/fd/N for N below 1024, each an lstat and a readlink. */
static void list_fds(void)
{
        size_t len = 0;
        char path[64], target[512];

        for (int n = 0; n < 1024 && len + 600 < sizeof(fds); n++) {
                snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
                ssize_t l = readlink(path, target, sizeof(target) - 1);
                if (l < 0)
                        continue;
                target[l] = 0;
                len += (size_t)snprintf(fds + len, sizeof(fds) - len, "%s%d:%s", len ? " " : "", n, target);
        }
}

static void status_line(FILE *out, const char *key, const char *name)
{
        char line[256];
        FILE *f = fopen("/proc/self/status", "re");
        size_t kl = strlen(key);

        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
                        char *v = line + kl + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = 0;
                        fprintf(out, "%s=%s\n", name, v);
                }
        if (f)
                fclose(f);
}

/* rt_sigaction(sig, SIG_IGN): the kernel's struct starts with the handler
 * (x86-64, arm64); flags, restorer and mask stay 0 */
static int ignore(int sig)
{
        unsigned long ksa[4] = { (unsigned long)SIG_IGN, 0, 0, 0 };

        return (int)syscall(SYS_rt_sigaction, sig, ksa, NULL, (NSIG - 1) / 8);
}

static int careless(char **argv)
{
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        sigaddset(&set, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || ignore(SIGHUP) < 0 || ignore(SIGPIPE) < 0 ||
            ignore(32) < 0 || ignore(33) < 0)
                return 1;
        execv(argv[0], argv);
        return 127;
}

int main(int argc, char **argv)
{
        if (argc > 2 && strcmp(argv[1], "--exec-careless") == 0)
                return careless(argv + 2);
        list_fds();
        if (argc < 2)
                return 2;
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
        FILE *out = fopen(tmp, "we");
        if (!out)
                return 1;
        fprintf(out, "fds=%s\n", fds);
        status_line(out, "SigBlk", "sigblk");
        status_line(out, "SigIgn", "sigign");
        fprintf(out, "pgid_is_pid=%s\n", getpgid(0) == getpid() ? "yes" : "no");
        fprintf(out, "sid_is_pid=%s\n", getsid(0) == getpid() ? "yes" : "no");
        /* field 7 of /proc/self/stat, after the command's ')' */
        char st[1024];
        int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, st, sizeof(st) - 1);
        if (fd >= 0)
                close(fd);
        int tty = -1;
        if (n > 0) {
                st[n] = 0;
                char *p = strrchr(st, ')');
                if (p)
                        sscanf(p + 1, " %*c %*d %*d %*d %d", &tty);
        }
        fprintf(out, "tty=%d\n", tty);
        int sig = -1;
        prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
        fprintf(out, "pdeathsig=%d\n", sig);
        FILE *f = fopen("/proc/self/oom_score_adj", "re");
        int adj = 0;
        if (!f || fscanf(f, "%d", &adj) != 1)
                adj = -9999;
        if (f)
                fclose(f);
        fprintf(out, "oom_score_adj=%d\n", adj);
        mode_t um = umask(0);
        umask(um);
        fprintf(out, "umask=%04o\n", (unsigned)um);
        char cwd[4096];
        fprintf(out, "cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
        fprintf(out, "env=");
        for (char **e = environ; *e; e++)
                fprintf(out, "%s%.*s", e == environ ? "" : " ", (int)strcspn(*e, "="), *e);
        fprintf(out, "\n");
        if (fclose(out) != 0 || rename(tmp, argv[1]) < 0)
                return 1;
        const char *ns = getenv("NOTIFY_SOCKET");
        if (argc > 2 && strcmp(argv[2], "notify") == 0 && ns && strlen(ns) < sizeof(((struct sockaddr_un *)0)->sun_path)) {
                struct sockaddr_un sa = {.sun_family = AF_UNIX};
                memcpy(sa.sun_path, ns, strlen(ns));
                if (sa.sun_path[0] == '@')
                        sa.sun_path[0] = 0;
                int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (s < 0 || sendto(s, "READY=1", 7, 0, (struct sockaddr *)&sa,
                                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(ns))) < 0)
                        return 1;
                close(s);
        }
        if (argc > 2 && (strcmp(argv[2], "stay") == 0 || strcmp(argv[2], "notify") == 0))
                for (;;)
                        pause();
        return 0;
}
