/* statereserve: see statereserve.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <ev.h>

#include "init.h"
#include "log.h"
#include "statereserve.h"
#include "svd.h"

#define RESERVE_MIN ((off_t)64 << 10)
/* journal lines between two state writes (a line is under 200 bytes) */
#define RESERVE_JOURNAL ((off_t)16 << 10)
/* below this, a release gives back everything */
#define RESERVE_SMALL      ((off_t)16 << 10)
#define RESERVE_PAGE       ((off_t)4096)
#define RESERVE_RETRY_USEC USEC_PER_SEC
/* short of what it should be: tried again this often, even while no state
 * is written (an idle svd) */
#define RESERVE_REBUILD_SEC 10.

struct statereserve {
        int fd;
        off_t size;      /* allocated, as far as svd knows */
        off_t want;      /* what the last state write needs kept */
        usec_t next_try; /* growing it again: not before (CLOCK_MONOTONIC) */
        bool released;   /* given back since it was last whole (logged once) */
        char *path;
        struct ev_loop *loop;
        ev_timer rebuild; /* active while it is short */
};

/* What is allocated of the file: a hole (a file made longer by truncate)
 * is no reserve. */
static off_t allocated(int fd)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return 0;
        off_t blocks = (off_t)st.st_blocks * 512;
        return st.st_size < blocks ? st.st_size : blocks;
}

/* Zeros from r->size to want, where fallocate is not supported. */
static int fill_zeros(struct statereserve *r, off_t want)
{
        static const char zeros[16384];
        while (r->size < want) {
                size_t n =
                        (size_t)(want - r->size) < sizeof(zeros) ? (size_t)(want - r->size) : sizeof(zeros);
                ssize_t w = pwrite(r->fd, zeros, n, r->size);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -ENOSPC;
                r->size += w;
        }
        return 0;
}

/* Up to want, if the file system has twice the missing room free: 0 or -errno. */
static int grow(struct statereserve *r, off_t want)
{
        struct statvfs sv;
        off_t missing = want - r->size;
        if (missing <= 0)
                return 0;
        if (fstatvfs(r->fd, &sv) == 0 &&
            (unsigned long long)sv.f_bavail * sv.f_frsize < 2ULL * (unsigned long long)missing)
                return -ENOSPC;
        int e = fallocate(r->fd, 0, r->size, missing) < 0 ? errno : 0;
        if (!e) {
                r->size = want;
                return 0;
        }
        if (e == EOPNOTSUPP || e == ENOSYS) {
                int k = fill_zeros(r, want);
                if (k >= 0)
                        return 0;
                e = -k;
        }
        r->size = allocated(r->fd); /* what a failed attempt left */
        return -e;
}

/* Grown to r->want if it can be (at most one attempt per second): true
 * once whole. */
static bool rebuild(struct statereserve *r)
{
        usec_t now = now_mono();
        if (r->size >= r->want)
                return true;
        if (now < r->next_try)
                return false;
        r->next_try = now + RESERVE_RETRY_USEC;
        if (grow(r, r->want) < 0)
                return false;
        if (r->released)
                log_info("%s: %lld bytes set aside again", r->path, (long long)r->size);
        r->released = false;
        return true;
}

static void rebuild_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct statereserve *r = w->data;
        if (rebuild(r))
                ev_timer_stop(loop, w);
}

static void short_of(struct statereserve *r)
{
        if (!ev_is_active(&r->rebuild))
                ev_timer_again(r->loop, &r->rebuild);
}

void statereserve_open(struct svd *m)
{
        if (init_is_pid1() || m->reserve)
                return;
        struct statereserve *r = calloc(1, sizeof(*r));
        if (!r || !(r->path = path_join(m->cfg->run_dir, "state.reserve"))) {
                free(r);
                return;
        }
        r->want = RESERVE_MIN;
        r->fd = open(r->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (r->fd < 0) {
                log_warn("cannot open %s: %s (a full %s would keep svd from writing its state)", r->path,
                         strerror(errno), m->cfg->run_dir);
                free(r->path);
                free(r);
                return;
        }
        r->size = allocated(r->fd); /* a killed svd's: reused */
        r->loop = m->loop;
        ev_init(&r->rebuild, rebuild_cb);
        r->rebuild.repeat = RESERVE_REBUILD_SEC;
        r->rebuild.data = r;
        m->reserve = r;
        int k = grow(r, r->want);
        if (k < 0) {
                r->released = true; /* said now; "set aside again" once it is whole */
                r->next_try = now_mono() + RESERVE_RETRY_USEC;
                short_of(r);
                log_warn("%s: %lld of %lld bytes set aside (%s); tried again every 10 s", r->path,
                         (long long)r->size, (long long)r->want, strerror(-k));
        }
}

bool statereserve_release(struct svd *m, int err)
{
        struct statereserve *r = m->reserve;
        if (!r || (err != ENOSPC && err != EDQUOT) || r->size <= 0)
                return false;
        off_t was = r->size, keep = (r->size / 2) & ~(RESERVE_PAGE - 1);
        if (keep < RESERVE_SMALL)
                keep = 0;
        if (ftruncate(r->fd, keep) < 0) {
                r->size = allocated(r->fd);
                return r->size < was;
        }
        r->size = keep;
        r->next_try = now_mono() + RESERVE_RETRY_USEC;
        short_of(r);
        if (!r->released)
                log_warn("%s is full (%s): gave %lld of the %lld bytes of %s back to write svd's state; "
                         "it is set aside again once there is room",
                         m->cfg->run_dir, strerror(err), (long long)(was - keep), (long long)was, r->path);
        r->released = true;
        return true;
}

void statereserve_written(struct svd *m, size_t size)
{
        struct statereserve *r = m->reserve;
        if (!r)
                return;
        off_t want = (off_t)size * 2 + RESERVE_JOURNAL;
        want = want < RESERVE_MIN ? RESERVE_MIN : (want + RESERVE_PAGE - 1) & ~(RESERVE_PAGE - 1);
        if (want > r->want)
                r->want = want; /* (never shrunk: a state that grew once may grow again) */
        if (r->size < r->want && !rebuild(r))
                short_of(r); /* (a state write never fails for it) */
}

void statereserve_close(struct svd *m, bool remove)
{
        struct statereserve *r = m->reserve;
        if (!r)
                return;
        m->reserve = NULL;
        ev_timer_stop(r->loop, &r->rebuild);
        close(r->fd);
        if (remove)
                (void)unlink(r->path);
        free(r->path);
        free(r);
}
