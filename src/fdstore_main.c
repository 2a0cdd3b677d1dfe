/* svd-fdstore: keeps the services' log pipes open while svd is not there.
 *
 * svd hands it both ends of each service's stdout and stderr pipes as soon
 * as they exist. If svd dies (kill -9, a crash), the pipes keep a reader, so
 * services never get SIGPIPE: their output waits in the pipe (and writers
 * block once it is full) until the next svd connects, takes the pipes back
 * and reads on. Deliberately tiny (libc only, no allocation after start, no
 * parsing beyond a tag and a name) so that it has nothing to crash on.
 *
 * Usage: svd-fdstore SOCKET   (started by svd; one connection at a time)
 * Messages (SOCK_SEQPACKET, one per packet, fds by SCM_RIGHTS):
 *   "S name" + 4 fds   store (out read, out write, err read, err write)
 *   "D name"           drop and close
 *   "L"                list: one "E name" + 4 fds per entry, then "."
 *   "Q"                quit (svd stops for good)
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_ENTRIES 4096
#define NAME_MAX_LEN 64
#define NFD 4

struct entry {
        char name[NAME_MAX_LEN + 1];
        int fd[NFD];
};

static struct entry entries[MAX_ENTRIES];
static size_t n_entries;
static const char *sock_path;

static struct entry *find(const char *name)
{
        for (size_t i = 0; i < n_entries; i++)
                if (strcmp(entries[i].name, name) == 0)
                        return &entries[i];
        return NULL;
}

static void drop(const char *name)
{
        struct entry *e = find(name);
        if (!e)
                return;
        for (int i = 0; i < NFD; i++)
                close(e->fd[i]);
        *e = entries[--n_entries];
}

/* One packet: its text (NUL-terminated) and up to NFD fds (-1 if absent). */
static ssize_t recv_msg(int s, char *buf, size_t len, int fds[NFD])
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * NFD)];
                struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                              .msg_controllen = sizeof(ctl.buf) };
        for (int i = 0; i < NFD; i++)
                fds[i] = -1;
        ssize_t n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
        if (n <= 0)
                return n;
        buf[n] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        int *p = (int *)CMSG_DATA(c);
                        for (size_t i = 0; i < k; i++) {
                                if (i < NFD)
                                        fds[i] = p[i];
                                else
                                        close(p[i]);
                        }
                }
        if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
                return -1;
        return n;
}

static int send_entry(int s, const struct entry *e)
{
        char text[NAME_MAX_LEN + 3];
        union {
                char buf[CMSG_SPACE(sizeof(int) * NFD)];
                struct cmsghdr align;
        } ctl;
        int len = snprintf(text, sizeof(text), "E %s", e->name);
        struct iovec iov = { .iov_base = text, .iov_len = (size_t)len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                              .msg_controllen = sizeof(ctl.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * NFD);
        memcpy(CMSG_DATA(c), e->fd, sizeof(int) * NFD);
        return sendmsg(s, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void serve(int s)
{
        char buf[256];
        int fds[NFD];
        ssize_t n;
        while ((n = recv_msg(s, buf, sizeof(buf), fds)) > 0) {
                bool complete = fds[NFD - 1] >= 0;
                if (buf[0] == 'S' && buf[1] == ' ' && buf[2] && strlen(buf + 2) <= NAME_MAX_LEN && complete) {
                        drop(buf + 2);
                        if (n_entries < MAX_ENTRIES) {
                                struct entry *e = &entries[n_entries++];
                                strcpy(e->name, buf + 2);
                                memcpy(e->fd, fds, sizeof(fds));
                                continue;
                        }
                        fprintf(stderr, "svd-fdstore: full (%d services); not keeping %s\n", MAX_ENTRIES, buf + 2);
                } else if (buf[0] == 'D' && buf[1] == ' ') {
                        drop(buf + 2);
                } else if (buf[0] == 'L') {
                        for (size_t i = 0; i < n_entries; i++)
                                if (send_entry(s, &entries[i]) < 0)
                                        break;
                        send(s, ".", 1, MSG_NOSIGNAL);
                } else if (buf[0] == 'Q') {
                        (void)unlink(sock_path);
                        exit(0);
                }
                for (int i = 0; i < NFD; i++)
                        if (fds[i] >= 0)
                                close(fds[i]);
        }
}

int main(int argc, char **argv)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "usage: svd-fdstore SOCKET (started by svd)\n");
                return 2;
        }
        strcpy(sa.sun_path, argv[1]);
        sock_path = argv[1];
        /* svd's terminal or process group going away must not take the pipes with it */
        setsid();
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (l < 0)
                return 1;
        (void)unlink(sa.sun_path);
        mode_t old = umask(077); /* root (svd) only */
        int r = bind(l, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0 || listen(l, 4) < 0) {
                fprintf(stderr, "svd-fdstore: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        /* ready: svd waits for this byte on stdout before connecting */
        if (write(STDOUT_FILENO, "R", 1) != 1)
                return 1;
        close(STDOUT_FILENO);
        for (;;) {
                int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
                if (s < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        return 1;
                }
                struct ucred cr;
                socklen_t cl = sizeof(cr);
                if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0 && cr.uid == geteuid())
                        serve(s);
                close(s);
        }
}
