/* logcompress: compression of rotated log files. Compression runs in
 * `gzip -c` children writing NAME.gz.tmp, renamed over only when gzip
 * succeeded, so a half-written archive never replaces a good file and the loop
 * never waits for zlib. At most LOGS_MAX_GZIP run at once; the rest wait in
 * a queue, oldest first. A compression that fails is warned about with its
 * cause once per episode and directory (gz_failed): a full disk fails every
 * rotation's, and one line says it. Queued by logrotate.c. The files are
 * reached through their directory's fd (safedir.h): where a service user can
 * write the directory, a link planted as the file to compress is refused
 * (else root would copy what it points at into an archive the user can
 * read), and NAME.gz.tmp is created anew (O_EXCL), never opened through
 * what is already there. When svd stops, a compression under way is waited
 * for, boundedly (jobs_finish). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "logsink.h"
#include "safedir.h"
#include "spawn.h"
#include "svd.h"

struct gzjob {
        struct gzjob *next;
        char *src, *tmp, *dst;
        pid_t pid;      /* 0 while queued */
        int errfd;      /* the read end of gzip's stderr (its message on failure); -1: none */
        bool cancelled; /* src was deleted by retention while gzip ran */
};

/* A directory whose compressions fail, and why (the cause without a file
 * name, to tell a new cause from the same one again). */
struct gzfail {
        struct gzfail *next;
        char *dir, *cause;
};

static void job_free(struct gzjob *j) {
        if (j->errfd >= 0)
                close(j->errfd);
        free(j->src);
        free(j->tmp);
        free(j->dst);
        free(j);
}

static void jobs_finish(struct logs *L);

void logcompress_done(struct logs *L) {
        jobs_finish(L);
        while (L->gz_failing) {
                struct gzfail *f = L->gz_failing;
                L->gz_failing = f->next;
                free(f->dir);
                free(f->cause);
                free(f);
        }
}

static void jobs_run(struct logs *L);

static struct gzfail **gz_find(struct logs *L, const char *dir, size_t dl) {
        struct gzfail **pp = &L->gz_failing;
        while (*pp && !(strncmp((*pp)->dir, dir, dl) == 0 && (*pp)->dir[dl] == 0))
                pp = &(*pp)->next;
        return pp;
}

static size_t dir_len(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? (size_t)(s - path) : 0;
}

/* A compression of file failed for cause (no file name in it): warned about
 * (msg) unless its directory's compressions already fail for that cause; the
 * episode ends at the next one there that succeeds. */
