/* svctl_output: rendering of svd's replies for svctl. Every value read from a
 * reply goes through a typed getter that falls back to "-" (tables) or null
 * (JSON), because the daemon may be older, newer or simply wrong, and a status
 * command must still show what it can. Strings are copied with control bytes
 * replaced before they reach a terminal, so a service name or exit reason can
 * not smuggle escape sequences into the operator's screen. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "svctl_output.h"
#include "svctl_reload.h"
#include "utf8.h"
#include "util.h"

/* Longest cell we print; a runaway "reason" must not wreck the table. */
#define CELL_MAX 160
/* Error messages get more room: they are the one line explaining a refusal,
 * and one naming a path (svd's reasons: up to PATH_MAX + 512) is not cut. */
#define ERROR_MAX (PATH_MAX + 512)

static const char *get_str(const cJSON *o, const char *key)
{
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(it) ? it->valuestring : NULL;
}

static bool get_num(const cJSON *o, const char *key, double *ret)
{
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
                return false;
        *ret = it->valuedouble;
        return true;
}

size_t svctl_safe_copy(char *dst, size_t len, const char *src)
{
        return utf8_clean(src, strlen(src), dst, len, 0);
}

/* Heap copy of s (or "-" for NULL) safe to print on a terminal, cut on a
 * character boundary to max bytes (max >= 3), "..." marking a cut. */
static char *safe_dup(const char *s, size_t max)
{
        if (!s)
                s = "-";
        /* only what can be shown is cleaned: escapes make text longer */
        size_t n = strnlen(s, max + 1);
        char *c = malloc(UTF8_CLEAN_MAX(n));
        if (!c)
                return NULL;
        size_t w = utf8_clean(s, n, c, UTF8_CLEAN_MAX(n), 0);
        if (w > max || s[n]) {
                w = utf8_cut(c, w, max - 3);
                memcpy(c + w, "...", 4);
        }
        return c;
}

static char *cell_dup(const char *s)
{
        return safe_dup(s, CELL_MAX);
}

const char *svctl_format_age(uint64_t usec, char *buf, size_t len)
{
        static const struct {
                uint64_t sec;
                const char *suffix;
        } units[] = { { 86400, "d" }, { 3600, "h" }, { 60, "m" }, { 1, "s" } };
        uint64_t s = usec / 1000000;

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (s < units[i].sec && units[i].sec > 1)
                        continue;
                uint64_t major = s / units[i].sec, rest = s % units[i].sec;
                if (i + 1 < ELEMENTSOF(units) && rest / units[i + 1].sec > 0)
                        snprintf(buf, len, "%" PRIu64 "%s%" PRIu64 "%s", major, units[i].suffix,
                                 rest / units[i + 1].sec, units[i + 1].suffix);
                else
                        snprintf(buf, len, "%" PRIu64 "%s", major, units[i].suffix);
                return buf;
        }
        snprintf(buf, len, "0s");
        return buf;
}

static int print_json(FILE *f, const cJSON *o)
{
        _cleanup_(freep) char *s = cJSON_PrintUnformatted(o);
        if (!s)
                return -ENOMEM;
        fprintf(f, "%s\n", s);
        return 0;
}

/* ---- status ---- */

enum col { COL_NAME, COL_STATE, COL_HEALTH, COL_PID, COL_UPTIME, COL_RESTARTS, COL_LAST_EXIT, COL_REASON, _COL_MAX };

static const char *const col_titles[_COL_MAX] = {
        "NAME", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS", "LAST-EXIT", "REASON",
};

struct table {
        size_t n_rows;
        char *(*cells)[_COL_MAX];
};

static void table_free(struct table *t)
{
        if (!t->cells)
                return;
        for (size_t r = 0; r < t->n_rows; r++)
                for (size_t c = 0; c < _COL_MAX; c++)
                        free(t->cells[r][c]);
        free(t->cells);
        t->cells = NULL;
}

static const char *uptime_cell(const cJSON *svc, double now, bool have_now, char *buf, size_t len)
{
        double v, since;
        const char *state = get_str(svc, "state");

        /* Bounds keep the double -> integer conversion defined (~31 years). */
        if (get_num(svc, "uptime_usec", &v) && v >= 0 && v < 1e15)
                return svctl_format_age((uint64_t)v, buf, len);
        /* Older or terser servers: derive it from the last state change. */
        if (state && (strcmp(state, "running") == 0 || strcmp(state, "starting") == 0) && have_now &&
            get_num(svc, "since", &since) && now >= since && now - since < 1e9)
                return svctl_format_age((uint64_t)((now - since) * 1e6), buf, len);
        return NULL;
}

