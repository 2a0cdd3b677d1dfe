/* loglost: the last write of a service's log as it closes (svd stops, a
 * reload removes the service), and the word in svd's own log for output its
 * file still does not take then (a full disk, a file that cannot be
 * opened): the bytes dropped whose note never made it to the file
 * (on_full: drop), the output held back and what waits unread behind it
 * (on_full: block). Lost then; said, not nowhere. Called by logpipe.c's
 * sink_free. */
#include <sys/ioctl.h>

#include "log.h"
#include "logsink.h"
#include "safedir.h"
#include "svd.h"

void logsink_last_out(struct logsink *k) {
        /* (a stream whose buffer went back while quiet may have output
         * waiting in its pipe all the same) */
        int unread[2] = {0, 0};
        for (int i = 0; i < 2; i++)
                if (k->st[i].rfd < 0 || ioctl(k->st[i].rfd, FIONREAD, &unread[i]) < 0)
                        unread[i] = 0;
        if (k->st[0].buf || k->st[1].buf || unread[0] > 0 || unread[1] > 0) {
                k->blocked = false; /* last chance: one more try, then drop */
                logpipe_flush(k);
        }
        if (k->win_dropped) { /* the rate-limit window ends with the log: its note goes in */
                logsink_rate_end(k);
                logsink_write_out(k);
        }
        if (!k->olen && !k->gap_bytes)
                return;
        uint64_t bytes = k->gap_bytes + k->oraw;
        for (int i = 0; i < 2; i++) {
                int q = 0;
                bytes += k->st[i].len;
                if (k->st[i].rfd >= 0 && ioctl(k->st[i].rfd, FIONREAD, &q) == 0 && q > 0)
                        bytes += (uint64_t)q;
        }
        log_warn("%s: output lost: %llu bytes could not be written to %s (%s) before svd closed it", k->s->cfg->name,
                 (unsigned long long)bytes, k->path, safedir_strerror(-k->gap_err));
}
