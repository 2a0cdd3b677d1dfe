/* control_hup: notices control connections closing while svd does not read
 * from them. A client whose request waits for a deferred reply is not read
 * (the requests it sends ahead wait in the socket, not in svd's memory),
 * and after shutdown(SHUT_WR) its socket is always readable, so reading
 * cannot tell its going away either. An epoll set of such sockets, asked
 * for no events, reports only hang-up and error; its descriptor, watched
 * by the loop, says when one of them closed. */
#ifndef SVD_CONTROL_HUP_H
#define SVD_CONTROL_HUP_H

#include <stdbool.h>

struct ev_loop;
struct control_hup;

/* cb(data) is called from the loop for each watched socket whose peer has
 * closed (or that broke); it must unwatch it (closing it is not enough: a
 * child between fork and exec can hold a copy). 0 or -errno. */
int control_hup_open(struct ev_loop *loop, void (*cb)(void *data), struct control_hup **ret);
/* 0 or -errno (the socket is then not watched). */
int control_hup_watch(struct control_hup *h, int fd, void *data);
/* Unwatching one not watched is harmless. */
void control_hup_unwatch(struct control_hup *h, int fd);
void control_hup_close(struct control_hup *h);
/* After end of file on fd: whether the peer closed the connection (or it
 * broke), rather than only shutting down its sending side. The kernel says
 * POLLHUP once both directions are shut: a closed client's request is not
 * worth finishing (a deferred op is told it went away). */
bool control_hup_closed(int fd);

#endif
