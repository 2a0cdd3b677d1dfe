/* probe_lookup: the host name lookups of svd-probe's tcp and http checks, in
 * one bounded place. A name is looked up by getaddrinfo_a() on glibc's
 * resolver threads, the loop polling for the end (no thread ever calls into
 * the loop). A check of a name already being looked up waits for that
 * lookup instead of starting another; at most PROBE_LOOKUPS_MAX lookups run
 * at once, and the names of further checks wait their turn in order (a
 * check's own timeout bounds its wait). A lookup still running when all its
 * checks are over cannot be cancelled: it runs on, counted, and its answer is
 * kept. Answers are kept PROBE_LOOKUP_KEEP_S seconds (failures are not), as
 * libcurl's DNS cache would: so a resolver that never answers costs one
 * thread per name, however many checks of that name time out. An IP
 * address, and a name /etc/hosts lists (probe_hosts.h), are answered at
 * once, taking no slot: they never wait behind DNS lookups. */
#ifndef SVD_PROBE_LOOKUP_H
#define SVD_PROBE_LOOKUP_H

#include <netinet/in.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <ev.h>

/* Lookups running, abandoned ones included: glibc's getaddrinfo_a runs at
 * most 20 resolver threads (a fixed default no call changes: aio_init does
 * not reach it) and queues further requests inside glibc, where they would
 * be counted as running while not started. */
#define PROBE_LOOKUPS_MAX 20
#define PROBE_LOOKUP_ADDRS_MAX 8    /* addresses kept per name */
#define PROBE_LOOKUP_KEEP_S 60.     /* an answer is reused this long */
#define PROBE_LOOKUP_KEPT_MAX 64    /* names whose answer is kept */

struct probe_addr {
        socklen_t len;
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } u;
};

/* Addresses of a name, in getaddrinfo order, port 0. */
struct probe_addrs {
        unsigned n;
        struct probe_addr a[PROBE_LOOKUP_ADDRS_MAX];
};

struct probe_lookup;
struct probe_lookup_wait;
struct lookup_ent;

/* The end of a wait: addrs (valid during the call only) or gai_err != 0. */
typedef void (*probe_lookup_fn)(struct probe_lookup_wait *w, const struct probe_addrs *addrs, int gai_err);

/* Embedded in a check; zeroed, it waits for nothing. */
struct probe_lookup_wait {
        struct probe_lookup_wait *prev, *next;
        struct lookup_ent *ent; /* NULL: not waiting */
        probe_lookup_fn done;
};

int probe_lookup_new(struct ev_loop *loop, struct probe_lookup **ret);
/* Lookups still running are left to their threads (the prober is exiting). */
void probe_lookup_free(struct probe_lookup *pl);

/* Looks up host (a name, at most PROBE_HOST_MAX bytes). Returns 1 with
 * *ret_addrs filled when the answer is known (an IP address, a name of
 * /etc/hosts, a kept answer: done is not called), 0 when w
 * waits (done is called once, from the loop, unless w is cancelled first),
 * or a getaddrinfo error (EAI_*, nonzero) when the lookup cannot start. */
int probe_lookup_start(struct probe_lookup *pl, const char *host, struct probe_lookup_wait *w, probe_lookup_fn done,
                       struct probe_addrs *ret_addrs);
/* Ends w's wait without calling done; nothing if it does not wait. */
void probe_lookup_cancel(struct probe_lookup_wait *w);
/* What w waits for, for a timeout's detail: "resolving 'NAME' (lookup
 * running for 2.5s)" or "waiting to resolve 'NAME' (20 name lookups running, at most 20)". */
void probe_lookup_describe(const struct probe_lookup_wait *w, char *buf, size_t len);

/* Copies the AF_INET and AF_INET6 addresses of ai into *ret (port kept). */
void probe_addrs_from_ai(const struct addrinfo *ai, struct probe_addrs *ret);

#endif