static int fill_row(char **row, const cJSON *svc, double now, bool have_now)
{
        char pid[32], restarts[32], uptime[32];
        const char *cell[_COL_MAX] = { NULL };
        double v;

        cell[COL_NAME] = get_str(svc, "name");
        cell[COL_STATE] = get_str(svc, "state");
        cell[COL_HEALTH] = get_str(svc, "health");
        if (get_num(svc, "pid", &v) && v >= 1 && v <= INT32_MAX) {
                snprintf(pid, sizeof(pid), "%" PRId32, (int32_t)v);
                cell[COL_PID] = pid;
        }
        cell[COL_UPTIME] = uptime_cell(svc, now, have_now, uptime, sizeof(uptime));
        if (get_num(svc, "restarts", &v) && v >= 0 && v <= UINT32_MAX) {
                snprintf(restarts, sizeof(restarts), "%" PRIu32, (uint32_t)v);
                cell[COL_RESTARTS] = restarts;
        }
        cell[COL_LAST_EXIT] = get_str(svc, "last_exit");
        cell[COL_REASON] = get_str(svc, "reason");

        for (size_t c = 0; c < _COL_MAX; c++) {
                row[c] = cell_dup(cell[c]);
                if (!row[c])
                        return -ENOMEM;
        }
        return 0;
}

static int print_status_table(FILE *f, const cJSON *services, double now, bool have_now)
{
        _cleanup_(table_free) struct table t = { 0 };
        size_t width[_COL_MAX];
        bool any_reason = false;
        const cJSON *svc;

        t.cells = calloc((size_t)cJSON_GetArraySize(services) + 1, sizeof(*t.cells));
        if (!t.cells)
                return -ENOMEM;
        cJSON_ArrayForEach(svc, services) {
                if (!cJSON_IsObject(svc))
                        continue;
                int r = fill_row(t.cells[t.n_rows++], svc, now, have_now);
                if (r < 0)
                        return r;
                if (get_str(svc, "reason"))
                        any_reason = true;
        }

        /* REASON only earns a column when some service has one. */
        size_t n_cols = any_reason ? _COL_MAX : COL_REASON;
        for (size_t c = 0; c < n_cols; c++) {
                width[c] = strlen(col_titles[c]);
                for (size_t r = 0; r < t.n_rows; r++)
                        if (strlen(t.cells[r][c]) > width[c])
                                width[c] = strlen(t.cells[r][c]);
        }

        for (size_t r = 0; r <= t.n_rows; r++)
                for (size_t c = 0; c < n_cols; c++) {
                        const char *s = r == 0 ? col_titles[c] : t.cells[r - 1][c];
                        if (c + 1 == n_cols)
                                fprintf(f, "%s\n", s); /* no trailing blanks */
                        else
                                fprintf(f, "%-*s  ", (int)width[c], s);
                }
        return 0;
}

static const char *const status_keys[] = { "name", "state", "health", "pid", "restarts", "since", "last_exit" };

/* The services; with cgroups, also the slices' usage and how services are
 * put in their cgroup ("cgroup_spawn"). */
static int print_status_json(FILE *f, const cJSON *reply, const cJSON *services)
{
        _cleanup_(proto_msg_freep) cJSON *out = cJSON_CreateObject();
        cJSON *arr = out ? cJSON_AddArrayToObject(out, "services") : NULL;
        const cJSON *svc;
        const char *const extra[] = { "slices", "cgroup_spawn", "reexec" };

        if (!arr)
                return -ENOMEM;
        cJSON_ArrayForEach(svc, services) {
                if (!cJSON_IsObject(svc))
                        continue;
                cJSON *copy = cJSON_Duplicate(svc, true);
                if (!copy)
                        return -ENOMEM;
                cJSON_AddItemToArray(arr, copy);
                /* A stable schema for scripts: the documented keys are always there. */
                for (size_t i = 0; i < ELEMENTSOF(status_keys); i++)
                        if (!cJSON_HasObjectItem(copy, status_keys[i]) && !cJSON_AddNullToObject(copy, status_keys[i]))
                                return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(extra); i++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, extra[i]);
                cJSON *copy = v ? cJSON_Duplicate(v, true) : NULL;
                if (v && (!copy || !cJSON_AddItemToObject(out, extra[i], copy))) {
                        cJSON_Delete(copy);
                        return -ENOMEM;
                }
        }
        return print_json(f, out);
}

