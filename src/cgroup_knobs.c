/* cgroup_knobs: a resources_config as cgroup v2 file contents, and their
 * writing into one cgroup (a slice's or a service's leaf): what each knob
 * file gets, the kernel's default for those left unset, io.max per device.
 * Used at every start and setup of slices (cgroup.c) and at a reload's live
 * change (cgroup_live.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "svd.h"

const char *const cgroup_knob_files[] = { "memory.max",      "memory.high", "memory.low", "memory.min",
                                          "memory.swap.max", "cpu.max",     "cpu.weight", "pids.max",
                                          "io.weight",       "cpuset.cpus", NULL };

static uint64_t size_bytes(const struct cfg_size *s, uint64_t host_ram)
{
        if (!s->percent)
                return s->bytes;
        return (uint64_t)((double)host_ram * s->pct / 100.0);
}

int cgroup_knob_value(const struct resources_config *r, const char *file, uint64_t host_ram, char *buf,
                      size_t len)
{
        const struct cfg_size *sz = NULL;
        if (strcmp(file, "memory.max") == 0)
                sz = &r->memory_max;
        else if (strcmp(file, "memory.high") == 0)
                sz = &r->memory_high;
        else if (strcmp(file, "memory.low") == 0)
                sz = &r->memory_low;
        else if (strcmp(file, "memory.min") == 0)
                sz = &r->memory_min;
        else if (strcmp(file, "memory.swap.max") == 0)
                sz = &r->memory_swap_max;
        if (sz) {
                if (!sz->set)
                        return -ENOENT;
                snprintf(buf, len, "%llu", (unsigned long long)size_bytes(sz, host_ram));
                return 0;
        }
        if (strcmp(file, "cpu.max") == 0) {
                if (r->cpus <= 0)
                        return -ENOENT;
                /* quota per 100 ms period; at least 1 ms, the kernel's floor */
                unsigned long long q = (unsigned long long)(r->cpus * 100000.0 + 0.5);
                snprintf(buf, len, "%llu 100000", q < 1000 ? 1000 : q);
                return 0;
        }
        if (strcmp(file, "cpu.weight") == 0 && r->cpu_weight) {
                snprintf(buf, len, "%u", r->cpu_weight);
                return 0;
        }
        if (strcmp(file, "pids.max") == 0 && r->pids_max) {
                snprintf(buf, len, "%llu", r->pids_max);
                return 0;
        }
        if (strcmp(file, "io.weight") == 0 && r->io_weight) {
                snprintf(buf, len, "default %u", r->io_weight);
                return 0;
        }
        if (strcmp(file, "cpuset.cpus") == 0 && r->cpuset_cpus) {
                snprintf(buf, len, "%s", r->cpuset_cpus);
                return 0;
        }
        return -ENOENT;
}

const char *cgroup_knob_default(const char *file)
{
        static const char *const defaults[][2] = {
                { "memory.max", "max" }, { "memory.high", "max" },     { "memory.low", "0" },
                { "memory.min", "0" },   { "memory.swap.max", "max" }, { "cpu.max", "max 100000" },
                { "cpu.weight", "100" }, { "pids.max", "max" },        { "io.weight", "default 100" },
                { "cpuset.cpus", "\n" }, /* empty: the parent's CPUs */
        };
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
                if (strcmp(defaults[i][0], file) == 0)
                        return defaults[i][1];
        return NULL;
}

/* io.max of dir: every device limited there that r does not list gets the
 * kernel's "no limit" (which removes its line). */
static void reset_io_max(const char *dir, const struct resources_config *r)
{
        char buf[4096], line[128];
        if (cg_read_file(dir, "io.max", buf, sizeof(buf)) <= 0)
                return;
        for (char *l = buf, *e; *l; l = *e ? e + 1 : e) {
                e = strchrnul(l, '\n');
                size_t dl = strcspn(l, " \n");
                bool listed = false;
                for (char **c = r->io_max; c && *c && !listed; c++)
                        listed = strncmp(*c, l, dl) == 0 && (*c)[dl] == ' ';
                if (!dl || listed)
                        continue;
                snprintf(line, sizeof(line), "%.*s rbps=max wbps=max riops=max wiops=max", (int)dl, l);
                int rr = cg_write_file(dir, "io.max", line);
                if (rr < 0)
                        log_warn("cgroup: %s/io.max: resetting '%.*s': %s", dir, (int)dl, l, strerror(-rr));
        }
}

/* Writes every configured knob; a knob whose controller is missing is an
 * error only if it was asked for. With reset (dir existed before: a previous
 * run, another svd or another definition wrote it), every knob r leaves
 * unset goes back to the kernel's default, so a limit removed from the
 * configuration does not live on in the kernel; a default that cannot be
 * written is logged (the file is absent where its controller is). */
/* One refusal into err: the first replaces it (stop at it), later ones
 * are appended after "; " (all: every one named). */
static void refused(char *err, size_t errlen, unsigned n, const char *fmt, ...)
{
        size_t off = n ? strnlen(err, errlen) : 0;
        va_list ap;

        if (n && off + 2 < errlen)
                off += (size_t)snprintf(err + off, errlen - off, "; ");
        if (off >= errlen)
                return;
        va_start(ap, fmt);
        vsnprintf(err + off, errlen - off, fmt, ap);
        va_end(ap);
}

/* all: a refused knob does not stop the others (a live change: the
 * service runs on, and each limit that can be in force should be);
 * returns how many were refused. Otherwise the first refusal: -errno. */
static int apply(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, bool reset,
                 bool all, char *err, size_t errlen)
{
        char val[256];
        unsigned n = 0;

        for (size_t i = 0; cgroup_knob_files[i]; i++) {
                const char *f = cgroup_knob_files[i];
                if (!cg_controller_on(g, f)) /* (said once: cg_warn_missing) */
                        continue;
                if (cgroup_knob_value(r, f, g->host_ram, val, sizeof(val)) < 0) {
                        int e = reset ? cg_write_file(dir, f, cgroup_knob_default(f)) : 0;
                        if (e < 0 && e != -ENOENT)
                                log_warn("cgroup: %s/%s: resetting to the default: %s", dir, f,
                                         strerror(-e));
                        continue;
                }
                int e = cg_write_file(dir, f, val);
                if (e < 0) {
                        /* with the value written (a CPU list, bytes): the
                         * operator sees which of theirs it was */
                        refused(err, errlen, n++, "%s '%s': %s", f, val, strerror(-e));
                        if (!all)
                                return e;
                }
        }
        if (reset && cg_controller_on(g, "io.max"))
                reset_io_max(dir, r);
        for (char **l = cg_controller_on(g, "io.max") ? r->io_max : NULL; l && *l; l++) {
                /* reset: what the line leaves out goes back to max in the
                 * same write (the kernel takes the last value of a key) */
                char line[512];
                size_t dl = strcspn(*l, " ");
                snprintf(line, sizeof(line), "%.*s%s%s", (int)dl, *l,
                         reset ? " rbps=max wbps=max riops=max wiops=max" : "", *l + dl);
                int e = cg_write_file(dir, "io.max", line);
                if (e < 0) {
                        refused(err, errlen, n++, "io.max '%s': %s", *l, strerror(-e));
                        if (!all)
                                return e;
                }
        }
        return (int)n;
}

int cg_apply_knobs(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, bool reset,
                   char *err, size_t errlen)
{
        return apply(g, dir, r, reset, false, err, errlen);
}

int cg_apply_knobs_all(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, char *err,
                       size_t errlen)
{
        return apply(g, dir, r, true, true, err, errlen);
}
