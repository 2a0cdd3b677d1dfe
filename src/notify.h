/* notify: the sd_notify endpoint. One AF_UNIX datagram socket per svd
 * (<run_dir>/notify.sock) with SO_PASSCRED: the kernel stamps every datagram
 * with the sender's pid, which attributes it to the service whose main
 * process, or process group, it came from. A service cannot speak for another
 * one. Messages are bounded (NOTIFY_MAX_MSG) and parsed line by line. */
#ifndef SVD_NOTIFY_H
#define SVD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct svd;
struct notify;

#define NOTIFY_MAX_MSG 4096

/* What one datagram said. */
struct notify_msg {
        bool ready, stopping, reloading, watchdog;
        pid_t mainpid;      /* 0 if absent */
        char status[256];   /* STATUS=; "" if absent */
        bool has_status;
};

/* Parses "KEY=VALUE\n..." (unknown keys ignored). Returns 0 or -EINVAL. */
int notify_parse(const char *buf, size_t len, struct notify_msg *ret);

int notify_open(struct svd *m, struct notify **ret);
void notify_close(struct notify *n);
/* daemon-reexec keeps the socket. */
int notify_fd(const struct notify *n);
const char *notify_socket_path(const struct notify *n);

#endif
