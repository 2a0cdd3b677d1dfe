/* svctl_request: see svctl_request.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "proto.h"
#include "svctl_output.h"
#include "svctl_request.h"
#include "util.h"

const char *svctl_connect_why(const char *path, int r, char *buf, size_t len) {
        struct stat st;
        /* a file or directory refuses the connection as a stale socket does */
        if (r == -ECONNREFUSED && stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
                snprintf(buf, len, "not a socket (svd's control socket is; see -s and $SVD_SOCKET)");
        else
                snprintf(buf, len, "%s%s", strerror(-r),
                         r == -ENOENT || r == -ECONNREFUSED ? " (is svd running?)" : "");
        return buf;
}

int svctl_connect(const char *path, int timeout_sec) {
        char why[128];
        int fd = unix_connect(path, SOCK_STREAM, timeout_sec);
        if (fd < 0)
                fprintf(stderr, "svctl: cannot connect to %s: %s\n", path, svctl_connect_why(path, fd, why, sizeof why));
        return fd;
}

int svctl_early_reply(int fd, int r, cJSON **ret_reply) {
        if (r != -EPIPE && r != -ECONNRESET)
                return r;
        return proto_recv(fd, ret_reply) == 0 ? 0 : r;
}

int svctl_exchange(int fd, const cJSON *req, int timeout_sec, cJSON **ret_reply) {
        cJSON *reply = NULL;
        int r = proto_send(fd, req);
        if (r == -EPIPE || r == -ECONNRESET)
                r = svctl_early_reply(fd, r, &reply);
        else if (r < 0) {
                fprintf(stderr, "svctl: cannot send the request to svd: %s\n", strerror(-r));
                return 3;
        } else
                r = proto_recv(fd, &reply);
        if (r < 0)
                return svctl_exchange_failed(stderr, r, timeout_sec);
        *ret_reply = reply;
        return 0;
}

void svctl_unknown_option(const char *cmd, const char *opt) {
        fprintf(stderr, "svctl: %s%sunknown option '%s' (see 'svctl --help')\n", cmd ? cmd : "", cmd ? ": " : "", opt);
}

const char *svctl_socket_joined(const char *arg) {
        if (strchr(arg + 2, '/'))
                return arg + 2;
        fprintf(stderr,
                "svctl: unknown option '%s' (for a SOCKET joined to -s, write a path with a '/': -s./%s) "
                "(see 'svctl --help')\n",
                arg, arg + 2);
        return NULL;
}
