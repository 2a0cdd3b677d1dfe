/* control_peer: who is on the other end of a control connection (see
 * control_peer.h). */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "control_peer.h"
#include "proto.h"
#include "svd.h"

/* Whether the socket's peer had gid among its supplementary groups when it
 * connected (SO_PEERGROUPS). The kernel's record of the connecting process,
 * not /proc/PID/status: that pid can belong to another process by the time
 * it is read (the client exited and handed the connection on), and its
 * Groups: line is longer than any fixed buffer with enough groups. */
static bool peer_in_group(int fd, gid_t gid) {
        gid_t small[64], *g = small;
        socklen_t len = sizeof(small);
        bool found = false;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
                if (errno != ERANGE || !(g = malloc(len)) || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
                        if (g != small)
                                free(g);
                        return false; /* fails closed: not an administrator */
                }
        }
        for (size_t i = 0; i < len / sizeof(gid_t); i++)
                found = found || g[i] == gid;
        if (g != small)
                free(g);
        return found;
}

bool control_peer_is_admin(const struct svd_config *cfg, int fd, const struct ucred *uc) {
        if (uc->uid == 0)
                return true;
        if (!cfg->has_admin_gid)
                return false;
        return uc->gid == cfg->admin_gid || peer_in_group(fd, cfg->admin_gid);
}

void control_peer_refuse(int fd, bool admin, bool full, uid_t uid)
{
        cJSON *r =
                admin  ? proto_reply_error(PROTO_E_BUSY, "too many clients (limit %d)", CONTROL_MAX_CLIENTS)
                : full ? proto_reply_error(PROTO_E_BUSY,
                                           "too many clients (limit %d; the other %d connections are "
                                           "kept for root and the admin group)",
                                           CONTROL_MAX_CLIENTS - CONTROL_ADMIN_RESERVE,
                                           CONTROL_ADMIN_RESERVE)
                       : proto_reply_error(PROTO_E_BUSY,
                                           "too many connections from uid %u (limit %d for each user "
                                           "other than root and the admin group)",
                                           (unsigned)uid, CONTROL_MAX_PER_USER);
        char *buf;
        size_t len;
        if (r && proto_frame_encode(r, &buf, &len) == 0) {
                (void)!send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                free(buf);
        }
        cJSON_Delete(r);
        close(fd);
}
