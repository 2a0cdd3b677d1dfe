/* svctl_output: turns svd's replies into what svctl prints, as aligned tables
 * for people or as JSON for scripts. Replies come from another process and are
 * not trusted: a missing or mistyped field prints "-", control bytes are
 * replaced, and only a reply missing its core payload (e.g. no "services"
 * array) is an error. Functions return 0, or -EBADMSG when the reply is
 * unusable, or -errno (e.g. -ENOMEM); they print nothing on failure. */
#ifndef SVD_SVCTL_OUTPUT_H
#define SVD_SVCTL_OUTPUT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* "0s", "42s", "2m10s", "1h4m", "3d2h": two units at most, for table columns.
 * buf must hold at least 32 bytes. */
const char *svctl_format_age(uint64_t usec, char *buf, size_t len);

/* status: table (NAME STATE HEALTH PID UPTIME RESTARTS LAST-EXIT [REASON]) or
 * {"services":[...]} with name/state/health/pid/restarts/since/last_exit always
 * present (null when svd did not send them) and any extra keys passed through. */
int svctl_print_status(FILE *f, const cJSON *reply, bool json);

/* order: "1: a b" per wave, or {"waves":[[...],...]}. */
int svctl_print_order(FILE *f, const cJSON *reply, bool json);

/* version: "svctl X, svd Y (protocol N, pid P)" ("-" for what svd did not
 * send), or {"svctl":X,"svd":Y,"protocol":N,"pid":P,"pid_start":S,
 * "boot_id":B,"instance":I,"reexec":{...}} with every key present (null
 * when svd did not send it). */
int svctl_print_version(FILE *f, const cJSON *reply, const char *client_version, bool json);

/* start/stop/restart: "name: state", or {"name":..,"state":..}. requested_name
 * is used when the reply does not name the service. */
int svctl_print_action(FILE *f, const cJSON *reply, const char *requested_name, bool json);

/* svctl logs (svctl_logs.c): parses its own argv; returns the exit code. */
int svctl_logs_main(int argc, char **argv);
int svctl_top_main(int argc, char **argv); /* svctl_top.c */
/* svctl status NAME...: reason, STATUS=, last probe and its output. */
int svctl_print_details(FILE *f, const cJSON *reply);
/* svctl status --boot: svd start to each service's first "up", its own part. */
int svctl_print_boot(FILE *f, const cJSON *reply, bool json);
/* The scheduled-job lines of one service's details (svctl_timer.c). */
void svctl_print_timer_details(FILE *f, const cJSON *svc);

/* A wedged daemon must not hang scripts forever; svd answers every request
 * without waiting for services, so this only fires when svd itself is stuck.
 * The longest deferred reply, daemon-reexec's, comes within 20 s (5 s of
 * --state-format, 15 s of --check: reexec.c) and this leaves it a margin.
 * For a stream (logs -f, events -f) it bounds the first reply only. */
#define SVCTL_TIMEOUT_SEC 30

/* A request or its reply that failed in proto_send/proto_recv (r < 0; the
 * socket's timeout timeout_sec): one line on f saying why, and the exit code
 * (3 svd not reached or gone, 1 a reply svctl cannot use). */
int svctl_exchange_failed(FILE *f, int r, int timeout_sec);

/* Flushes stdout; when it or an earlier write to it failed (a full disk, a
 * closed pipe), says so on stderr and returns -EIO: that must not end as a
 * silent success. */
int svctl_flush_stdout(void);

/* A refusal ({"ok":false,"error":...}): "svctl: <error>" on one line. */
int svctl_print_error(FILE *f, const cJSON *reply);
/* The one way an error text from a reply (an "error" field, a refusal's
 * lines, a failure's reason) is made fit to print: a heap copy cleaned as
 * svctl_safe_copy does and cut past PATH_MAX + 512 bytes ("..." marking a
 * cut); NULL for a NULL text or without memory. */
char *svctl_error_dup(const char *text);
/* Before a reply is shown: 0 if it is svd's protocol version and "ok"; else
 * says why on f (a refusal's error and its lines) and returns -EPROTO (another
 * version, no "ok"), -ENOENT (refused: no such service or secret, "code" 4)
 * or -EPERM (refused otherwise). */
int svctl_check_reply(FILE *f, const cJSON *reply);
/* svctl's exit status after svctl_check_reply returned r < 0: 4 for a name svd
 * does not know (scripts can tell a typo from a refusal), else 1. */
#define SVCTL_EXIT_NOT_FOUND 4
static inline int svctl_refused_exit(int r)
{
        return r == -ENOENT ? SVCTL_EXIT_NOT_FOUND : 1;
}
/* Copies src into dst (len bytes, NUL included; cut to fit on a character
 * boundary) cleaned by utf8_clean (invalid bytes U+FFFD, control characters
 * \xHH), so it can go to a terminal; returns its length. */
size_t svctl_safe_copy(char *dst, size_t len, const char *src);

#endif
