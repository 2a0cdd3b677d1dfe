/* log_watch: see log_watch.h. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "log_watch.h"

static struct ev_loop *watch_loop;
static ev_io watch;

static void writable_cb(struct ev_loop *loop, ev_io *w, int revents) {
        (void)revents;
        if (log_backlog_drain())
                ev_io_stop(loop, w);
}

static void wake(void) {
        if (watch_loop && !ev_is_active(&watch))
                ev_io_start(watch_loop, &watch);
}

void log_watch_attach(struct ev_loop *loop) {
        if (watch_loop)
                ev_io_stop(watch_loop, &watch);
        watch_loop = NULL;
        int r = log_nonblocking_start(wake);
        if (r < 0)
                log_warn("stderr: cannot make it non-blocking (%s): a stalled reader would stall svd", strerror(-r));
        if (r <= 0 || log_backlog_fd() < 0)
                return;
        ev_io_init(&watch, writable_cb, log_backlog_fd(), EV_WRITE);
        watch_loop = loop;
        if (!log_backlog_drain())
                ev_io_start(loop, &watch);
}

void log_watch_detach(long budget_ms) {
        if (watch_loop)
                ev_io_stop(watch_loop, &watch);
        watch_loop = NULL;
        log_nonblocking_unwatched(budget_ms);
}
