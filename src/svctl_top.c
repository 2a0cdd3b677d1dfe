/* svctl_top: `svctl top` — a refreshing table of services (and slices) by
 * CPU, throttled time, memory or pids, from the cgroup statistics in svd's status reply. CPU% is
 * computed here from the usage counters of two consecutive replies, so
 * several `top`s never disturb each other and svd samples nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "proto.h"
#include "svctl_output.h"
#include "util.h"

struct row {
        char name[80];
        char kind;          /* 's' service, 'S' slice */
        char state[24];
        double cpu;         /* percent of one CPU, <0 unknown */
        double mem, peak, pids, oom, restarts;
        double usage;       /* cpu_usage_usec */
        double thr;         /* cpu_throttled_usec */
        double thr_pct;     /* throttled time over the interval, percent of it; <0 unknown */
};

struct prev {
        char name[80];
        double usage, thr;
};

#define TOP_DELAY_MAX 86400 /* seconds between refreshes */

enum sort_key { SORT_CPU, SORT_MEM, SORT_PIDS, SORT_THROTTLED, SORT_NAME };
static enum sort_key sort_key;

static int cmp(const void *a, const void *b) {
        const struct row *x = a, *y = b;
        if (sort_key == SORT_CPU && x->cpu != y->cpu)
                return x->cpu < y->cpu ? 1 : -1;
        if (sort_key == SORT_MEM && x->mem != y->mem)
                return x->mem < y->mem ? 1 : -1;
        if (sort_key == SORT_PIDS && x->pids != y->pids)
                return x->pids < y->pids ? 1 : -1;
        if (sort_key == SORT_THROTTLED && x->thr_pct != y->thr_pct)
                return x->thr_pct < y->thr_pct ? 1 : -1;
        return strcmp(x->name, y->name);
}

static double num(const cJSON *o, const char *k) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *fmt_bytes(double b, char *buf, size_t len) {
        if (b < 0)
                return "-";
        return format_size((uint64_t)b, buf, len);
}

static int request(const char *path, cJSON **ret) {
        int fd = unix_connect(path, SOCK_STREAM, 0);
        if (fd < 0)
                return fd;
        cJSON *req = cJSON_CreateObject();
        cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
        cJSON_AddStringToObject(req, "op", "status");
        int r = proto_send(fd, req);
        cJSON_Delete(req);
        if (r >= 0)
                r = proto_recv(fd, ret);
        close(fd);
        return r;
}

static size_t collect(const cJSON *reply, struct row *rows, size_t max, struct prev *prev, size_t *n_prev,
                      double dt) {
        size_t n = 0;
        const char *lists[] = {"services", "slices"};
        for (int l = 0; l < 2; l++) {
                const cJSON *arr = cJSON_GetObjectItemCaseSensitive(reply, lists[l]), *o;
                cJSON_ArrayForEach(o, arr) {
                        if (n >= max)
                                break;
                        struct row *r = &rows[n++];
                        memset(r, 0, sizeof(*r));
                        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
                        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
                        snprintf(r->name, sizeof(r->name), "%s%s", cJSON_IsString(nm) ? nm->valuestring : "?",
                                 l ? ".slice" : "");
                        snprintf(r->state, sizeof(r->state), "%s", cJSON_IsString(st) ? st->valuestring : "-");
                        r->kind = l ? 'S' : 's';
                        r->usage = num(o, "cpu_usage_usec");
                        r->mem = num(o, "memory_current");
                        r->peak = num(o, "memory_peak");
                        r->pids = num(o, "pids_current");
                        r->oom = num(o, "oom_kills");
                        r->restarts = num(o, "restarts");
                        r->thr = num(o, "cpu_throttled_usec");
                        r->cpu = r->thr_pct = -1;
                        for (size_t i = 0; i < *n_prev; i++) {
                                if (strcmp(prev[i].name, r->name) != 0 || dt <= 0)
                                        continue;
                                if (r->usage >= prev[i].usage && prev[i].usage >= 0)
                                        r->cpu = (r->usage - prev[i].usage) / (dt * 1e6) * 100.0;
                                if (r->thr >= prev[i].thr && prev[i].thr >= 0)
                                        r->thr_pct = (r->thr - prev[i].thr) / (dt * 1e6) * 100.0;
                        }
                }
        }
        *n_prev = 0;
        for (size_t i = 0; i < n && i < max; i++) {
                memcpy(prev[i].name, rows[i].name, sizeof(prev[i].name));
                prev[i].usage = rows[i].usage;
                prev[i].thr = rows[i].thr;
                (*n_prev)++;
        }
        return n;
}

static void render(FILE *f, struct row *rows, size_t n, bool tty, int iter) {
        char mem[32], peak[32], cpu[16], thr[16], pids[16], oom[16], rs[16];
        if (tty)
                fputs("\033[H\033[2J", f); /* home + clear: redraw in place */
        else if (iter)
                fputc('\n', f);
        fprintf(f, "%-28s %-9s %7s %6s %9s %9s %6s %4s %8s\n", "NAME", "STATE", "CPU%", "THR%", "MEM", "PEAK",
                "PIDS", "OOM", "RESTARTS");
        for (size_t i = 0; i < n; i++) {
                const struct row *r = &rows[i];
                snprintf(cpu, sizeof(cpu), r->cpu >= 0 ? "%.1f" : "-", r->cpu);
                snprintf(thr, sizeof(thr), r->thr_pct >= 0 ? "%.1f" : "-", r->thr_pct);
                snprintf(pids, sizeof(pids), r->pids >= 0 ? "%.0f" : "-", r->pids);
                snprintf(oom, sizeof(oom), r->oom >= 0 ? "%.0f" : "-", r->oom);
                snprintf(rs, sizeof(rs), r->restarts >= 0 ? "%.0f" : "-", r->restarts);
                fprintf(f, "%-28.28s %-9.9s %7s %6s %9s %9s %6s %4s %8s\n", r->name, r->kind == 'S' ? "" : r->state,
                        cpu, thr, fmt_bytes(r->mem, mem, sizeof(mem)), fmt_bytes(r->peak, peak, sizeof(peak)), pids,
                        oom, rs);
        }
        fflush(f);
}

