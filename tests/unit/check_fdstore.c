/* fdstore, svd's side, against a stand-in store on a real SOCK_SEQPACKET
 * socket (a forked child playing svd-fdstore): the pipes a killed svd left
 * are fetched, and those nobody claims are closed and dropped, also when the
 * store goes away in the middle of that. */
#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdstore.h"
#include "svd.h"
#include "util.h"

static char dir[] = "/tmp/check_fdstore.XXXXXX";

static size_t open_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        size_t n = 0;
        ck_assert_ptr_nonnull(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void send_entry(int s, const char *text)
{
        int p[2], q[2], fds[4];
        ck_assert_int_eq(pipe(p), 0);
        ck_assert_int_eq(pipe(q), 0);
        fds[0] = p[0], fds[1] = p[1], fds[2] = q[0], fds[3] = q[1];
        union {
                char buf[CMSG_SPACE(sizeof(fds))];
                struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                              .msg_controllen = sizeof(ctl.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(fds));
        memcpy(CMSG_DATA(c), fds, sizeof(fds));
        ck_assert_int_eq(sendmsg(s, &msg, MSG_NOSIGNAL), (ssize_t)strlen(text));
        for (int i = 0; i < 4; i++)
                close(fds[i]);
}

/* A store holding `names`: answers "L", then (stay) reads on until svd
 * hangs up and exits with how many of them it dropped ("D name"), or
 * (!stay) hangs up at once. */
static pid_t fake_store(const char *const *names, bool stay)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
        ck_assert_int_ge(l, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/fdstore.sock", dir);
        unlink(sa.sun_path);
        ck_assert_int_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(l, 1), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                char buf[128];
                int s = accept(l, NULL, NULL);
                if (s < 0 || recv(s, buf, sizeof(buf), 0) != 1 || buf[0] != 'L')
                        _exit(2);
                for (size_t i = 0; names[i]; i++) {
                        snprintf(buf, sizeof(buf), "E %s", names[i]);
                        send_entry(s, buf);
                }
                send(s, ".", 1, MSG_NOSIGNAL);
                if (!stay)
                        _exit(0);
                size_t dropped = 0;
                ssize_t n;
                while ((n = recv(s, buf, sizeof(buf) - 1, 0)) > 0) {
                        buf[n] = 0;
                        for (size_t i = 0; names[i]; i++)
                                if (buf[0] == 'D' && strcmp(buf + 2, names[i]) == 0)
                                        dropped++;
                }
                _exit((int)dropped);
        }
        close(l);
        return pid;
}

static void setup(void)
{
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
        char p[sizeof(dir) + 32];
        snprintf(p, sizeof(p), "%s/fdstore.sock", dir);
        unlink(p);
        rmdir(dir);
}

static int wait_exit(pid_t pid)
{
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert(WIFEXITED(st));
        return WEXITSTATUS(st);
}

START_TEST(test_unclaimed_dropped)
{
        static const char *const names[] = { "a", "b", NULL };
        struct svd_config cfg = { .run_dir = dir };
        struct svd m = { .cfg = &cfg, .adopting = true, .devnull_fd = -1 };
        size_t before = open_fds();
        pid_t pid = fake_store(names, true);
        int fds[4];

        fdstore_open(&m);
        ck_assert_ptr_nonnull(m.fdstore);
        ck_assert(fdstore_take(&m, "b", fds));
        for (int i = 0; i < 4; i++)
                close(fds[i]);
        ck_assert(!fdstore_take(&m, "b", fds));
        fdstore_forget_unclaimed(&m); /* "a" */
        ck_assert(!fdstore_take(&m, "a", fds));
        fdstore_close(&m, false);
        ck_assert_int_eq(wait_exit(pid), 1); /* "a" dropped; "b" taken, still stored */
        ck_assert_uint_eq(open_fds(), before);
}
END_TEST

/* The store gone while svd drops what nobody claimed: the first "D" fails
 * and closes the connection, with the rest of the list. */
START_TEST(test_unclaimed_store_gone)
{
        static const char *const names[] = { "a", NULL };
        struct svd_config cfg = { .run_dir = dir };
        struct svd m = { .cfg = &cfg, .adopting = true, .devnull_fd = -1 };
        size_t before = open_fds();
        pid_t pid = fake_store(names, false);

        fdstore_open(&m);
        ck_assert_ptr_nonnull(m.fdstore);
        ck_assert_int_eq(wait_exit(pid), 0); /* hung up */
        fdstore_forget_unclaimed(&m);
        ck_assert_ptr_null(m.fdstore);
        ck_assert_uint_eq(open_fds(), before);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("fdstore");
        TCase *tc = tcase_create("fdstore");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_unclaimed_dropped);
        tcase_add_test(tc, test_unclaimed_store_gone);
        suite_add_tcase(s, tc);
        return check_run(s);
}