/* svd as PID 1 in its emergency state: no services, the cause instead. */
static void print_emergency(FILE *f, const cJSON *e, double now, bool have_now)
{
        char *reason = svctl_error_dup(get_str(e, "reason"));
        char age[48] = "", buf[32];
        double since, pid;
        if (have_now && get_num(e, "since", &since) && now >= since && now - since < 1e9)
                snprintf(age, sizeof(age), " (for %s)",
                         svctl_format_age((uint64_t)((now - since) * 1e6), buf, sizeof(buf)));
        fprintf(f, "EMERGENCY%s: %s\n", age, reason ? reason : "-");
        free(reason);
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(e, "details")) {
                char *t = cJSON_IsString(d) ? svctl_error_dup(d->valuestring) : NULL;
                if (t)
                        fprintf(f, "  %s\n", t);
                free(t);
        }
        char *shell = safe_dup(get_str(e, "shell"), CELL_MAX);
        if (get_str(e, "shell") && get_num(e, "shell_pid", &pid) && pid >= 1 && pid <= INT32_MAX)
                fprintf(f, "emergency shell: %s (pid %" PRId32 ") on the console\n", shell, (int32_t)pid);
        else if (get_str(e, "shell"))
                fprintf(f, "emergency shell: %s (not running)\n", shell);
        free(shell);
        size_t n = 0;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(e, "carried")) {
                char *name = safe_dup(get_str(d, "name"), CELL_MAX);
                if (name && get_num(d, "pid", &pid) && pid >= 1 && pid <= INT32_MAX) {
                        if (!n++)
                                fprintf(f, "still running from before the daemon-reexec, unsupervised:\n");
                        fprintf(f, "  %s (pid %" PRId32 ")\n", name, (int32_t)pid);
                }
                free(name);
        }
        if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "reload")))
                fprintf(f, "%s; fix the cause, then: svctl reboot (or poweroff, halt)\n",
                        n ? "no other services run" : "no services run");
        else
                fprintf(f, "%s; fix the cause, then: svctl reload (svd starts again), or svctl reboot\n",
                        n ? "no other services run" : "no services run");
}

/* A slice has no row of its own: one with a reason (a limit the kernel
 * refused when svd last wrote them) gets a line below the table. */
static void print_slice_reasons(FILE *f, const cJSON *reply)
{
        const cJSON *sl;

        cJSON_ArrayForEach(sl, cJSON_GetObjectItemCaseSensitive(reply, "slices"))
        {
                if (!get_str(sl, "reason"))
                        continue;
                char *name = safe_dup(get_str(sl, "name"), CELL_MAX);
                char *why = safe_dup(get_str(sl, "reason"), 1024);
                if (name && why)
                        fprintf(f, "slice %s: %s\n", name, why);
                free(name);
                free(why);
        }
}

int svctl_print_status(FILE *f, const cJSON *reply, bool json)
{
        const cJSON *services = cJSON_GetObjectItemCaseSensitive(reply, "services");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "emergency");
        double now = 0;

        if (!cJSON_IsArray(services))
                return -EBADMSG;
        if (json && cJSON_IsObject(e)) {
                _cleanup_(proto_msg_freep) cJSON *out = cJSON_CreateObject();
                cJSON *copy = cJSON_Duplicate(e, true);
                if (!out || !copy || !cJSON_AddArrayToObject(out, "services") ||
                    !cJSON_AddItemToObject(out, "emergency", copy)) {
                        cJSON_Delete(copy);
                        return -ENOMEM;
                }
                return print_json(f, out);
        }
        if (json)
                return print_status_json(f, reply, services);
        bool have_now = get_num(reply, "now", &now);
        if (cJSON_IsObject(e)) {
                print_emergency(f, e, now, have_now);
                return 0;
        }
        int r = print_status_table(f, services, now, have_now);
        if (r >= 0)
                print_slice_reasons(f, reply);
        return r;
}

/* `svctl status NAME`: below the table, what a table cell cannot hold. Text
 * from services (probe output, STATUS=) is made safe for a terminal; probe
 * output keeps its line breaks, indented. */
static void print_detail_line(FILE *f, const char *label, const char *text)
{
        char *t = text ? safe_dup(text, 200) : NULL;
        if (t)
                fprintf(f, "  %-13s %s\n", label, t);
        free(t);
}

