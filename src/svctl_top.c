/* svctl_top: `svctl top` — a refreshing table of services (and slices) by
 * CPU, throttled time, memory or pids, from the cgroup statistics in svd's status reply. CPU% is
 * computed here from the usage counters of two consecutive replies, so
 * several `top`s never disturb each other and svd samples nothing. Once it
 * has shown a table, top outlives svd's absences (a daemon-reexec, a crash
 * and restart, a refusal): a refresh without an answer shows the last rows
 * under a note and the next one asks again. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "proto.h"
#include "svctl_output.h"
#include "svctl_request.h"
#include "util.h"

struct row {
        const char *name;   /* svd's name, in the reply (valid while it is) */
        bool slice;
        char shown[80];     /* the name (".slice" added for a slice), safe for a terminal */
        char state[24];     /* for the table: safe for a terminal, "-" if none */
        const char *state_raw; /* for --json: svd's text as sent, NULL if none (valid with name) */
        double pid;         /* main process, <0 none */
        double cpu;         /* percent of one CPU, <0 unknown */
        double mem, peak, pids, oom, restarts;
        double usage;       /* cpu_usage_usec */
        double thr;         /* cpu_throttled_usec */
        double thr_pct;     /* throttled time over the interval, percent of it; <0 unknown */
        double mem_max, pids_max; /* memory.max, pids.max: INFINITY "max" (none), <0 unknown */
};

/* The counters of one row at the previous refresh. Keyed by kind and svd's
 * own name: a service may be called "X.slice", which is how slice X is
 * shown, and neither may be measured against the other's counter. */
struct prev {
        char *name;
        bool slice;
        double pid, usage, thr;
};

/* The rows of the previous refresh, sorted by key for bsearch; a key the
 * reply held twice is left out (whose counter would it be?). */
struct history {
        struct prev *v;
        size_t n, cap;
};

/* The rows of the table shown, pointing into the reply they came from
 * (owned here, kept while svd does not answer); grown to every row of a
 * reply, so left_out is only what memory could not hold. */
struct rows {
        struct row *v;
        size_t n, cap, left_out;
        cJSON *reply;
};

#define TOP_DELAY_MAX 86400 /* seconds between refreshes */
#define TOP_TIMEOUT_SEC 10  /* for one status request: a hung svd is a failed refresh */
#define TOP_BATCH_FAILURES 30 /* failed refreshes in a row that end top without a terminal */
#define TOP_NAME_WIDTH 28   /* at least; wider for the longest name shown */

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
        int c = strcmp(x->shown, y->shown);
        return c ? c : (int)x->slice - (int)y->slice;
}

static int key_cmp(bool slice_a, const char *a, bool slice_b, const char *b) {
        if (slice_a != slice_b)
                return slice_a ? 1 : -1;
        return strcmp(a, b);
}

static int prev_cmp(const void *a, const void *b) {
        const struct prev *x = a, *y = b;
        return key_cmp(x->slice, x->name, y->slice, y->name);
}

static const struct prev *history_find(const struct history *h, bool slice, const char *name) {
        struct prev key = {.name = (char *)name, .slice = slice};
        return h->n ? bsearch(&key, h->v, h->n, sizeof(h->v[0]), prev_cmp) : NULL;
}

static void history_clear(struct history *h) {
        for (size_t i = 0; i < h->n; i++)
                free(h->v[i].name);
        h->n = 0;
}

static void history_done(struct history *h) {
        history_clear(h);
        free(h->v);
        h->v = NULL;
        h->cap = 0;
}

/* Replaces the history with rows; -ENOMEM leaves it empty (the next refresh
 * shows no CPU%, nothing worse). */
