/* cgroup_live: a reload that changes only a kept service's resources: writes
 * them into its leaf as it runs (cgroup v2 takes every knob live), no
 * restart. A limit lowered below what the service holds is named first: the
 * kernel reclaims down to it, and OOM-kills in the service what it cannot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "svd.h"

static void below_use(struct cgroup_mgr *g, struct svc *s)
{
        char val[64], cur[64];
        uint64_t lim, used;

        if (cgroup_knob_value(s->cfg->resources, "memory.max", g->host_ram, val, sizeof(val)) < 0 ||
            cg_read_file(s->cg_path, "memory.current", cur, sizeof(cur)) <= 0)
                return;
        lim = strtoull(val, NULL, 10);
        used = strtoull(cur, NULL, 10);
        if (lim < used)
                log_warn("%s: resources.memory_max %llu is below its memory use now (%llu bytes in %s): the "
                         "kernel reclaims down to it, and OOM-kills in the service what it cannot reclaim",
                         s->cfg->name, (unsigned long long)lim, (unsigned long long)used, s->cg_path);
}

void cgroup_apply_live(struct svd *m, struct svc *s)
{
        struct cgroup_mgr *g = m->cg;
        char err[256];

        /* whatever happens here, the next start writes every knob again,
         * resetting those left unset */
        s->cg_knobs_written = false;
        if (!g || !g->enabled || cg_leaf_path(s) < 0 || access(s->cg_path, F_OK) < 0)
                return; /* (no leaf: its next start makes it with them) */
        below_use(g, s);
        if (cg_apply_knobs(g, s->cg_path, s->cfg->resources, true, err, sizeof(err)) < 0) {
                log_err("%s: resources not applied live: %s/%s (the knobs after it not written either; "
                        "its next start writes them all, or fails saying why)",
                        s->cfg->name, s->cg_path, err);
                svc_set_reason(s, "cgroup: resources not applied at the reload: %s", err);
                return;
        }
        s->cg_knobs_written = true;
}
