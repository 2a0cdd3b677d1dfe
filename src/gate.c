/* gate: see gate.h. Percentages of memory_available are of MemTotal, so one
 * service file fits an 8 GB VPS and a 64 GB server. A file that cannot be
 * read (or lacks what is needed) opens its condition: a service would
 * otherwise wait for ever on what svd cannot see. That is logged once when
 * it starts, naming the file and the error, and once when it ends: not at
 * every recheck (every second while a service waits). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "log.h"

/* One file a condition is read from, and whether the last read failed. */
struct gate_src {
        const char *key, *path, *hint;
        bool failed;
};

static struct gate_src src_meminfo = { .key = "memory_available", .path = "/proc/meminfo", .hint = "" };
/* missing: a kernel without CONFIG_PSI, or one that leaves it off unless
 * booted with psi=1 */
static struct gate_src src_psi = { .key = "memory_pressure_below",
                                   .path = "/proc/pressure/memory",
                                   .hint = " (a kernel without PSI, or booted without psi=1)" };

static void src_failed(struct gate_src *g, const char *what, bool hint) {
        if (g->failed)
                return;
        g->failed = true;
        log_warn("start_when.%s: %s: %s%s: not checked until it can be read", g->key, g->path, what,
                 hint ? g->hint : "");
}

static void src_ok(struct gate_src *g) {
        if (!g->failed)
                return;
        g->failed = false;
        log_info("start_when.%s: %s can be read again: checked again", g->key, g->path);
}

static FILE *src_open(struct gate_src *g) {
        FILE *f = fopen(g->path, "re");
        if (!f)
                src_failed(g, strerror(errno), errno == ENOENT || errno == EOPNOTSUPP);
        return f;
}

/* Closes f; false (said once) if reading it failed. */
static bool src_close(struct gate_src *g, FILE *f) {
        int err = ferror(f) ? (errno ? errno : EIO) : 0;
        fclose(f);
        if (err)
                src_failed(g, strerror(err), false);
        return !err;
}

static int meminfo(unsigned long long *total, unsigned long long *avail) {
        FILE *f = src_open(&src_meminfo);
        char line[256];
        bool got_total = false, got_avail = false;
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f) && !(got_total && got_avail)) {
                if (sscanf(line, "MemTotal: %llu kB", total) == 1)
                        got_total = true;
                else if (sscanf(line, "MemAvailable: %llu kB", avail) == 1)
                        got_avail = true;
        }
        if (!src_close(&src_meminfo, f))
                return -1;
        if (!got_total || !got_avail) {
                /* MemAvailable is there since Linux 3.14 */
                src_failed(&src_meminfo, got_total ? "no MemAvailable line" : "no MemTotal line", false);
                return -1;
        }
        src_ok(&src_meminfo);
        *total *= 1024;
        *avail *= 1024;
        return 0;
}

/* -1 when it cannot be read: memory_pressure_below is then not a
 * condition. */
static double psi_some_avg10(void) {
        FILE *f = src_open(&src_psi);
        double v = -1;
        if (!f)
                return -1;
        int n = fscanf(f, "some avg10=%lf", &v);
        if (!src_close(&src_psi, f))
                return -1;
        if (n != 1) {
                src_failed(&src_psi, "no \"some avg10=\" at its start", false);
                return -1;
        }
        src_ok(&src_psi);
        return v;
}

bool gate_configured(const struct start_when_config *w) {
        return w->memory_available.set || w->memory_pressure_max > 0;
}

bool gate_open(const struct start_when_config *w, char *why, size_t len) {
        char a[32], b[32];
        if (w->memory_available.set) {
                unsigned long long total = 0, avail = 0;
                if (meminfo(&total, &avail) == 0) {
                        unsigned long long need = w->memory_available.percent
                                                          ? (unsigned long long)((double)total * w->memory_available.pct / 100.0)
                                                          : w->memory_available.bytes;
                        if (avail < need) {
                                snprintf(why, len, "waiting (memory): %s available needed, %s available",
                                         format_size(need, a, sizeof(a)), format_size(avail, b, sizeof(b)));
                                return false;
                        }
                }
        }
        if (w->memory_pressure_max > 0) {
                double p = psi_some_avg10();
                if (p >= w->memory_pressure_max) {
                        snprintf(why, len, "waiting (memory pressure): some avg10 %.2f%%, below %.2f%% needed", p,
                                 w->memory_pressure_max);
                        return false;
                }
        }
        return true;
}
