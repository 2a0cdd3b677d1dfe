/* audit: the audit log of mutating control requests (see audit.h). A write
 * that fails never affects the request; svd's own log says so at the first
 * failure, and again when the audit log is written again. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "control.h"
#include "log.h"
#include "logfmt.h"
#include "logpipe.h"
#include "proto.h"
#include "svd.h"
#include "utf8.h"

/* Appends v to p with spaces, quotes, backslashes and control characters
 * (C0, DEL, C1: by code point) and bytes that are not UTF-8 escaped as
 * \xHH, quoted when it needs to be; at most max bytes of the line (a value
 * cut there ends in "..."), never past cap; returns the new end. */
static size_t put_value(char *p, size_t off, size_t cap, const char *v, size_t max) {
        size_t len = strlen(v), i = 0;
        bool quote = !*v || strpbrk(v, " \"\\=") != NULL || utf8_bad(v, len, 0) != len;
        if (off + max < cap)
                cap = off + max;
        if (off + 1 >= cap)
                return off;
        if (quote && off + 1 < cap)
                p[off++] = '"';
        /* room left for "..." and the closing quote */
        while (i < len && off + 9 < cap) {
                uint32_t cp = (unsigned char)v[i];
                size_t n = utf8_char(v + i, len - i, &cp);
                if (n == 0 || utf8_is_ctrl(cp)) {
                        /* an invalid byte is escaped as itself */
                        off += (size_t)snprintf(p + off, cap - off, "\\x%02x", n ? (unsigned)cp : (unsigned char)v[i]);
                        i += n ? n : 1;
                } else if (cp == '"' || cp == '\\') {
                        p[off++] = '\\';
                        p[off++] = (char)cp;
                        i++;
                } else if (off + n + 9 < cap) {
                        memcpy(p + off, v + i, n);
                        off += n;
                        i += n;
                } else
                        break;
        }
        if (i < len && off + 4 < cap) {
                memcpy(p + off, "...", 3);
                off += 3;
        }
        if (quote && off + 1 < cap)
                p[off++] = '"';
        p[off] = 0;
        return off;
}

/* snprintf at off, the end kept within cap (snprintf returns the length it
 * wanted, which may be past it). */
static size_t put_fmt(char *p, size_t off, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t put_fmt(char *p, size_t off, size_t cap, const char *fmt, ...) {
        if (off + 1 >= cap)
                return off;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(p + off, cap - off, fmt, ap);
        va_end(ap);
        if (n < 0)
                return off;
        return (size_t)n < cap - off ? off + (size_t)n : cap - 1;
}

/* Bytes of the line one value may take (comm, op, name): with them at
 * most, the result and code always fit in the line. */
#define AUDIT_VALUE_MAX 400

void audit_peer_comm(pid_t pid, char *buf, size_t len) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        snprintf(buf, len, "?");
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        ssize_t n = read(fd, buf, len - 1);
        close(fd);
        if (n <= 0) {
                snprintf(buf, len, "?");
                return;
        }
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
}

void audit_request(struct svd *m, const struct control_peer *peer, const char *comm_then, const cJSON *req,
                   const cJSON *reply) {
        const cJSON *opj = cJSON_GetObjectItemCaseSensitive(req, "op");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(reply, "code");
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(reply, "error");
        bool accepted = cJSON_IsTrue(ok);
        bool denied = cJSON_IsNumber(code) && code->valueint == PROTO_E_DENIED;
        /* a refusal for want of rights is recorded whatever the op (an
         * attempt at what only administrators may read, logs_follow) */
        if (!cJSON_IsString(opj) || (!denied && !proto_op_mutating(proto_op_from_name(opj->valuestring))))
                return;

        char line[2048], ts[LOGFMT_TIME_LEN + 1], comm[64];
        if (comm_then)
                snprintf(comm, sizeof(comm), "%s", comm_then);
        else
                audit_peer_comm(peer->pid, comm, sizeof(comm));
        size_t off = put_fmt(line, 0, sizeof(line), "%s uid=%u pid=%d admin=%s comm=", logfmt_time(now_real(), ts),
                             (unsigned)peer->uid, (int)peer->pid, peer->admin ? "yes" : "no");
        /* the name is bounded so that the result always fits; the error
         * takes what is left (a service name is echoed in it again) */
        off = put_value(line, off, sizeof(line), comm, AUDIT_VALUE_MAX);
        off = put_fmt(line, off, sizeof(line), " op=");
        off = put_value(line, off, sizeof(line), opj->valuestring, AUDIT_VALUE_MAX);
        if (cJSON_IsString(name)) {
                off = put_fmt(line, off, sizeof(line), " name=");
                off = put_value(line, off, sizeof(line), name->valuestring, AUDIT_VALUE_MAX);
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "dry_run"))) /* reload that only checks */
                off = put_fmt(line, off, sizeof(line), " dry_run=yes");
        off = put_fmt(line, off, sizeof(line), " result=%s", accepted ? "ok" : denied ? "denied" : "failed");
        if (!accepted && cJSON_IsNumber(code))
                off = put_fmt(line, off, sizeof(line), " code=%d", code->valueint);
        if (!accepted && cJSON_IsString(err)) {
                off = put_fmt(line, off, sizeof(line), " error=");
                off = put_value(line, off, sizeof(line), err->valuestring, sizeof(line));
        }
        if (off > sizeof(line) - 2)
                off = sizeof(line) - 2;
        line[off++] = '\n';

        if (m->emergency) { /* no log files there (log_dir may be the cause): svd's own log, the console */
                line[off - 1] = 0;
                log_info("audit: %s", line);
                return;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/" CONFIG_AUDIT_LOG, m->cfg->log_dir);
        static bool failing; /* since the first record that could not be written */
        int r = logs_audit_append(m, path, line, off);
        if (r < 0 && !failing)
                log_warn("audit: cannot write %s: %s; records are dropped (and counted) until it can", path,
                         strerror(-r));
        else if (r > 0)
                log_info("audit: writing %s again; %d record%s lost", path, r, r == 1 ? " was" : "s were");
        failing = r < 0;
}
