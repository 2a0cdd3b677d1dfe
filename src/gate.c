/* gate: see gate.h. Percentages of memory_available are of MemTotal, so one
 * service file fits an 8 GB VPS and a 64 GB server. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "log.h"

static int meminfo(unsigned long long *total, unsigned long long *avail) {
        FILE *f = fopen("/proc/meminfo", "re");
        char line[256];
        int got = 0;
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f) && got < 2) {
                if (sscanf(line, "MemTotal: %llu kB", total) == 1)
                        got++;
                else if (sscanf(line, "MemAvailable: %llu kB", avail) == 1)
                        got++;
        }
        fclose(f);
        *total *= 1024;
        *avail *= 1024;
        return got == 2 ? 0 : -1;
}

/* -1 when PSI is missing: a kernel without CONFIG_PSI, or one that leaves it
 * off unless booted with psi=1. Said once; memory_pressure_below is then not
 * a condition (a service would otherwise wait for ever). */
static double psi_some_avg10(void) {
        static bool warned;
        FILE *f = fopen("/proc/pressure/memory", "re");
        double v = -1;
        if (!f) {
                if (!warned)
                        log_warn("start_when.memory_pressure_below: /proc/pressure/memory: %s (a kernel without "
                                 "PSI, or booted without psi=1): memory pressure is not checked",
                                 strerror(errno));
                warned = true;
                return -1;
        }
        if (fscanf(f, "some avg10=%lf", &v) != 1)
                v = -1;
        fclose(f);
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