int svctl_print_details(FILE *f, const cJSON *reply)
{
        const cJSON *services = cJSON_GetObjectItemCaseSensitive(reply, "services"), *s;
        if (!cJSON_IsArray(services))
                return -EBADMSG;
        cJSON_ArrayForEach(s, services) {
                char *name = safe_dup(get_str(s, "name"), 80);
                fprintf(f, "\n%s:\n", name ? name : "?");
                free(name);
                print_detail_line(f, "reason:", get_str(s, "reason"));
                print_detail_line(f, "status:", get_str(s, "status"));
                print_detail_line(f, "last failure:", get_str(s, "last_failure"));
                double ooms;
                if (get_num(s, "oom_kills", &ooms) && ooms > 0) {
                        char line[32];
                        snprintf(line, sizeof(line), "%.0f", ooms);
                        print_detail_line(f, "OOM kills:", line);
                }
                const cJSON *lim = cJSON_GetObjectItemCaseSensitive(s, "limits"), *li;
                char cgl[256];
                size_t lo = 0;
                cgl[0] = 0;
                cJSON_ArrayForEach(li, lim) if (cJSON_IsString(li) && li->string && lo < sizeof(cgl))
                        lo += (size_t)snprintf(cgl + lo, sizeof(cgl) - lo, "%s%s %s", lo ? ", " : "", li->string,
                                               li->valuestring);
                if (cgl[0])
                        print_detail_line(f, "limits:", cgl);
                double mc, pc;
                if (get_num(s, "memory_current", &mc) && get_num(s, "pids_current", &pc)) {
                        snprintf(cgl, sizeof(cgl), "memory.current %.0f, pids.current %.0f", mc, pc);
                        print_detail_line(f, "usage:", cgl);
                }
                double nd;
                if (get_num(s, "notify_dropped", &nd) && nd > 0) {
                        char line[96];
                        snprintf(line, sizeof(line),
                                 "%.0f (sd_notify messages over its budget, since svd started)", nd);
                        print_detail_line(f, "notify drops:", line);
                }
                svctl_print_timer_details(f, s);
                double fails;
                const char *lp = get_str(s, "last_probe");
                if (lp) {
                        char line[320];
                        if (get_num(s, "probe_failures", &fails) && fails > 0)
                                snprintf(line, sizeof(line), "%s (%.0f consecutive failures)", lp, fails);
                        else
                                snprintf(line, sizeof(line), "%s", lp);
                        print_detail_line(f, "last probe:", line);
                }
                const char *out = get_str(s, "probe_output");
                if (!out && get_str(s, "last_probe") &&
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "probe_output_omitted")))
                        print_detail_line(f, "probe output:", "(left out: too much for one reply; name fewer services)");
                if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "probe_output_hidden")))
                        print_detail_line(f, "probe output:", "(shown to root and the admin group only)");
                if (out && *out) {
                        fprintf(f, "  %-13s\n", "probe output:");
                        /* line by line, each made terminal-safe */
                        const char *p = out;
                        while (*p) {
                                size_t l = strcspn(p, "\n");
                                char *seg = strndup(p, l);
                                char *safe = seg ? safe_dup(seg, 1024) : NULL;
                                if (safe)
                                        fprintf(f, "    %s\n", safe);
                                free(safe);
                                free(seg);
                                p += l + (p[l] ? 1 : 0);
                        }
                }
                const cJSON *w = cJSON_GetObjectItemCaseSensitive(s, "warnings"), *it;
                cJSON_ArrayForEach(it, w) if (cJSON_IsString(it)) print_detail_line(f, "warning:", it->valuestring);
        }
        return 0;
}

/* A time of the boot summary in microseconds; false when it is absent or
 * one no boot has (negative, over ~31 years, as for uptime_usec): the cast
 * to usec_t would be undefined, the figure garbage. */
static bool get_boot_usec(const cJSON *o, const char *key, double *ret)
{
        double v;
        if (!get_num(o, key, &v) || !(v >= 0 && v < 1e15))
                return false;
        *ret = v;
        return true;
}

