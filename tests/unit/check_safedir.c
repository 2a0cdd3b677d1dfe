/* check_safedir: the directory walk and the checked opens of safedir.c, on
 * real directories: what is followed where only root could have put it, and
 * what is refused where another user can write (symbolic links, in the path
 * and as the file; hard links; FIFOs), with the targets left untouched. The
 * "another user" cases need root (a directory given to nobody) and are
 * skipped otherwise. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safedir.h"

static char base[64];

static void setup(void) {
        snprintf(base, sizeof(base), "/tmp/check_safedir.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(base));
        ck_assert_int_eq(chmod(base, 0755), 0);
}

static void teardown(void) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        ck_assert_int_eq(system(cmd), 0);
}

static char *at(const char *rel) {
        static char bufs[4][PATH_MAX];
        static int i;
        char *b = bufs[i++ % 4];
        snprintf(b, PATH_MAX, "%s/%s", base, rel);
        return b;
}

static void put(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void assert_content(const char *path, const char *text) {
        char b[256] = {0};
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        size_t n = fread(b, 1, sizeof(b) - 1, f);
        fclose(f);
        b[n] = 0;
        ck_assert_str_eq(b, text);
}

/* A directory of nobody's, inside base; false (test skipped) if not root. */
static bool foreign_dir(const char *rel) {
        ck_assert_int_eq(mkdir(at(rel), 0755), 0);
        if (geteuid() != 0)
                return false;
        ck_assert_int_eq(chown(at(rel), 65534, 65534), 0);
        return true;
}

START_TEST(test_trusted_follows_admin_links)
{
        ck_assert_int_eq(mkdir(at("real"), 0755), 0);
        ck_assert_int_eq(symlink("real", at("link")), 0);
        put(at("real/target"), "kept");
        ck_assert_int_eq(symlink("target", at("real/name")), 0);
        struct safedir d = SAFEDIR_NONE;
        ck_assert_int_eq(safedir_open(at("link"), false, 0755, &d), 0);
        ck_assert_int_ge(d.fd, 0);
        ck_assert(!d.exposed);
        bool linked = false;
        int fd = safedir_open_file(&d, "name", O_WRONLY | O_APPEND, 0640, &linked);
        ck_assert_int_ge(fd, 0);
        ck_assert(linked);
        close(fd);
        fd = safedir_open_file(&d, "fresh", O_WRONLY | O_APPEND | O_CREAT, 0640, &linked);
        ck_assert_int_ge(fd, 0);
        ck_assert(!linked);
        close(fd);
        safedir_close(&d);
        ck_assert_int_eq(d.fd, -1);
}
END_TEST

START_TEST(test_create_and_relative)
{
        struct safedir d = SAFEDIR_NONE;
        ck_assert_int_eq(safedir_open(at("a/b/c"), false, 0755, &d), -ENOENT);
        ck_assert_int_eq(safedir_open(at("a/./b//c/"), true, 0750, &d), 0);
        ck_assert_int_eq(fcntl(d.fd, F_GETFL) & O_PATH, 0); /* readable: fdopendir works */
        safedir_close(&d);
        struct stat st;
        ck_assert_int_eq(stat(at("a/b/c"), &st), 0);
        ck_assert(S_ISDIR(st.st_mode));
        ck_assert_int_eq(st.st_mode & 0777, 0750);
        char cwd[PATH_MAX];
        ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
        ck_assert_int_eq(chdir(at("a")), 0);
        ck_assert_int_eq(safedir_open("b/../b/c", false, 0755, &d), 0);
        safedir_close(&d);
        const char *name = NULL;
        ck_assert_int_eq(safedir_open_parent("b/c/file", false, 0755, &d, &name), 0);
        ck_assert_str_eq(name, "file");
        safedir_close(&d);
        ck_assert_int_eq(chdir(cwd), 0);
        put(at("plain"), "x");
        ck_assert_int_eq(safedir_open(at("plain/x"), true, 0755, &d), -ENOTDIR);
}
END_TEST

START_TEST(test_group_writable_is_exposed)
{
        ck_assert_int_eq(mkdir(at("g"), 0775), 0);
        ck_assert_int_eq(chmod(at("g"), 0775), 0);
        put(at("secret"), "kept");
        ck_assert_int_eq(symlink(at("secret"), at("g/app.log")), 0);
        struct safedir d = SAFEDIR_NONE;
        ck_assert_int_eq(safedir_open(at("g"), false, 0755, &d), 0);
        ck_assert(d.exposed);
        ck_assert_int_eq(safedir_open_file(&d, "app.log", O_WRONLY | O_APPEND | O_CREAT, 0640, NULL), -ENOLINK);
        safedir_close(&d);
        assert_content(at("secret"), "kept");
        /* sticky: its root-owned children cannot be replaced, it can */
        ck_assert_int_eq(mkdir(at("t"), 0755), 0);
        ck_assert_int_eq(chmod(at("t"), 01777), 0);
        ck_assert_int_eq(mkdir(at("t/sub"), 0755), 0);
        ck_assert_int_eq(safedir_open(at("t"), false, 0755, &d), 0);
        ck_assert(d.exposed);
        safedir_close(&d);
        ck_assert_int_eq(safedir_open(at("t/sub"), false, 0755, &d), 0);
        ck_assert(geteuid() != 0 || !d.exposed);
        safedir_close(&d);
}
END_TEST