int svctl_top_main(int argc, char **argv) {
        const char *path = NULL;
        double delay = 1.0;
        long iterations = -1;
        bool json = false, seen_top = false;
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];
                if ((strcmp(s, "-s") == 0 || strcmp(s, "--socket") == 0) && i + 1 < argc)
                        path = argv[++i];
                else if (strncmp(s, "--socket=", 9) == 0)
                        path = s + 9;
                else if (strcmp(s, "--json") == 0)
                        json = true;
                else if ((strcmp(s, "-d") == 0 || strcmp(s, "--delay") == 0) && i + 1 < argc) {
                        /* bounded: a time_t cannot hold 1e30 s, and the
                         * overflowed sleep was none (a status request to
                         * svd after another, thousands a second) */
                        if (parse_double(argv[++i], &delay) < 0 || delay < 0.1 || delay > TOP_DELAY_MAX) {
                                fprintf(stderr, "svctl: top: bad delay '%s' (seconds, 0.1 to %d)\n", argv[i],
                                        TOP_DELAY_MAX);
                                return 2;
                        }
                } else if ((strcmp(s, "-n") == 0 || strcmp(s, "--iterations") == 0) && i + 1 < argc) {
                        unsigned long long v;
                        if (parse_uint(argv[++i], 1000000, &v) < 0 || v == 0) {
                                fprintf(stderr, "svctl: top: bad iteration count '%s'\n", argv[i]);
                                return 2;
                        }
                        iterations = (long)v;
                } else if (strcmp(s, "--sort") == 0 && i + 1 < argc) {
                        const char *k = argv[++i];
                        if (strcmp(k, "cpu") == 0)
                                sort_key = SORT_CPU;
                        else if (strcmp(k, "mem") == 0)
                                sort_key = SORT_MEM;
                        else if (strcmp(k, "pids") == 0)
                                sort_key = SORT_PIDS;
                        else if (strcmp(k, "throttled") == 0)
                                sort_key = SORT_THROTTLED;
                        else if (strcmp(k, "name") == 0)
                                sort_key = SORT_NAME;
                        else {
                                fprintf(stderr, "svctl: top: --sort takes cpu, mem, pids, throttled or name (see "
                                                "'svctl --help')\n");
                                return 2;
                        }
                } else if (strcmp(s, "top") == 0 && !seen_top)
                        seen_top = true;
                else {
                        fprintf(stderr, "svctl: top: unexpected argument '%s' (see 'svctl --help')\n", s);
                        return 2;
                }
        }
        if (!path && !((path = getenv("SVD_SOCKET")) && *path))
                path = PROTO_DEFAULT_SOCKET;

        bool tty = !json && isatty(STDOUT_FILENO);
        static struct row rows[4096];
        static struct prev prev[4096];
        size_t n_prev = 0;
        struct timespec last = {0};
        for (long it = 0; iterations < 0 || it < iterations; it++) {
                cJSON *reply = NULL;
                int r = request(path, &reply);
                if (r < 0) {
                        fprintf(stderr, "svctl: cannot get status from %s: %s\n", path, strerror(-r));
                        return 3;
                }
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                double dt = last.tv_sec ? (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9
                                        : 0;
                last = now;
                size_t n = collect(reply, rows, ELEMENTSOF(rows), prev, &n_prev, dt);
                cJSON_Delete(reply);
                qsort(rows, n, sizeof(rows[0]), cmp);
                if (json) {
                        cJSON *out = cJSON_CreateArray();
                        for (size_t i = 0; i < n; i++) {
                                cJSON *o = cJSON_CreateObject();
                                cJSON_AddStringToObject(o, "name", rows[i].name);
                                if (rows[i].cpu >= 0)
                                        cJSON_AddNumberToObject(o, "cpu_percent", rows[i].cpu);
                                else
                                        cJSON_AddNullToObject(o, "cpu_percent");
                                if (rows[i].thr_pct >= 0)
                                        cJSON_AddNumberToObject(o, "throttled_percent", rows[i].thr_pct);
                                else
                                        cJSON_AddNullToObject(o, "throttled_percent");
                                if (rows[i].thr >= 0)
                                        cJSON_AddNumberToObject(o, "cpu_throttled_usec", rows[i].thr);
                                cJSON_AddNumberToObject(o, "memory_current", rows[i].mem);
                                if (rows[i].peak >= 0)
                                        cJSON_AddNumberToObject(o, "memory_peak", rows[i].peak);
                                cJSON_AddNumberToObject(o, "pids_current", rows[i].pids);
                                if (rows[i].oom >= 0)
                                        cJSON_AddNumberToObject(o, "oom_kills", rows[i].oom);
                                cJSON_AddItemToArray(out, o);
                        }
                        char *s = cJSON_PrintUnformatted(out);
                        printf("%s\n", s ? s : "[]");
                        free(s);
                        cJSON_Delete(out);
                        fflush(stdout);
                } else
                        render(stdout, rows, n, tty, (int)it);
                if (iterations >= 0 && it + 1 >= iterations)
                        break;
                struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
                nanosleep(&ts, NULL);
        }
        return 0;
}
