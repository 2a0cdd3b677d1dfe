/* check_probe_hosts: svd-probe's /etc/hosts answers (probe_hosts.h), read
 * from a file of the test's: comments, aliases, case, both families, a
 * name on several lines, lines that are not entries, and a change of the
 * file read again at the next lookup, also a same-size one within one
 * timestamp tick. */
#include <check.h>

#include "check_run.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_hosts.h"

static char path[] = "/tmp/check_probe_hosts.XXXXXX";

static void write_hosts(const char *text)
{
        FILE *f = fopen(path, "w"); /* in place: same inode, new size */
        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(fputs(text, f), 0);
        ck_assert_int_eq(fclose(f), 0);
}

static const char *addr_str(const struct probe_addr *a, char *buf)
{
        const void *ip = a->u.sa.sa_family == AF_INET6 ? (const void *)&a->u.in6.sin6_addr
                                                       : (const void *)&a->u.in.sin_addr;
        ck_assert_ptr_nonnull(inet_ntop(a->u.sa.sa_family, ip, buf, INET6_ADDRSTRLEN));
        return buf;
}

START_TEST(test_find)
{
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        close(fd);
        write_hosts("# 10.0.0.9 commented\n"
                    "127.0.0.1\tlocalhost\n"
                    "::1 localhost ip6-localhost\r\n"
                    "not-an-address db\n"
                    "10.1.2.3   DB.Example db # the database 10.0.0.8 hidden\n"
                    "10.1.2.3 db\n"
                    "\n"
                    "10.1.2.4 db");
        struct probe_hosts h = { .path = path };
        struct probe_addrs a;
        char buf[INET6_ADDRSTRLEN];

        ck_assert(probe_hosts_find(&h, "localhost", &a));
        ck_assert_uint_eq(a.n, 2);
        ck_assert_str_eq(addr_str(&a.a[0], buf), "127.0.0.1");
        ck_assert_uint_eq(a.a[0].len, sizeof(struct sockaddr_in));
        ck_assert_str_eq(addr_str(&a.a[1], buf), "::1");
        ck_assert_uint_eq(a.a[1].len, sizeof(struct sockaddr_in6));
        ck_assert(probe_hosts_find(&h, "ip6-localhost", &a));
        ck_assert_uint_eq(a.n, 1);
        /* any case; a repeated address once; the last line without \n */
        ck_assert(probe_hosts_find(&h, "db", &a));
        ck_assert_uint_eq(a.n, 2);
        ck_assert_str_eq(addr_str(&a.a[0], buf), "10.1.2.3");
        ck_assert_str_eq(addr_str(&a.a[1], buf), "10.1.2.4");
        ck_assert(probe_hosts_find(&h, "db.example", &a));
        ck_assert_uint_eq(a.n, 1);
        ck_assert(!probe_hosts_find(&h, "commented", &a));
        ck_assert(!probe_hosts_find(&h, "hidden", &a));
        ck_assert(!probe_hosts_find(&h, "d", &a));
        ck_assert(!probe_hosts_find(&h, "the", &a));

        /* changed: read again */
        write_hosts("10.9.9.9 late\n");
        ck_assert(probe_hosts_find(&h, "late", &a));
        ck_assert_str_eq(addr_str(&a.a[0], buf), "10.9.9.9");
        ck_assert(!probe_hosts_find(&h, "localhost", &a));
        /* changed again at the same size, and within the same timestamp
         * tick (the mtime put back as the tick would keep it): read again */
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        write_hosts("10.9.9.8 late\n");
        struct timespec times[2] = { st.st_atim, st.st_mtim };
        ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
        ck_assert(probe_hosts_find(&h, "late", &a));
        ck_assert_str_eq(addr_str(&a.a[0], buf), "10.9.9.8");
        /* an old file is trusted by its stat: a same-size edit that keeps
         * an mtime far in the past is not seen (what a racy read rules out) */
        times[1].tv_sec -= 3600;
        ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
        ck_assert(probe_hosts_find(&h, "late", &a));
        write_hosts("10.9.9.7 late\n");
        ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
        ck_assert(probe_hosts_find(&h, "late", &a));
        ck_assert_str_eq(addr_str(&a.a[0], buf), "10.9.9.8");
        /* gone: nothing answered */
        ck_assert_int_eq(unlink(path), 0);
        ck_assert(!probe_hosts_find(&h, "late", &a));
        probe_hosts_free(&h);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("probe_hosts");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_find);
        suite_add_tcase(s, tc);
        return check_run(s);
}