static int history_set(struct history *h, const struct row *rows, size_t n) {
        history_clear(h);
        if (n > h->cap) {
                struct prev *v = realloc(h->v, n * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                h->v = v;
                h->cap = n;
        }
        for (size_t i = 0; i < n; i++) {
                char *name = strdup(rows[i].name);
                if (!name) {
                        history_clear(h);
                        return -ENOMEM;
                }
                h->v[h->n++] = (struct prev){name, rows[i].slice, rows[i].pid, rows[i].usage, rows[i].thr};
        }
        if (h->n > 1) /* (h->v may be NULL when empty) */
                qsort(h->v, h->n, sizeof(h->v[0]), prev_cmp);
        size_t kept = 0;
        for (size_t i = 0; i < h->n;) {
                size_t j = i + 1;
                while (j < h->n && prev_cmp(&h->v[i], &h->v[j]) == 0)
                        j++;
                if (j == i + 1)
                        h->v[kept++] = h->v[i];
                else
                        for (size_t k = i; k < j; k++)
                                free(h->v[k].name);
                i = j;
        }
        h->n = kept;
        return 0;
}

/* A counter or gauge from the reply; -1 if absent, null, negative, or past
 * what a 64-bit counter holds (so the casts for printing stay defined). */
static double num(const cJSON *o, const char *k) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0))
                return -1;
        return v->valuedouble;
}

/* A limit in o's "limits" (memory.max, pids.max, as the kernel has them in
 * svctl status): the number, INFINITY for "max" (none), -1 if unknown. */
static double limit(const cJSON *o, const char *k) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "limits"), k);
        unsigned long long n;
        if (!cJSON_IsString(v))
                return -1;
        if (strcmp(v->valuestring, "max") == 0)
                return INFINITY;
        return parse_uint(v->valuestring, UINT64_MAX, &n) < 0 ? -1 : (double)n;
}

static const char *fmt_bytes(double b, char *buf, size_t len) {
        if (b < 0)
                return "-";
        return format_size((uint64_t)b, buf, len);
}

static int request(const char *path, cJSON **ret) {
        int fd = unix_connect(path, SOCK_STREAM, TOP_TIMEOUT_SEC);
        if (fd < 0)
                return fd;
        cJSON *req = cJSON_CreateObject();
        if (!req) {
                close(fd);
                return -ENOMEM;
        }
        cJSON_AddNumberToObject(req, "v", PROTO_VERSION);
        cJSON_AddStringToObject(req, "op", "status");
        int r = proto_send(fd, req);
        cJSON_Delete(req);
        r = r >= 0 ? proto_recv(fd, ret) : svctl_early_reply(fd, r, ret);
        close(fd);
        return r;
}

/* One status reply in *ret; otherwise the exit status top would end with
 * (3 svd not reached, 1 refused or not understood), the message svctl
 * prints for it in msg (one or more lines) and its first line, without
 * "svctl: ", in why. */
static int fetch(const char *path, cJSON **ret, char *msg, size_t msg_len, char *why, size_t why_len) {
        _cleanup_(proto_msg_freep) cJSON *reply = NULL;
        int r = request(path, &reply);
        if (r == -EAGAIN || r == -EWOULDBLOCK) {
                snprintf(why, why_len, "no answer within %d s", TOP_TIMEOUT_SEC);
                snprintf(msg, msg_len, "svctl: no status from %s within %d s\n", path, TOP_TIMEOUT_SEC);
                return 3;
        }
        if (r < 0) {
                snprintf(why, why_len, "%s", strerror(-r));
                char cause[128];
                snprintf(msg, msg_len, "svctl: cannot get status from %s: %s\n", path,
                         svctl_connect_why(path, r, cause, sizeof cause));
                return 3;
        }
        FILE *f = fmemopen(msg, msg_len, "w");
        if (!f) {
                snprintf(why, why_len, "%s", strerror(errno));
                snprintf(msg, msg_len, "svctl: %s\n", why);
                return 1;
        }
        r = svctl_check_reply(f, reply);
        fclose(f); /* (the message is cut at msg_len, terminated) */
        if (r >= 0) {
                *ret = reply;
                reply = NULL;
                return 0;
        }
        /* the first line, without "svctl: ", safe for a terminal */
        const char *m = strncmp(msg, "svctl: ", 7) == 0 ? msg + 7 : msg;
        char line[256];
        snprintf(line, sizeof(line), "%.*s", (int)strcspn(m, "\n"), m);
        svctl_safe_copy(why, why_len, line);
        return 1;
}

