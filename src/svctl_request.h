/* svctl_request: the one way svctl's commands reach svd: connect to its
 * control socket, send a request frame, read the reply frame. Each failure
 * is one line on stderr naming the socket or the cause, and an exit code
 * (svctl(8), EXIT STATUS: 3 svd not reached or gone, 1 a reply svctl
 * cannot use). */
#ifndef SVD_SVCTL_REQUEST_H
#define SVD_SVCTL_REQUEST_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Connects to the control socket at path, each send and receive bounded
 * by timeout_sec. Returns the fd; on failure says why on stderr
 * (svctl_connect_why) and returns -errno. */
int svctl_connect(const char *path, int timeout_sec);
/* Why a connect to path failed with r (< 0), into buf: the errno's text and
 * "(is svd running?)" when nothing listens at path, or "not a socket ..."
 * for a file or directory there (a mistyped -s). Returns buf. */
const char *svctl_connect_why(const char *path, int r, char *buf, size_t len);

/* After proto_send on fd failed with r (< 0): svd's early "busy" reply, if
 * that is why the send failed (EPIPE, ECONNRESET; svd answers a client over
 * its limit at once and closes before it reads the request). 0 with
 * *ret_reply set, or r. Prints nothing. */
int svctl_early_reply(int fd, int r, cJSON **ret_reply);

/* Sends req on fd and reads one reply into *ret_reply (the caller's). svd
 * answers a client over its limit "busy" and closes at once, before it
 * reads the request: that reply can be waiting when the send fails
 * (EPIPE, ECONNRESET), and is the reply then. 0 with *ret_reply set, or
 * the exit code after saying why on stderr (*ret_reply untouched). */
int svctl_exchange(int fd, const cJSON *req, int timeout_sec, cJSON **ret_reply);

/* The SOCKET of an option "-sSOCKET" (arg, the whole word). One without a
 * '/' is refused (NULL, after saying why on stderr; exit status 2): it is a
 * mistyped option or command far more often than a socket in the current
 * directory ("-status" is not "-s tatus"), which "-s ./NAME" still names. */
const char *svctl_socket_joined(const char *arg);

/* The one wording of an unknown option, whichever parser meets it: "svctl:
 * CMD: unknown option 'OPT' (see 'svctl --help')" on stderr, without "CMD: "
 * when no command was given (cmd NULL). The caller exits 2 (usage). */
void svctl_unknown_option(const char *cmd, const char *opt);

#endif
