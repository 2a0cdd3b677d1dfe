/* control_peer: the rights of a control socket's peer, from the kernel's
 * record of the connecting process (SO_PEERCRED, SO_PEERGROUPS), never
 * from anything the client says. */
#ifndef SVD_CONTROL_PEER_H
#define SVD_CONTROL_PEER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

struct svd_config;

/* Whether the peer on fd (uc: its SO_PEERCRED) may change state: root, or
 * a member of cfg's admin_group (primary or supplementary group of the
 * connecting process). Fails closed. */
bool control_peer_is_admin(const struct svd_config *cfg, int fd, const struct ucred *uc);
/* Turns away a connection over control.h's limits (all clients, all but
 * the slots kept for administrators, one user's): a "busy" reply naming
 * the limit, sent without waiting, then fd is closed. */
void control_peer_refuse(int fd, bool admin, bool full, uid_t uid);

#endif
