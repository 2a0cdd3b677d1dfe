/* probe_tcp: TCP connect checks for svd-probe. A check is a non-blocking
 * connect() watched by an ev_io for writability plus an ev_timer for the
 * deadline; SO_ERROR decides the outcome. IP literals never touch DNS; host
 * names are looked up by probe_lookup off the loop, within the same
 * deadline, so a resolver that does not answer holds up no other check. */
#ifndef SVD_PROBE_TCP_H
#define SVD_PROBE_TCP_H

#include <ev.h>

#include "probe_lookup.h"
#include "probe_proto.h"

struct probe_tcp;

/* done(res, userdata) is called from the loop once per started check; host
 * names are looked up through lookup, which must outlive t. */
int probe_tcp_new(struct ev_loop *loop, struct probe_lookup *lookup, probe_done_fn done, void *userdata,
                  struct probe_tcp **ret);
/* Aborts checks in flight (without calling done). */
void probe_tcp_free(struct probe_tcp *t);

/* Starts the check described by req (kind tcp; req is not kept). Returns 0
 * when the check is under way, or 1 when it finished at once (e.g. an
 * unresolvable name) with *ret_now filled and done never called. */
int probe_tcp_start(struct probe_tcp *t, const struct probe_req *req, struct probe_result *ret_now);

#endif
