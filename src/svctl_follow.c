/* svctl_follow: see svctl_follow.h. A follow only writes when svd sends
 * something, and a closed pipe is only noticed by a write: "svctl logs -f
 * quiet | head -n 1" sat there after head had exited, holding svd's stream,
 * until the service wrote again, maybe never. poll() reports POLLERR on a
 * pipe's write end (POLLHUP on a socket or terminal) once nobody can read
 * it any more, without anything being written, so the wait watches
 * standard output too and ends svctl the way the next write would have. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "svctl_follow.h"

int svctl_follow_wait(int fd)
{
        /* events 0: only POLLERR, POLLHUP and POLLNVAL are reported for
         * standard output; a file or /dev/null never has them */
        struct pollfd p[2] = {
                { .fd = fd, .events = POLLIN },
                { .fd = STDOUT_FILENO, .events = 0 },
        };

        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                /* a closed standard output: the next write says so */
                if (p[1].revents & POLLNVAL)
                        p[1].fd = -1;
                else if (p[1].revents & (POLLERR | POLLHUP)) {
                        signal(SIGPIPE, SIG_DFL);
                        raise(SIGPIPE);
                        return -EPIPE; /* (SIGPIPE blocked) */
                }
                if (p[0].revents)
                        return 0;
        }
}
