/* watchdog_self: svd's own WATCHDOG=1 pings to its supervisor (systemd's
 * WatchdogSec= on svd.service); see watchdog_self.c. */
#ifndef SVD_WATCHDOG_SELF_H
#define SVD_WATCHDOG_SELF_H

struct svd;

/* Starts the pings when WATCHDOG_USEC (and WATCHDOG_PID, if set, is our
 * pid) and NOTIFY_SOCKET ask for them; the first goes out at once. */
void watchdog_self_start(struct svd *m);
void watchdog_self_stop(struct svd *m);

#endif
