/* watchdog_self: svd's own pings to the watchdog of the supervisor that
 * started it (systemd's WatchdogSec= on svd.service: WATCHDOG_USEC, and
 * WATCHDOG_PID naming the process meant). They go out from svd's event loop
 * at half the interval, as sd_watchdog_enabled(3) advises, so they stop when
 * the loop stops (a hang, a deadlock, a write stuck on a hung disk) and the
 * supervisor can act on it; a busy loop still pings. Without the variables,
 * or with WATCHDOG_PID naming another process (a shell that started svd),
 * nothing is sent. The variables stay in svd's environment: a daemon-reexec
 * keeps the pid and starts pinging again at once. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "svd.h"
#include "util.h"
#include "watchdog_self.h"

/* The interval asked for, in microseconds; 0 when none is meant for us. */
static unsigned long long asked_usec(void)
{
        const char *u = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
        char *end;

        if (!u || !*u)
                return 0;
        if (p && *p) {
                errno = 0;
                unsigned long long pid = strtoull(p, &end, 10);
                if (errno || *end || pid != (unsigned long long)getpid())
                        return 0;
        }
        errno = 0;
        unsigned long long usec = strtoull(u, &end, 10);
        if (errno || *end || *u == '-' || usec == 0) {
                log_warn("WATCHDOG_USEC=%s is not a number of microseconds: no watchdog pings", u);
                return 0;
        }
        return usec;
}

static void ping_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        (void)loop, (void)w, (void)revents;
        init_notify("WATCHDOG=1");
}

void watchdog_self_start(struct svd *m)
{
        unsigned long long usec = asked_usec();

        if (!usec || !getenv("NOTIFY_SOCKET"))
                return;
        double every = (double)usec / 2e6;
        ev_timer_init(&m->self_watchdog, ping_cb, 0., every);
        ev_timer_start(m->loop, &m->self_watchdog);
        log_info("watchdog: pinging our supervisor every %.3gs (WATCHDOG_USEC=%llu)", every, usec);
}

void watchdog_self_stop(struct svd *m)
{
        if (m->loop)
                ev_timer_stop(m->loop, &m->self_watchdog);
}
