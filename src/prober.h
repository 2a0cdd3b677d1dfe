/* prober: svd's side of the svd-probe process. TCP and HTTP checks are sent
 * to it as requests over a SOCK_SEQPACKET socketpair (probe_proto.h) and come
 * back as results matched by id. The prober runs as an unprivileged user under
 * its own seccomp filter, so libcurl and TLS never load into svd. If it dies,
 * the checks in flight are reported as not counted (the service is not
 * blamed) and it is started again on the next request, at most once a
 * second. */
#ifndef SVD_PROBER_H
#define SVD_PROBER_H

#include <stdbool.h>
#include <sys/types.h>

struct svd;
struct svc;

/* Sends s's TCP/HTTP check; s->probe_id is set. -errno if it cannot be sent. */
int prober_submit(struct svd *m, struct svc *s);
/* Why svd-probe could not be started last time (as logged), or "" if it
 * was: for the detail of a check prober_submit could not send. */
const char *prober_why(const struct svd *m);
/* Forgets s's in-flight check (its reply will be ignored). */
void prober_cancel(struct svd *m, struct svc *s);
/* How long after a check's own timeout svd waits for its reply. */
#define PROBER_REPLY_GRACE_S 5.0
/* s's reply did not come within its timeout + PROBER_REPLY_GRACE_S: the
 * check is no longer waited for (s->probe_late_id: if its reply comes after
 * all, it counts, unless a newer check of s is in flight); after
 * PROBER_OVERDUE_MAX such in a row with no reply between, svd-probe is taken
 * for stuck and killed (it is restarted on demand). */
void prober_overdue(struct svd *m, struct svc *s);
#define PROBER_OVERDUE_MAX 3
/* A child exited: true if it was the prober. */
bool prober_child_exited(struct svd *m, pid_t pid, int status);
void prober_done(struct svd *m);

#endif
