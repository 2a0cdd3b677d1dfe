/* notify: the sd_notify endpoint. One AF_UNIX datagram socket per svd
 * (<run_dir>/notify.sock) with SO_PASSCRED: the kernel stamps every datagram
 * with the sender's pid, which attributes it to the service whose main
 * process, or process group, it came from. A service cannot speak for another
 * one. Messages are bounded (NOTIFY_MAX_MSG) and parsed line by line. */
#ifndef SVD_NOTIFY_H
#define SVD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

struct svd;
struct notify;

#define NOTIFY_MAX_MSG 4096

/* Each service's budget of datagrams, so that one sending in a tight loop
 * (or anything that can send as it) costs svd little: NOTIFY_BURST at once,
 * then NOTIFY_RATE a second. Over it, a datagram that changes no state is
 * dropped and counted (struct svc notify_dropped; its STATUS= text is kept
 * as the latest and shown within a second); one that does (notify_msg_changes
 * _state) is always acted on. */
#define NOTIFY_BURST 100
#define NOTIFY_RATE 20
/* At most NOTIFY_BATCH datagrams are read per wake-up; if at least
 * NOTIFY_PAUSE_MIN and half of them were over a budget or from no service,
 * the socket is not read for NOTIFY_PAUSE seconds (senders wait, nothing is
 * lost). */
#define NOTIFY_BATCH 64
#define NOTIFY_PAUSE_MIN 4
#define NOTIFY_PAUSE 0.01

/* What one datagram said. */
struct notify_msg {
        bool ready, stopping, reloading, watchdog;
        pid_t mainpid;      /* 0 if absent */
        char status[256];   /* STATUS=, cleaned (utf8_clean); "" if absent */
        bool has_status;
        bool watchdog_trigger; /* WATCHDOG=trigger */
        uint64_t extend_usec;  /* EXTEND_TIMEOUT_USEC=, at most NOTIFY_EXTEND_MAX; 0 if absent */
        bool has_watchdog_usec; /* WATCHDOG_USEC= with digits only */
        uint64_t watchdog_usec; /* its value; above NOTIFY_EXTEND_MAX: NOTIFY_EXTEND_MAX + 1 */
        bool other_state;   /* ERRNO=: not acted on, but never dropped as flood either */
        bool fdstore;       /* FDSTORE=1: svd keeps no descriptors for services (logged) */
        const char *bad_key; /* the first of MAINPID=, EXTEND_TIMEOUT_USEC=, WATCHDOG_USEC= with an invalid
                              * value ("MAINPID"), ignored; NULL if none */
};

/* EXTEND_TIMEOUT_USEC= beyond this (a day, the longest timeout a service
 * file can set) counts as this. */
#define NOTIFY_EXTEND_MAX (24ULL * 3600 * 1000000)

/* Whether msg says anything besides STATUS= (and keys svd does not know). */
bool notify_msg_changes_state(const struct notify_msg *msg);

/* Parses "KEY=VALUE\n..." (unknown keys ignored). Returns 0, or -EINVAL
 * for a datagram with a NUL byte in it other than one as its last byte. A key with an invalid value is
 * ignored (msg.bad_key names it) and the rest acted on, as systemd does. */
int notify_parse(const char *buf, size_t len, struct notify_msg *ret);

/* Reads and acts on what is queued now (a bounded batch), before a main
 * process's exit is: libev runs child watchers at its highest priority, so
 * the exit could otherwise come first, and a "MAINPID=<its child>\nREADY=1"
 * sent just before it would be lost with the service ended (systemd reads
 * its notify socket before SIGCHLD too). */
void notify_drain(struct notify *n);
#define NOTIFY_DRAIN_ROUNDS 4

int notify_open(struct svd *m, struct notify **ret);
void notify_close(struct notify *n);
/* daemon-reexec keeps the socket. */
int notify_fd(const struct notify *n);
const char *notify_socket_path(const struct notify *n);

#endif
