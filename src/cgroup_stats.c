/* cgroup_stats: what the kernel counts in a service's or a slice's cgroup
 * (CPU, memory, pids; OOM kills in memory.events), for status, metrics and
 * the OOM report, and what the kernel refused of a slice's limits at the
 * last write of them. Read-only: nothing here writes to a cgroup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "svd.h"

static int read_u64(const char *dir, const char *file, uint64_t *ret) {
        char buf[64];
        int r = cg_read_file(dir, file, buf, sizeof(buf));
        if (r < 0)
                return r;
        *ret = strtoull(buf, NULL, 10);
        return 0;
}

bool cgroup_oom_check(struct svc *s) {
        uint64_t v = 0;
        if (!s->cg_path || cg_read_key(s->cg_path, "memory.events", "oom_kill", &v) < 0 || v <= s->oom_seen)
                return false;
        s->oom_kills += v - s->oom_seen;
        s->oom_seen = v;
        log_err("%s: the OOM killer killed a process (memory.max reached; %llu so far)", s->cfg->name,
                (unsigned long long)s->oom_kills);
        return true;
}

static int stats_of(const char *dir, struct cg_stats *r) {
        memset(r, 0, sizeof(*r));
        if (cg_read_key(dir, "cpu.stat", "usage_usec", &r->cpu_usage_usec) < 0)
                return -ENOENT;
        (void)cg_read_key(dir, "cpu.stat", "throttled_usec", &r->cpu_throttled_usec);
        (void)cg_read_key(dir, "cpu.stat", "nr_throttled", &r->nr_throttled);
        (void)read_u64(dir, "memory.current", &r->memory_current);
        r->has_memory_peak = read_u64(dir, "memory.peak", &r->memory_peak) == 0; /* 5.19+ */
        (void)read_u64(dir, "pids.current", &r->pids_current);
        r->valid = true;
        return 0;
}

int cgroup_stats(struct svc *s, struct cg_stats *ret) {
        if (!s->cg_path || !cgroup_enabled(s->m))
                return -ENOENT;
        return stats_of(s->cg_path, ret);
}

/* The cgroup of m->cfg's slice number slice, or NULL: none, or the paths
 * are still those of the configuration before a reload that ran out of
 * memory (other slices, maybe fewer of them). */
static const char *slice_dir(const struct svd *m, size_t slice)
{
        const struct cgroup_mgr *g = m->cg;
        if (!cgroup_enabled(m) || g->slices_stale || slice >= m->cfg->n_slices || slice >= g->n_slices ||
            !g->slice_paths)
                return NULL;
        return g->slice_paths[slice];
}

int cgroup_slice_stats(struct svd *m, size_t slice, struct cg_stats *ret) {
        const char *dir = slice_dir(m, slice);
        return dir ? stats_of(dir, ret) : -ENOENT;
}

static int knob_read(const char *dir, const char *file, char *buf, size_t len) {
        int r = cg_read_file(dir, file, buf, len);
        if (r < 0)
                return r;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

int cgroup_knob_read(struct svc *s, const char *file, char *buf, size_t len) {
        if (!s->cg_path || !cgroup_enabled(s->m))
                return -ENOENT;
        return knob_read(s->cg_path, file, buf, len);
}

int cgroup_slice_knob_read(struct svd *m, size_t slice, const char *file, char *buf, size_t len) {
        const char *dir = slice_dir(m, slice);
        return dir ? knob_read(dir, file, buf, len) : -ENOENT;
}

const char *cgroup_slice_refused(const struct svd *m, size_t slice)
{
        const struct cgroup_mgr *g = m->cg;
        if (!slice_dir(m, slice) || !g->slice_refused)
                return NULL;
        return g->slice_refused[slice];
}
