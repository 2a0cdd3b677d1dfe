/* inherit-report: run as an svd service, check or job; reports what the
 * process inherited at exec as KEY=VALUE lines written (atomically, through
 * OUTFILE.tmp) to OUTFILE, then exits 0 or, with "stay", sleeps:
 *   inherit-report OUTFILE [stay]
 * fds      the open descriptors, read before this program opens any, as
 *          N:TARGET separated by spaces (0, 1, 2 included)
 * sigblk, sigign  the blocked and ignored signal sets (hex, /proc)
 * pgid_is_pid, sid_is_pid  yes/no
 * tty      the controlling terminal's device number (0: none)
 * pdeathsig   PR_GET_PDEATHSIG
 * oom_score_adj, umask, cwd
 * env      every variable's name, sorted by the caller if it wants
 * Not linked with a sanitizer runtime: it runs under svd's seccomp filter. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

int main(int argc, char **argv)
{
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
        if (argc > 2 && strcmp(argv[2], "stay") == 0)
                for (;;)
                        pause();
        return 0;
}
