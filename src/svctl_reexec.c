/* svctl_reexec: see svctl_reexec.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "svctl_output.h"
#include "svctl_reexec.h"
#include "util.h"

enum outcome { PENDING, DONE, FAILED, EMERGENCY };

static const char *str_of(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One version request: its reply into *ret, or -errno. */
static int ask_version(const char *path, int timeout_sec, cJSON **ret)
{
        _cleanup_(proto_msg_freep) cJSON *req = cJSON_CreateObject();
        if (!req || !cJSON_AddNumberToObject(req, "v", PROTO_VERSION) ||
            !cJSON_AddStringToObject(req, "op", proto_op_name(OP_VERSION)))
                return -ENOMEM;
        _cleanup_(closep) int fd = unix_connect(path, SOCK_STREAM, timeout_sec);
        if (fd < 0)
                return fd;
        int r = proto_send(fd, req);
        return r < 0 ? r : proto_recv(fd, ret);
}

/* What a version reply says of the attempt numbered attempt of instance. */
static enum outcome judge(const cJSON *v, const char *instance, double attempt, char *why, size_t wl)
{
        const char *now = str_of(v, "instance");
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(v, "ok");
        if (!cJSON_IsTrue(ok))
                return PENDING; /* (busy, say) */
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "emergency")))
                return EMERGENCY;
        if (now && strcmp(now, instance) != 0)
                return DONE;
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, "reexec");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(x, "attempt");
        if (!now || !cJSON_IsNumber(n) || n->valuedouble < attempt ||
            !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(x, "ok")))
                return PENDING;
        const char *e = str_of(x, "error");
        snprintf(why, wl, "%s", e ? e : "svd did not say why");
        for (char *c = why; *c; c++) /* one line on a terminal */
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        return FAILED;
}

static int print_done(const cJSON *reply, bool json, const char *outcome)
{
        if (json) {
                _cleanup_(proto_msg_freep) cJSON *out = cJSON_CreateObject();
                const char *bin = str_of(reply, "binary");
                if (!out || !cJSON_AddStringToObject(out, "name", "daemon-reexec") ||
                    !cJSON_AddStringToObject(out, "state", outcome) ||
                    (bin && !cJSON_AddStringToObject(out, "binary", bin)))
                        return 1;
                char *s = cJSON_PrintUnformatted(out);
                if (!s)
                        return 1;
                printf("%s\n", s);
                cJSON_free(s);
                return 0;
        }
        if (strcmp(outcome, "done") == 0)
                printf("daemon-reexec: svd executed itself again; services keep running\n");
        else
                printf("daemon-reexec: svd is executing itself again; services keep running "
                       "(this svd does not report whether the exec succeeded)\n");
        return 0;
}

int svctl_reexec_wait(const char *path, const cJSON *reply, bool json)
{
        const char *instance = str_of(reply, "instance");
        const cJSON *attempt = cJSON_GetObjectItemCaseSensitive(reply, "attempt");
        if (!instance || !cJSON_IsNumber(attempt)) /* an older svd */
                return print_done(reply, json, "unknown");
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int last = 0, gone_since = -1; /* (seconds, elapsed) */
        char why[1024];
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &t);
                int elapsed = (int)(t.tv_sec - t0.tv_sec);
                if (elapsed >= SVCTL_REEXEC_WAIT_SEC)
                        break;
                cJSON *v = NULL;
                last = ask_version(path, SVCTL_REEXEC_WAIT_SEC - elapsed, &v);
                enum outcome o = last < 0 ? PENDING : judge(v, instance, attempt->valuedouble, why, sizeof why);
                cJSON_Delete(v);
                switch (o) {
                case DONE:
                        return print_done(reply, json, "done");
                case FAILED:
                        fprintf(stderr, "svctl: daemon-reexec failed: %s\n", why);
                        return 1;
                case EMERGENCY:
                        fprintf(stderr, "svctl: daemon-reexec: svd's new instance could not start and is in the "
                                        "emergency state (see 'svctl status' and svd's log)\n");
                        return 1;
                case PENDING:
                        break;
                }
                /* the listening socket is kept across the exec: nobody
                 * listening any more is an svd that exited (the new
                 * instance failed to start), once it lasts */
                if (last == -ECONNREFUSED || last == -ENOENT) {
                        if (gone_since < 0)
                                gone_since = elapsed;
                        else if (elapsed - gone_since >= 2)
                                break;
                } else
                        gone_since = -1;
                usleep(100 * 1000);
        }
        if (last < 0)
                fprintf(stderr, "svctl: daemon-reexec: svd no longer answers on %s (%s); its new instance may have "
                                "failed to start: see svd's log\n", path, strerror(-last));
        else
                fprintf(stderr, "svctl: daemon-reexec: no outcome within %d s: svd still runs as the instance "
                                "that accepted the request; see svd's log\n", SVCTL_REEXEC_WAIT_SEC);
        return last < 0 ? 3 : 1;
}
