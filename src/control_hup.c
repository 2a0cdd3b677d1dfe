/* control_hup: see control_hup.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <ev.h>

#include "control_hup.h"

struct control_hup {
        struct ev_loop *loop;
        int epfd;
        ev_io io;
        void (*cb)(void *data);
};

static void hup_cb(struct ev_loop *loop, ev_io *w, int revents)
{
        struct control_hup *h = w->data;
        struct epoll_event ev;
        /* one at a time: a callback frees its client, and may free others */
        while (epoll_wait(h->epfd, &ev, 1, 0) == 1)
                h->cb(ev.data.ptr);
}

int control_hup_open(struct ev_loop *loop, void (*cb)(void *data), struct control_hup **ret)
{
        struct control_hup *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (h->epfd < 0) {
                int r = -errno;
                free(h);
                return r;
        }
        h->loop = loop;
        h->cb = cb;
        ev_io_init(&h->io, hup_cb, h->epfd, EV_READ);
        h->io.data = h;
        ev_io_start(loop, &h->io);
        *ret = h;
        return 0;
}

int control_hup_watch(struct control_hup *h, int fd, void *data)
{
        /* no events asked for: EPOLLHUP and EPOLLERR are always reported */
        struct epoll_event ev = { .events = 0, .data.ptr = data };
        if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
                return errno == EEXIST ? 0 : -errno;
        return 0;
}

void control_hup_unwatch(struct control_hup *h, int fd)
{
        if (h)
                (void)epoll_ctl(h->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void control_hup_close(struct control_hup *h)
{
        if (!h)
                return;
        ev_io_stop(h->loop, &h->io);
        close(h->epfd);
        free(h);
}

bool control_hup_closed(int fd)
{
        struct pollfd p = { .fd = fd, .events = 0 };
        int r = poll(&p, 1, 0);
        return r < 0 || (r > 0 && (p.revents & (POLLHUP | POLLERR)));
}
