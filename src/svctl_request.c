/* svctl_request: see svctl_request.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proto.h"
#include "svctl_output.h"
#include "svctl_request.h"
#include "util.h"

int svctl_connect(const char *path, int timeout_sec) {
        int fd = unix_connect(path, SOCK_STREAM, timeout_sec);
        if (fd < 0)
                fprintf(stderr, "svctl: cannot connect to %s: %s%s\n", path, strerror(-fd),
                        fd == -ENOENT || fd == -ECONNREFUSED ? " (is svd running?)" : "");
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

const char *svctl_socket_joined(const char *arg) {
        if (strchr(arg + 2, '/'))
                return arg + 2;
        fprintf(stderr,
                "svctl: unknown option '%s' (for a SOCKET joined to -s, write a path with a '/': -s./%s) "
                "(see 'svctl --help')\n",
                arg, arg + 2);
        return NULL;
}