static void gz_failed(struct logs *L, const char *file, const char *cause, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void gz_failed(struct logs *L, const char *file, const char *cause, const char *fmt, ...) {
        size_t dl = dir_len(file);
        struct gzfail **pp = gz_find(L, file, dl), *f = *pp;
        char msg[PATH_MAX + 512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (f && strcmp(f->cause, cause) == 0) {
                log_debug("logs: %s; kept uncompressed (as before)", msg);
                return;
        }
        log_warn("logs: %s; kept uncompressed (not said again while compressions in %.*s fail this way)", msg,
                 (int)dl, file);
        char *c = strdup(cause), *d = f ? NULL : strndup(file, dl);
        if (!c || (!f && (!d || !(f = calloc(1, sizeof(*f)))))) {
                free(c);
                free(d);
                return; /* out of memory: the next failure is warned about again */
        }
        if (d) {
                f->dir = d;
                *pp = f;
        }
        free(f->cause);
        f->cause = c;
}

static void gz_succeeded(struct logs *L, const char *file) {
        size_t dl = dir_len(file);
        struct gzfail **pp = gz_find(L, file, dl), *f = *pp;
        if (!f)
                return;
        log_info("logs: compression in %s works again (%s)", f->dir, file);
        *pp = f->next;
        free(f->dir);
        free(f->cause);
        free(f);
}

static const char *base_of(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static void job_start(struct logs *L, struct gzjob *j) {
        struct svd *m = L->m;
        char cause[64];
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *src_name;
        int in = safedir_open_parent(j->src, false, 0755, &d, &src_name);
        if (in >= 0)
                in = safedir_open_file(&d, src_name, O_RDONLY, 0, NULL);
        if (in < 0) {
                if (in != -ENOENT) { /* (gone: nothing to compress) */
                        snprintf(cause, sizeof(cause), "read:%d", -in);
                        gz_failed(L, j->src, cause, "cannot read %s to compress it: %s", j->src,
                                  safedir_strerror(in));
                }
                return;
        }
        int out = safedir_create_tmp(&d, base_of(j->tmp), 0640); /* a stale one removed first */
        if (out < 0) {
                snprintf(cause, sizeof(cause), "create:%d", -out);
                gz_failed(L, j->src, cause, "cannot create %s: %s", j->tmp, safedir_strerror(out));
                close(in);
                return;
        }
        /* gzip's message says why it failed (a full disk: "gzip: stdout: No
         * space left on device"); read once it has exited. Non-blocking at
         * both ends: a gzip that said more than the pipe holds loses the
         * rest instead of waiting for a reader. */
        int ep[2] = {-1, -1};
        if (pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0)
                ep[0] = ep[1] = -1;
        if (geteuid() == 0 && m->cfg->has_admin_gid)
                (void)fchown(out, (uid_t)-1, m->cfg->admin_gid);
        static char *gzip_path;
        if (!gzip_path)
                gzip_path = spawn_find_executable("gzip", "/usr/local/bin:/usr/bin:/bin");
        /* The archive's data is on disk before svd renames it over and
         * deletes the plain file: else a power cut could leave an empty .gz
         * and no log. The child syncs it (an fsync could stall the loop):
         * sync FILE (coreutils, busybox >= 1.29) syncs that file only; a
         * sync that takes no file falls back to syncing everything. */
        char *argv[] = {"sh", "-c", "\"$0\" -c -6 && { sync /dev/stdout 2>/dev/null || sync; }",
                        gzip_path ? gzip_path : "/bin/gzip", NULL};
        char *envp[] = {"PATH=/usr/bin:/bin", NULL};
        struct spawn_req req = {
                .path = "/bin/sh",
                .argv = argv,
                .envp = envp,
                .cwd = "/",
                .stdin_fd = in,
                .stdout_fd = out,
                .stderr_fd = ep[1] >= 0 ? ep[1] : m->devnull_fd,
                .extra_fd = -1,
                .cgroup_procs_fd = -1,
                .cgroup_fd = -1,
        };
        struct spawn_error se = {0};
        pid_t pid = 0;
        int r = spawn_start(&req, &pid, &se);
        close(in);
        close(out);
        if (ep[1] >= 0)
                close(ep[1]);
        if (r < 0) {
                if (ep[0] >= 0)
                        close(ep[0]);
                snprintf(cause, sizeof(cause), "spawn:%d:%d", (int)se.stage, -r);
                gz_failed(L, j->src, cause, "cannot run gzip for %s: %s: %s", j->src, spawn_stage_name(se.stage),
                          strerror(-r));
                (void)unlinkat(d.fd, base_of(j->tmp), 0);
                return;
        }
        j->errfd = ep[0];
        j->pid = pid;
        L->running++;
}

static void jobs_run(struct logs *L) {
        for (struct gzjob **pp = &L->jobs; *pp && L->running < LOGS_MAX_GZIP;) {
                struct gzjob *j = *pp;
                if (j->pid) {
                        pp = &j->next;
                        continue;
                }
                job_start(L, j);
                if (!j->pid) { /* could not start: leave the file uncompressed */
                        *pp = j->next;
                        job_free(j);
                        continue;
                }
                pp = &j->next;
        }
}

void logcompress_queue(struct logs *L, const char *src) {
        struct gzjob *j = calloc(1, sizeof(*j));
        if (!j)
                return;
        j->errfd = -1;
        j->src = strdup(src);
        j->dst = strdup_printf("%s.gz", src);
        j->tmp = strdup_printf("%s.gz.tmp", src);
        if (!j->src || !j->dst || !j->tmp) {
                job_free(j);
                return;
        }
        struct gzjob **pp = &L->jobs;
        while (*pp)
                pp = &(*pp)->next;
        *pp = j;
        jobs_run(L);
}

/* The last line gzip wrote to stderr (its cause), else how it ended; into
 * buf, control bytes replaced. */
static void gzip_said(struct gzjob *j, int status, char *buf, size_t len) {
        char b[512];
        ssize_t n = j->errfd >= 0 ? read(j->errfd, b, sizeof(b) - 1) : -1;
        size_t e = n > 0 ? (size_t)n : 0, s;
        while (e && (b[e - 1] == '\n' || b[e - 1] == '\r'))
                e--;
        for (s = e; s && b[s - 1] != '\n';)
                s--;
        if (s == e) {
                svc_format_exit(status, buf, len);
                return;
        }
        for (size_t i = s; i < e; i++)
                if ((unsigned char)b[i] < 0x20 || b[i] == 0x7f)
                        b[i] = '?';
        snprintf(buf, len, "%.*s", (int)(e - s), b + s);
}

static void job_ended(struct logs *L, struct gzjob *j, int status) {
        char said[512], cause[600];
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *src_name, *tmp_name = base_of(j->tmp);
        int r = safedir_open_parent(j->src, false, 0755, &d, &src_name);
        if (j->cancelled) {
                if (r >= 0)
                        (void)unlinkat(d.fd, tmp_name, 0);
                return;
        }
        if (r < 0) { /* (its .tmp is removed at the next start) */
                snprintf(cause, sizeof(cause), "dir:%d", -r);
                gz_failed(L, j->src, cause, "compressing %s failed: %s", j->src, safedir_strerror(r));
                return;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                gzip_said(j, status, said, sizeof(said));
                snprintf(cause, sizeof(cause), "gzip:%s", said);
                gz_failed(L, j->src, cause, "compressing %s failed: %s", j->src, said);
                (void)unlinkat(d.fd, tmp_name, 0);
                return;
        }
        struct stat st;
        if (fstatat(d.fd, src_name, &st, AT_SYMLINK_NOFOLLOW) < 0) { /* deleted while gzip ran, not by retention */
                int e = errno;
                snprintf(cause, sizeof(cause), "gone:%d", e);
                gz_failed(L, j->src, cause, "compressing %s failed: %s", j->src, strerror(e));
                (void)unlinkat(d.fd, tmp_name, 0);
                return;
        }
        if (renameat(d.fd, tmp_name, d.fd, base_of(j->dst)) < 0) {
                int e = errno;
                snprintf(cause, sizeof(cause), "rename:%d", e);
                gz_failed(L, j->src, cause, "compressing %s failed: cannot rename %s to %s: %s", j->src, j->tmp,
                          j->dst, strerror(e));
                (void)unlinkat(d.fd, tmp_name, 0);
                return;
        }
        (void)unlinkat(d.fd, src_name, 0);
        gz_succeeded(L, j->src);
}

/* Reaps the running jobs that have ended (svd's loop no longer does),
 * finishing each as the loop would have. */
static void jobs_reap(struct logs *L) {
        for (struct gzjob **pp = &L->jobs; *pp;) {
                struct gzjob *j = *pp;
                int status;
                if (waitpid(j->pid, &status, WNOHANG) != j->pid) {
                        pp = &j->next;
                        continue;
                }
                *pp = j->next;
                L->running--;
                job_ended(L, j, status);
                job_free(j);
        }
}

static void nap_ms(long ms) {
        struct timespec t = {0, ms * 1000000L};
        nanosleep(&t, NULL);
}

/* svd stops (its loop has ended): a compression under way is waited for,
 * LOGS_GZIP_STOP_WAIT at most, and finished as usual, rather than left to
 * be killed with svd's other leftover children as one that outlived its
 * service (which kept the plain file and left a .gz.tmp). The wait is
 * bounded: as PID 1, a shutdown must not hang on a slow disk or a stuck
 * gzip. One still running then is killed, its process group with it (each
 * child has a session of its own), its .gz.tmp removed, and its file left
 * uncompressed for the next start, which compresses it: said so, naming
 * the file. Queued ones are not started; the next start does them too. */
static void jobs_finish(struct logs *L) {
        unsigned queued = 0;
        for (struct gzjob **pp = &L->jobs; *pp;) {
                struct gzjob *j = *pp;
                if (j->pid) {
                        pp = &j->next;
                        continue;
                }
                *pp = j->next;
                job_free(j);
                queued++;
        }
        if (queued)
                log_info("logs: %u rotated log%s left to compress at svd's next start", queued,
                         queued == 1 ? "" : "s");
        if (!L->jobs)
                return;
        const int secs = (int)(LOGS_GZIP_STOP_WAIT / USEC_PER_SEC);
        log_info("logs: waiting up to %ds for %u compression%s to finish", secs, L->running,
                 L->running == 1 ? " of a rotated log" : "s of rotated logs");
        usec_t end = now_mono() + LOGS_GZIP_STOP_WAIT;
        for (jobs_reap(L); L->jobs && now_mono() < end; jobs_reap(L))
                nap_ms(20);
        for (struct gzjob *j = L->jobs; j; j = j->next) {
                if (!j->cancelled) /* (else retention deleted its file: nothing stays) */
                        log_warn("logs: compressing %s did not finish within %ds of the stop; stopped it: the "
                                 "file stays uncompressed until svd's next start compresses it", j->src, secs);
                (void)kill(-j->pid, SIGKILL);
                j->cancelled = true; /* job_ended removes the .gz.tmp, nothing else */
        }
        /* SIGKILL acts at once, but for a process stuck in the kernel (a
         * dead NFS server): such a one is left to svd's leftover reaping */
        end = now_mono() + LOGS_GZIP_KILL_WAIT;
        for (jobs_reap(L); L->jobs && now_mono() < end; jobs_reap(L))
                nap_ms(10);
        while (L->jobs) {
                struct gzjob *j = L->jobs;
                L->jobs = j->next;
                job_ended(L, j, 0);
                job_free(j);
        }
        L->running = 0;
}

bool logs_child_exited(struct svd *m, pid_t pid, int status) {
        struct logs *L = m->logs;
        if (!L)
                return false;
        for (struct gzjob **pp = &L->jobs; *pp; pp = &(*pp)->next) {
                struct gzjob *j = *pp;
                if (j->pid != pid)
                        continue;
                *pp = j->next;
                L->running--;
                job_ended(L, j, status);
                job_free(j);
                jobs_run(L);
                return true;
        }
        return false;
}

/* Retention deletes src: drop its queued job, or tell the running gzip's
 * completion not to resurrect it. */
void logcompress_cancel(struct logs *L, const char *src) {
        for (struct gzjob **pp = &L->jobs; *pp;) {
                struct gzjob *j = *pp;
                if (strcmp(j->src, src) != 0) {
                        pp = &j->next;
                        continue;
                }
                if (j->pid) {
                        j->cancelled = true;
                        pp = &j->next;
                } else {
                        *pp = j->next;
                        job_free(j);
                }
        }
}

bool logcompress_pending(const struct logs *L, const char *src) {
        for (const struct gzjob *j = L->jobs; j; j = j->next)
                if (strcmp(j->src, src) == 0)
                        return true;
        return false;
}

bool logcompress_running(const struct logs *L, const char *src) {
        for (const struct gzjob *j = L->jobs; j; j = j->next)
                if (j->pid && strcmp(j->src, src) == 0)
                        return true;
        return false;
}

bool logcompress_running_at(const struct logs *L, size_t i, pid_t *ret_pid, const char **ret_src) {
        for (const struct gzjob *j = L->jobs; j; j = j->next)
                if (j->pid && i-- == 0) {
                        *ret_pid = j->pid;
                        *ret_src = j->src;
                        return true;
                }
        return false;
}

int logcompress_adopt(struct logs *L, pid_t pid, const char *src) {
        int status;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w < 0)
                return -errno; /* not a child (reaped in an emergency state): its file waits for the first look */
        struct gzjob *j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->errfd = -1; /* (its stderr pipe did not survive the exec: how it ended says why) */
        j->pid = pid;
        j->src = strdup(src);
        j->dst = strdup_printf("%s.gz", src);
        j->tmp = strdup_printf("%s.gz.tmp", src);
        if (!j->src || !j->dst || !j->tmp) {
                job_free(j);
                return -ENOMEM;
        }
        if (w == pid) { /* it ended while the new binary was being executed */
                job_ended(L, j, status);
                job_free(j);
                return 0;
        }
        struct gzjob **pp = &L->jobs;
        while (*pp)
                pp = &(*pp)->next;
        *pp = j;
        L->running++;
        return 0;
}