int svctl_print_boot(FILE *f, const cJSON *reply, bool json)
{
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(reply, "boot");
        if (!cJSON_IsObject(b))
                return -EBADMSG;
        if (json)
                return print_json(f, b);
        double settled;
        char buf[32];
        if (get_boot_usec(b, "settled_usec", &settled))
                fprintf(f, "boot settled %s after svd started\n", format_duration((usec_t)settled, buf, sizeof(buf)));
        else
                fprintf(f, "boot not settled yet\n");
        fprintf(f, "%-28s %12s %12s %12s\n", "SERVICE", "SPAWNED", "UP", "OWN");
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(b, "services"), *s;
        cJSON_ArrayForEach(s, sv) {
                double sp, up;
                if (!get_boot_usec(s, "spawned_usec", &sp) || !get_boot_usec(s, "up_usec", &up))
                        continue;
                char *name = safe_dup(s->string, 28);
                fprintf(f, "%-28s %11.3fs %11.3fs %11.3fs\n", name ? name : "?", sp / 1e6, up / 1e6, (up - sp) / 1e6);
                free(name);
        }
        return 0;
}

/* ---- order, version, actions ---- */

int svctl_print_order(FILE *f, const cJSON *reply, bool json)
{
        const cJSON *waves = cJSON_GetObjectItemCaseSensitive(reply, "waves");
        const cJSON *wave, *name;
        int i = 0;

        if (!cJSON_IsArray(waves))
                return -EBADMSG;
        if (json) {
                _cleanup_(proto_msg_freep) cJSON *out = cJSON_CreateObject();
                cJSON *copy = cJSON_Duplicate(waves, true);
                if (!out || !copy || !cJSON_AddItemToObject(out, "waves", copy)) {
                        cJSON_Delete(copy);
                        return -ENOMEM;
                }
                return print_json(f, out);
        }

        cJSON_ArrayForEach(wave, waves) {
                fprintf(f, "%d:", ++i);
                if (!cJSON_IsArray(wave)) {
                        fprintf(f, " -\n");
                        continue;
                }
                cJSON_ArrayForEach(name, wave) {
                        _cleanup_(freep) char *s = cell_dup(cJSON_IsString(name) ? name->valuestring : NULL);
                        if (!s)
                                return -ENOMEM;
                        fprintf(f, " %s", s);
                }
                fputc('\n', f);
        }
        return 0;
}

int svctl_print_version(FILE *f, const cJSON *reply, const char *client_version, bool json)
{
        const char *server = get_str(reply, "version");
        const char *boot = get_str(reply, "boot_id");
        const char *instance = get_str(reply, "instance");
        double proto, pid = 0, start = 0;
        bool have_proto = get_num(reply, "protocol", &proto) && proto >= 0 && proto <= INT32_MAX;
        /* (an svd older than these fields sends none of them: null, "-") */
        bool have_pid = get_num(reply, "pid", &pid) && pid >= 1 && pid <= INT32_MAX && pid == (int32_t)pid;
        bool have_start = get_num(reply, "pid_start", &start) && start >= 0 && start <= 0x1p53 &&
                          start == (double)(uint64_t)start;

        if (json) {
                _cleanup_(proto_msg_freep) cJSON *out = cJSON_CreateObject();
                if (!out || !cJSON_AddStringToObject(out, "svctl", client_version) ||
                    !(server ? cJSON_AddStringToObject(out, "svd", server) : cJSON_AddNullToObject(out, "svd")) ||
                    !(have_proto ? cJSON_AddNumberToObject(out, "protocol", proto)
                                 : cJSON_AddNullToObject(out, "protocol")) ||
                    !(have_pid ? cJSON_AddNumberToObject(out, "pid", pid) : cJSON_AddNullToObject(out, "pid")) ||
                    !(have_start ? cJSON_AddNumberToObject(out, "pid_start", start)
                                 : cJSON_AddNullToObject(out, "pid_start")) ||
                    !(boot ? cJSON_AddStringToObject(out, "boot_id", boot) : cJSON_AddNullToObject(out, "boot_id")) ||
                    !(instance ? cJSON_AddStringToObject(out, "instance", instance)
                               : cJSON_AddNullToObject(out, "instance")))
                        return -ENOMEM;
                /* the last daemon-reexec (reexec_result.h), as svd sent it */
                const cJSON *rx = cJSON_GetObjectItemCaseSensitive(reply, "reexec");
                cJSON *copy = cJSON_IsObject(rx) ? cJSON_Duplicate(rx, true) : cJSON_CreateNull();
                if (!copy || !cJSON_AddItemToObject(out, "reexec", copy)) {
                        cJSON_Delete(copy);
                        return -ENOMEM;
                }
                return print_json(f, out);
        }

        _cleanup_(freep) char *s = cell_dup(server);
        if (!s)
                return -ENOMEM;
        fprintf(f, "svctl %s, svd %s (protocol ", client_version, s);
        if (have_proto)
                fprintf(f, "%" PRId32, (int32_t)proto);
        else
                fputc('-', f);
        if (have_pid)
                fprintf(f, ", pid %" PRId32 ")\n", (int32_t)pid);
        else
                fprintf(f, ", pid -)\n");
        return 0;
}