START_TEST(test_foreign_refusals)
{
        if (!foreign_dir("u"))
                return;
        put(at("secret"), "kept");
        ck_assert_int_eq(symlink(at("secret"), at("u/sym")), 0);
        ck_assert_int_eq(link(at("secret"), at("u/hard")), 0);
        ck_assert_int_eq(mkfifo(at("u/fifo"), 0644), 0);
        put(at("u/ok"), "");
        struct safedir d = SAFEDIR_NONE;
        ck_assert_int_eq(safedir_open(at("u"), false, 0755, &d), 0);
        ck_assert(d.exposed);
        const int fl = O_WRONLY | O_APPEND | O_CREAT;
        ck_assert_int_eq(safedir_open_file(&d, "sym", fl, 0640, NULL), -ENOLINK);
        ck_assert_int_eq(safedir_open_file(&d, "hard", fl, 0640, NULL), -EMLINK);
        ck_assert_int_eq(safedir_open_file(&d, "fifo", fl, 0640, NULL), -EBADFD); /* (does not wait) */
        int fd = safedir_open_file(&d, "ok", fl, 0640, NULL);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
        close(fd);
        /* temporary files: a planted link is removed, never followed */
        ck_assert_int_eq(symlink(at("secret"), at("u/x.tmp")), 0);
        fd = safedir_create_tmp(&d, "x.tmp", 0640);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "new", 3), 3);
        close(fd);
        assert_content(at("u/x.tmp"), "new");
        ck_assert_int_eq(safedir_remove(&d, "hard"), 0);
        ck_assert_int_eq(safedir_remove(&d, "fifo"), -EBADFD);
        ck_assert_int_eq(safedir_remove(&d, "gone"), 0);
        safedir_close(&d);
        assert_content(at("secret"), "kept");
        ck_assert_int_eq(access(at("u/fifo"), F_OK), 0);
        ck_assert_str_ne(safedir_strerror(-ENOLINK), strerror(ENOLINK));
        ck_assert_str_eq(safedir_strerror(-ELOOP), strerror(ELOOP)); /* (a loop is not a refusal) */
}
END_TEST

START_TEST(test_links_in_the_path)
{
        if (!foreign_dir("u"))
                return;
        /* a link the user made, in the user's directory: not followed */
        ck_assert_int_eq(mkdir(at("etc"), 0755), 0);
        ck_assert_int_eq(symlink(at("etc"), at("u/logs")), 0);
        struct safedir d = SAFEDIR_NONE;
        ck_assert_int_eq(safedir_open(at("u/logs"), true, 0755, &d), -ENOLINK);
        ck_assert_int_eq(safedir_open(at("u/logs/deeper"), true, 0755, &d), -ENOLINK);
        /* below a user's directory everything is exposed, root-owned or not */
        ck_assert_int_eq(mkdir(at("u/rootsub"), 0755), 0);
        ck_assert_int_eq(safedir_open(at("u/rootsub"), false, 0755, &d), 0);
        ck_assert(d.exposed);
        safedir_close(&d);
        /* a root link into the user's directory leads to an exposed one */
        ck_assert_int_eq(symlink("u/rootsub", at("viaroot")), 0);
        ck_assert_int_eq(safedir_open(at("viaroot"), false, 0755, &d), 0);
        ck_assert(d.exposed);
        safedir_close(&d);
        /* a link loop ends */
        ck_assert_int_eq(symlink("loop2", at("loop1")), 0);
        ck_assert_int_eq(symlink("loop1", at("loop2")), 0);
        ck_assert_int_eq(safedir_open(at("loop1"), false, 0755, &d), -ELOOP);
}
END_TEST

int main(void) {
        Suite *s = suite_create("safedir");
        TCase *tc = tcase_create("safedir");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_trusted_follows_admin_links);
        tcase_add_test(tc, test_create_and_relative);
        tcase_add_test(tc, test_group_writable_is_exposed);
        tcase_add_test(tc, test_foreign_refusals);
        tcase_add_test(tc, test_links_in_the_path);
        suite_add_tcase(s, tc);
        return check_run(s);
}