/* CPU% and THR% of r over the dt seconds since the history's refresh;
 * unknown without an earlier sample of the same service or slice in the same
 * cgroup. Another main pid is a restart, and a restart is a new cgroup whose
 * counters began at 0 (a MAINPID= change costs one interval's figures: a
 * wrong figure would be worse). */
static void rates(struct row *r, const struct history *h, double dt) {
        r->cpu = r->thr_pct = -1;
        const struct prev *p = dt > 0 ? history_find(h, r->slice, r->name) : NULL;
        if (!p || p->pid != r->pid)
                return;
        if (r->usage >= p->usage && p->usage >= 0)
                r->cpu = (r->usage - p->usage) / (dt * 1e6) * 100.0;
        if (r->thr >= p->thr && p->thr >= 0)
                r->thr_pct = (r->thr - p->thr) / (dt * 1e6) * 100.0;
}

static size_t named_entries(const cJSON *arr) {
        const cJSON *o;
        size_t n = 0;
        cJSON_ArrayForEach(o, arr) {
                if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "name")))
                        n++;
        }
        return n;
}

/* rs becomes the rows of reply (it takes the reply: they point into it),
 * and the history is replaced by them. An entry without a name is skipped:
 * nothing would tell it apart. */
static void collect(cJSON *reply, struct rows *rs, struct history *h, double dt) {
        const char *lists[] = {"services", "slices"};
        size_t want = 0, n = 0;
        for (int l = 0; l < 2; l++) {
                const cJSON *arr = cJSON_GetObjectItemCaseSensitive(reply, lists[l]);
                if (cJSON_IsArray(arr))
                        want += named_entries(arr);
        }
        if (want > rs->cap) {
                struct row *v = reallocarray(rs->v, want, sizeof(*v));
                if (v) {
                        rs->v = v;
                        rs->cap = want;
                }
        }
        for (int l = 0; l < 2; l++) {
                const cJSON *arr = cJSON_GetObjectItemCaseSensitive(reply, lists[l]), *o;
                if (!cJSON_IsArray(arr))
                        continue;
                cJSON_ArrayForEach(o, arr) {
                        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
                        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
                        if (n >= rs->cap)
                                break;
                        if (!cJSON_IsString(nm))
                                continue;
                        struct row *r = &rs->v[n++];
                        memset(r, 0, sizeof(*r));
                        r->name = nm->valuestring;
                        r->slice = l == 1;
                        size_t len = svctl_safe_copy(r->shown, sizeof(r->shown), r->name);
                        if (r->slice)
                                snprintf(r->shown + len, sizeof(r->shown) - len, ".slice");
                        svctl_safe_copy(r->state, sizeof(r->state), cJSON_IsString(st) ? st->valuestring : "-");
                        r->state_raw = cJSON_IsString(st) ? st->valuestring : NULL;
                        r->pid = num(o, "pid");
                        r->usage = num(o, "cpu_usage_usec");
                        r->mem = num(o, "memory_current");
                        r->peak = num(o, "memory_peak");
                        r->pids = num(o, "pids_current");
                        r->oom = num(o, "oom_kills");
                        r->restarts = num(o, "restarts");
                        r->thr = num(o, "cpu_throttled_usec");
                        r->mem_max = limit(o, "memory.max");
                        r->pids_max = limit(o, "pids.max");
                        rates(r, h, dt);
                }
        }
        (void)history_set(h, rs->v, n);
        cJSON_Delete(rs->reply);
        rs->reply = reply;
        rs->n = n;
        rs->left_out = want - n;
}