int svctl_print_action(FILE *f, const cJSON *reply, const char *requested_name, bool json)
{
        const char *name = get_str(reply, "name");
        const char *state = get_str(reply, "state");
        const char *note = get_str(reply, "note"); /* e.g. a restart delay cut short */

        if (!name)
                name = requested_name;
        if (json) {
                _cleanup_(proto_msg_freep) cJSON *out = cJSON_CreateObject();
                if (!out || !(name ? cJSON_AddStringToObject(out, "name", name) : cJSON_AddNullToObject(out, "name")) ||
                    !(state ? cJSON_AddStringToObject(out, "state", state) : cJSON_AddNullToObject(out, "state")) ||
                    (note && !cJSON_AddStringToObject(out, "note", note)))
                        return -ENOMEM;
                return print_json(f, out);
        }

        _cleanup_(freep) char *n = cell_dup(name);
        _cleanup_(freep) char *s = cell_dup(state);
        _cleanup_(freep) char *t = note ? cell_dup(note) : NULL;
        if (!n || !s || (note && !t))
                return -ENOMEM;
        fprintf(f, "%s: %s%s%s%s\n", n, s, t ? " (" : "", t ? t : "", t ? ")" : "");
        return 0;
}

char *svctl_error_dup(const char *text)
{
        return text ? safe_dup(text, ERROR_MAX) : NULL;
}

int svctl_print_error(FILE *f, const cJSON *reply)
{
        const char *err = get_str(reply, "error");
        _cleanup_(freep) char *s = svctl_error_dup(err ? err : "svd refused the request without saying why");
        if (!s)
                return -ENOMEM;
        fprintf(f, "svctl: %s\n", s);
        return 0;
}

int svctl_flush_stdout(void)
{
        if (fflush(stdout) != 0) {
                fprintf(stderr, "svctl: cannot write output: %s\n", strerror(errno));
                return -EIO;
        }
        if (ferror(stdout)) { /* an earlier write: its errno is gone */
                fprintf(stderr, "svctl: cannot write output\n");
                return -EIO;
        }
        return 0;
}

int svctl_exchange_failed(FILE *f, int r, int timeout_sec)
{
        switch (r) {
        case -EAGAIN:
                fprintf(f, "svctl: no reply from svd within %ds\n", timeout_sec);
                return 3;
        case -ECONNRESET:
        case -EPIPE:
                fprintf(f, "svctl: svd closed the connection without replying\n");
                return 3;
        case -EBADMSG:
        case -EILSEQ:
                fprintf(f, "svctl: malformed reply from svd (not a framed JSON object)\n");
                return 1;
        case -EMSGSIZE:
                fprintf(f, "svctl: reply from svd exceeds the %u-byte frame limit\n", PROTO_MAX_FRAME);
                return 1;
        default:
                fprintf(f, "svctl: no reply from svd: %s\n", strerror(-r));
                return 3;
        }
}

int svctl_check_reply(FILE *f, const cJSON *reply)
{
        /* A reply in another protocol version may mean anything; do not guess. */
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, "v");
        if (cJSON_IsNumber(v) && v->valuedouble != PROTO_VERSION) {
                fprintf(f, "svctl: svd speaks protocol version %g, this svctl speaks %d\n", v->valuedouble,
                        PROTO_VERSION);
                return -EPROTO;
        }
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
        if (!cJSON_IsBool(ok)) {
                fprintf(f, "svctl: malformed reply from svd: no 'ok' field\n");
                return -EPROTO;
        }
        if (cJSON_IsFalse(ok)) {
                if (svctl_print_error(f, reply) < 0)
                        fprintf(f, "svctl: request refused\n");
                svctl_print_error_lines(f, reply);
                const cJSON *code = cJSON_GetObjectItemCaseSensitive(reply, "code");
                return cJSON_IsNumber(code) && code->valuedouble == PROTO_E_NOT_FOUND ? -ENOENT : -EPERM;
        }
        return 0;
}