static void rows_done(struct rows *rs) {
        free(rs->v);
        cJSON_Delete(rs->reply);
        *rs = (struct rows){0};
}

/* One line of the table, cut at cols characters (UTF-8 lead bytes; 0: no
 * limit): on a terminal a longer line would wrap and push the table down. */
static void put_line(FILE *f, int cols, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put_line(FILE *f, int cols, const char *fmt, ...) {
        char line[512];
        va_list ap;
        va_start(ap, fmt);
        int len = vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        size_t n = len < 0 ? 0 : (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
        if (cols > 0) {
                size_t i = 0;
                for (int c = 0; i < n; i++)
                        if (((unsigned char)line[i] & 0xc0) != 0x80 && c++ == cols)
                                break;
                n = i;
        }
        fwrite(line, 1, n, f);
        fputc('\n', f);
}

/* The table; note (svd not answering), when set, on the line above it. On
 * a terminal of lines x cols (0: unknown) it fits the window: the rows that
 * do not fit (the last ones in the sort order) are counted instead, and the
 * window's last line stays empty (writing there would scroll the header
 * away at each refresh). */
static void render(FILE *f, const struct rows *t, const char *note, bool tty, long iter, int lines, int cols) {
        char mem[32], peak[32], cpu[16], thr[16], pids[24], oom[24], rs[24], mmax[32], pmax[24];
        const struct row *rows = t->v;
        size_t n = t->n, show = n;
        int w = TOP_NAME_WIDTH;
        for (size_t i = 0; i < n; i++)
                if ((int)strlen(rows[i].shown) > w)
                        w = (int)strlen(rows[i].shown);
        if (lines > 0) {
                long room = lines - 2 - (note != NULL) - (t->left_out > 0);
                if (room < 1)
                        room = 1;
                if ((long)n > room)
                        show = (size_t)room - 1;
        }
        if (tty)
                fputs("\033[H\033[2J", f); /* home + clear: redraw in place */
        else if (iter)
                fputc('\n', f);
        if (note)
                put_line(f, cols, "%s", note);
        put_line(f, cols, "%-*s %-9s %7s %6s %9s %9s %9s %6s %6s %4s %8s", w, "NAME", "STATE", "CPU%", "THR%", "MEM",
                 "PEAK", "MEMMAX", "PIDS", "PIDMAX", "OOM", "RESTARTS");
        for (size_t i = 0; i < show; i++) {
                const struct row *r = &rows[i];
                snprintf(cpu, sizeof(cpu), r->cpu >= 0 ? "%.1f" : "-", r->cpu);
                snprintf(thr, sizeof(thr), r->thr_pct >= 0 ? "%.1f" : "-", r->thr_pct);
                snprintf(pids, sizeof(pids), r->pids >= 0 ? "%.0f" : "-", r->pids);
                snprintf(oom, sizeof(oom), r->oom >= 0 ? "%.0f" : "-", r->oom);
                snprintf(rs, sizeof(rs), r->restarts >= 0 ? "%.0f" : "-", r->restarts);
                snprintf(pmax, sizeof(pmax), isinf(r->pids_max) ? "max" : r->pids_max >= 0 ? "%.0f" : "-", r->pids_max);
                put_line(f, cols, "%-*s %-9.9s %7s %6s %9s %9s %9s %6s %6s %4s %8s", w, r->shown,
                         r->slice ? "" : r->state, cpu, thr, fmt_bytes(r->mem, mem, sizeof(mem)),
                         fmt_bytes(r->peak, peak, sizeof(peak)),
                         isinf(r->mem_max) ? "max" : fmt_bytes(r->mem_max, mmax, sizeof(mmax)), pids, pmax, oom, rs);
        }
        if (show < n)
                put_line(f, cols, "(%zu more rows: a larger window, a pipe or --json shows them)", n - show);
        if (t->left_out)
                put_line(f, cols, "(%zu more rows not shown: out of memory)", t->left_out);
        fflush(f);
}

/* A figure, or null where svctl does not know it (no cgroup, not read).
 * Whether it was added. */
static bool add_figure(cJSON *o, const char *key, double v) {
        if (v >= 0)
                return cJSON_AddNumberToObject(o, key, v) != NULL;
        return cJSON_AddNullToObject(o, key) != NULL;
}

/* A limit as in svctl status --json: "max" for none, null if unknown. */
static bool add_limit(cJSON *o, const char *key, double v) {
        if (isinf(v))
                return cJSON_AddStringToObject(o, key, "max") != NULL;
        return add_figure(o, key, v);
}

/* One refresh's array on one line of f; -ENOMEM (and nothing written) when
 * any of it could not be held or built: a row or a key left out, or an
 * empty array, would pass for what svd said. */
static int print_json(FILE *f, const struct rows *rs) {
        const struct row *rows = rs->v;
        size_t n = rs->n;
        cJSON *out = rs->left_out ? NULL : cJSON_CreateArray();
        bool ok = out != NULL;
        for (size_t i = 0; ok && i < n; i++) {
                const struct row *r = &rows[i];
                cJSON *o = cJSON_CreateObject();
                if (!o || !cJSON_AddItemToArray(out, o)) {
                        cJSON_Delete(o);
                        ok = false;
                        break;
                }
                char *name = NULL;
                if (asprintf(&name, "%s%s", r->name, r->slice ? ".slice" : "") < 0) {
                        ok = false;
                        break;
                }
                ok = cJSON_AddStringToObject(o, "name", name) != NULL;
                free(name);
                ok = ok && cJSON_AddStringToObject(o, "kind", r->slice ? "slice" : "service");
                /* as in svctl status --json; a slice has neither */
                if (!r->slice && r->state_raw)
                        ok = ok && cJSON_AddStringToObject(o, "state", r->state_raw);
                else
                        ok = ok && cJSON_AddNullToObject(o, "state");
                ok = ok && add_figure(o, "restarts", r->slice ? -1 : r->restarts);
                ok = ok && add_figure(o, "cpu_percent", r->cpu);
                ok = ok && add_figure(o, "throttled_percent", r->thr_pct);
                ok = ok && add_figure(o, "cpu_throttled_usec", r->thr);
                ok = ok && add_figure(o, "memory_current", r->mem);
                ok = ok && add_figure(o, "memory_peak", r->peak);
                ok = ok && add_figure(o, "pids_current", r->pids);
                ok = ok && add_figure(o, "oom_kills", r->oom);
                ok = ok && add_limit(o, "memory_max", r->mem_max);
                ok = ok && add_limit(o, "pids_max", r->pids_max);
        }
        char *s = ok ? cJSON_PrintUnformatted(out) : NULL;
        cJSON_Delete(out);
        if (!s)
                return -ENOMEM;
        fprintf(f, "%s\n", s);
        free(s);
        fflush(f);
        return 0;
}

/* One refresh's output, built in memory (frame, len), to stdout in one
 * write: a failure says why with its errno, which a write failing in the
 * middle of a table, noticed later by ferror(), no longer has. */
static int put_frame(const char *frame, size_t len) {
        if (fwrite(frame, 1, len, stdout) == len && fflush(stdout) == 0)
                return 0;
        fprintf(stderr, "svctl: cannot write output: %s\n", strerror(errno));
        return -EIO;
}

/* On a terminal, q ends top: stdin reads keys as typed (no echo). The
 * terminal's settings come back at the end, and at a signal that ends top
 * (Ctrl-C), from the handler itself, which then ends svctl as the signal
 * would have. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_raw;

static void tty_restore(void) {
        if (tty_raw) {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
                tty_raw = 0;
        }
}

static void on_signal(int sig) {
        tty_restore();
        signal(sig, SIG_DFL);
        raise(sig);
}

static void tty_keys(void) {
        struct termios raw;
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
                return;
        raw = saved_tty;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < 3; i++)
                sigaction((int[]){SIGINT, SIGTERM, SIGHUP}[i], &sa, NULL);
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
                tty_raw = 1;
}

/* Waits delay seconds; true if q was typed meanwhile (with keys read). */
static bool wait_quit(double delay) {
        struct timespec end, now;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += (time_t)delay;
        end.tv_nsec += (long)((delay - (double)(time_t)delay) * 1e9);
        if (end.tv_nsec >= 1000000000L) {
                end.tv_sec++;
                end.tv_nsec -= 1000000000L;
        }
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                long long ns = (long long)(end.tv_sec - now.tv_sec) * 1000000000LL + (end.tv_nsec - now.tv_nsec);
                if (ns <= 0)
                        return false;
                long long ms = (ns + 999999) / 1000000; /* never short of the delay: CPU% divides by it */
                struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
                int r = poll(&p, tty_raw ? 1 : 0, (int)(ms > 1000000 ? 1000000 : ms));
                if (r <= 0 || !(p.revents & (POLLIN | POLLHUP)))
                        continue; /* a timeout, EINTR: the deadline decides */
                char c;
                ssize_t k = read(STDIN_FILENO, &c, 1);
                if (k == 1 && (c == 'q' || c == 'Q'))
                        return true;
                if (k <= 0)
                        tty_restore(); /* stdin gone: only Ctrl-C then */
        }
}

/* s is the last word and an option that takes a value: says which (it was
 * "unexpected argument '-d'", as if -d were unknown) and returns true. */
static bool option_value_missing(const char *s)
{
        static const struct {
                const char *opt, *alt, *what;
        } opts[] = {
                { "-d", "--delay", "SECS" },
                { "-n", "--iterations", "a COUNT of refreshes" },
                { "--sort", NULL, "cpu, mem, pids, throttled or name" },
                { "-s", "--socket", "a SOCKET path" },
        };
        for (size_t i = 0; i < ELEMENTSOF(opts); i++)
                if (strcmp(s, opts[i].opt) == 0 || (opts[i].alt && strcmp(s, opts[i].alt) == 0)) {
                        fprintf(stderr, "svctl: top: option '%s' needs %s (see 'svctl --help')\n", s, opts[i].what);
                        return true;
                }
        return false;
}

int svctl_top_main(int argc, char **argv) {
        const char *path = NULL;
        double delay = 1.0;
        long iterations = -1;
        bool json = false, seen_top = false, options_done = false;
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];
                if (!options_done && strcmp(s, "--") == 0)
                        options_done = true; /* as in svctl.c; top takes no NAME */
                else if (options_done && s[0] == '-') {
                        fprintf(stderr, "svctl: top: unexpected argument '%s' (see 'svctl --help')\n", s);
                        return 2;
                } else if ((strcmp(s, "-s") == 0 || strcmp(s, "--socket") == 0) && i + 1 < argc)
                        path = argv[++i];
                else if (strncmp(s, "--socket=", 9) == 0)
                        path = s + 9;
                else if (strncmp(s, "-s", 2) == 0 && s[2]) { /* -sSOCKET, as in svctl.c */
                        if (!(path = svctl_socket_joined(s)))
                                return 2;
                }
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
                                fprintf(stderr, "svctl: top: bad iteration count '%s' (1 to 1000000)\n", argv[i]);
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
                else if (option_value_missing(s))
                        return 2;
                else {
                        /* a word that is no option (top takes no NAME) is
                         * unexpected */
                        if (s[0] == '-' && s[1])
                                svctl_unknown_option("top", s);
                        else
                                fprintf(stderr, "svctl: top: unexpected argument '%s' (see 'svctl --help')\n", s);
                        return 2;
                }
        }
        if (path && !*path) {
                fprintf(stderr, "svctl: top: the SOCKET path is empty (see 'svctl --help')\n");
                return 2;
        }
        if (!path && !((path = getenv("SVD_SOCKET")) && *path))
                path = PROTO_DEFAULT_SOCKET;

        bool tty = !json && isatty(STDOUT_FILENO);
        _cleanup_(rows_done) struct rows rows = {0};
        _cleanup_(history_done) struct history hist = {0};
        struct timespec last = {0};
        bool have_last = false;
        long failures = 0; /* failed refreshes in a row */
        char since[16] = "", msg[512], why[256], note[320];
        int status = 0;
        if (tty)
                tty_keys();
        for (long it = 0; iterations < 0 || it < iterations; it++) {
                cJSON *reply = NULL;
                _cleanup_(freep) char *frame = NULL;
                size_t frame_len = 0;
                FILE *out = open_memstream(&frame, &frame_len);
                /* read at each refresh: the window may have been resized */
                struct winsize ws = { 0 };
                if (!tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
                        ws = (struct winsize){ 0 };
                if (!out) {
                        fprintf(stderr, "svctl: %s\n", strerror(errno));
                        status = 1;
                        break;
                }
                int r = fetch(path, &reply, msg, sizeof(msg), why, sizeof(why));
                if (r > 0 && !have_last) {
                        /* nothing shown yet: a wrong socket, svd not
                         * running, a refusal; said at once */
                        fputs(msg, stderr);
                        fclose(out);
                        status = r;
                        break;
                }
                if (r > 0) {
                        if (failures++ == 0) {
                                time_t t = time(NULL);
                                struct tm tm;
                                if (!localtime_r(&t, &tm) || !strftime(since, sizeof(since), "%H:%M:%S", &tm))
                                        snprintf(since, sizeof(since), "?");
                        }
                        snprintf(note, sizeof(note), "svd not answering since %s: %s", since, why);
                        if (json)
                                fprintf(stderr, "svctl: %s\n", note);
                        else
                                render(out, &rows, note, tty, it, ws.ws_row, ws.ws_col);
                        /* without a terminal nobody is watching to press
                         * q: a run that cannot end is worse (after this
                         * refresh's rows) */
                        if (!tty && failures >= TOP_BATCH_FAILURES)
                                status = r;
                } else {
                        failures = 0;
                        struct timespec now;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        double dt = have_last ? (double)(now.tv_sec - last.tv_sec) +
                                                        (double)(now.tv_nsec - last.tv_nsec) / 1e9
                                              : 0;
                        last = now;
                        have_last = true;
                        collect(reply, &rows, &hist, dt);
                        if (rows.n > 1)
                                qsort(rows.v, rows.n, sizeof(rows.v[0]), cmp);
                        if (json && print_json(out, &rows) < 0) {
                                fclose(out); /* (nothing of this refresh is printed) */
                                fprintf(stderr, "svctl: top: out of memory building the JSON text\n");
                                status = 1;
                                break;
                        } else if (!json)
                                render(out, &rows, NULL, tty, it, ws.ws_row, ws.ws_col);
                }
                bool built = !ferror(out);
                if (fclose(out) != 0 || !built) { /* a memory stream: only memory fails */
                        fprintf(stderr, "svctl: %s\n", strerror(ENOMEM));
                        status = 1;
                        break;
                }
                if (put_frame(frame, frame_len) < 0) {
                        status = 1;
                        break;
                }
                if (status) {
                        fprintf(stderr, "svctl: top: svd not answering since %s (%ld refreshes): %s\n", since,
                                failures, why);
                        break;
                }
                if (iterations >= 0 && it + 1 >= iterations)
                        break;
                if (wait_quit(delay))
                        break;
        }
        tty_restore();
        return status;
}
