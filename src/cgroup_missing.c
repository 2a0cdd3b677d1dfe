/* cgroup_missing: a controller svd uses for limits (cpu, io, cpuset; it
 * requires memory and pids) that its own cgroup does not get from its
 * parent (a host that leaves io out of its cgroup.subtree_control): its
 * knobs are skipped (cg_apply_knobs), so the services and slices that set
 * them still start, with their other limits; svd logs which controller is
 * missing and whose keys it leaves unapplied, and svctl status names them
 * per service. A kernel without swap accounting (CONFIG_SWAP off, or an
 * older kernel booted with swapaccount=0) has memory and no memory.swap.*
 * files: memory_swap_max is skipped and said the same way. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "log.h"
#include "svd.h"

static const struct {
        const char *ctl;
        const char *keys[2];
} ctls[] = { { "cpu", { "cpus", "cpu_weight" } },
             { "io", { "io_weight", "io_max" } },
             { "cpuset", { "cpuset_cpus", NULL } } };

static bool has_ctl(const struct cgroup_mgr *g, const char *ctl)
{
        size_t l = strlen(ctl);

        for (const char *p = g->controllers; (p = strstr(p, ctl)); p += l)
                if ((p == g->controllers || p[-1] == ' ') && (p[l] == 0 || p[l] == ' '))
                        return true;
        return false;
}

/* Whether svd's cgroup, which has the memory controller, lacks swap
 * accounting: asked of the kernel each time (at a start, a reload, a
 * status that needs it), never cached: nothing to go stale. */
static bool no_swap(const struct cgroup_mgr *g)
{
        char p[4200];

        snprintf(p, sizeof(p), "%s/memory.swap.max", g->root);
        if (access(p, F_OK) == 0 || errno != ENOENT)
                return false;
        snprintf(p, sizeof(p), "%s/memory.max", g->root);
        return access(p, F_OK) == 0;
}

bool cg_controller_on(const struct cgroup_mgr *g, const char *file)
{
        char ctl[16];
        size_t l = strcspn(file, ".");

        if (strncmp(file, "memory.swap.", 12) == 0)
                return !no_swap(g);
        if (l >= sizeof(ctl))
                return true;
        memcpy(ctl, file, l);
        ctl[l] = 0;
        for (size_t i = 0; i < ELEMENTSOF(ctls); i++)
                if (strcmp(ctls[i].ctl, ctl) == 0)
                        return has_ctl(g, ctl);
        return true; /* (memory, pids: svd has them or no cgroups at all) */
}

static bool sets(const struct resources_config *r, const char *key)
{
        return strcmp(key, "cpus") == 0          ? r->cpus > 0
               : strcmp(key, "cpu_weight") == 0  ? r->cpu_weight
               : strcmp(key, "io_weight") == 0   ? r->io_weight
               : strcmp(key, "io_max") == 0      ? r->io_max && r->io_max[0]
               : strcmp(key, "cpuset_cpus") == 0 ? r->cpuset_cpus != NULL
                                                 : false;
}

/* ", "-joined onto buf (at o); a cut text ends in "..." */
static size_t put(char *buf, size_t len, size_t o, const char *word)
{
        int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", word);

        if (n < 0 || (size_t)n >= len - o) {
                if (len > 4)
                        memcpy(buf + len - 4, "...", 4);
                return len - 1;
        }
        return o + (size_t)n;
}

/* The keys of controller i that r sets and buf lacks, added to buf at o:
 * the new offset. */
static size_t keys_of(size_t i, const struct resources_config *r, char *buf, size_t len, size_t o)
{
        for (size_t k = 0; k < ELEMENTSOF(ctls[i].keys) && ctls[i].keys[k]; k++)
                if (sets(r, ctls[i].keys[k]) && !strstr(buf, ctls[i].keys[k]))
                        o = put(buf, len, o, ctls[i].keys[k]);
        return o;
}

static bool uses(size_t i, const struct resources_config *r)
{
        for (size_t k = 0; k < ELEMENTSOF(ctls[i].keys) && ctls[i].keys[k]; k++)
                if (sets(r, ctls[i].keys[k]))
                        return true;
        return false;
}

static void warn_no_swap(const struct svd *m)
{
        const struct svd_config *c = m->cfg;
        char who[600] = "", name[300];
        size_t wo = 0;

        for (size_t s = 0; s < c->n_svcs; s++)
                if (c->svcs[s].resources->memory_swap_max.set) {
                        snprintf(name, sizeof(name), "service %s", c->svcs[s].name);
                        wo = put(who, sizeof(who), wo, name);
                }
        for (size_t s = 0; s < c->n_slices; s++)
                if (c->slices[s].resources.memory_swap_max.set) {
                        snprintf(name, sizeof(name), "slice %s", c->slices[s].name);
                        wo = put(who, sizeof(who), wo, name);
                }
        if (wo && no_swap(m->cg))
                log_warn("cgroup: the kernel has no swap accounting (no memory.swap.max in %s): memory_swap_max "
                         "not applied for %s",
                         m->cg->root, who);
}

void cg_warn_missing(struct svd *m)
{
        const struct cgroup_mgr *g = m->cg;
        const struct svd_config *c = m->cfg;
        size_t rl = strlen(g->root), cl = strlen(c->cgroup_root);
        size_t base = rl > cl ? rl - cl - 1 : rl; /* root is BASE/cgroup_root */

        for (size_t i = 0; i < ELEMENTSOF(ctls); i++) {
                char keys[128] = "", who[600] = "", name[300];
                size_t ko = 0, wo = 0;

                if (has_ctl(g, ctls[i].ctl))
                        continue;
                for (size_t s = 0; s < c->n_svcs; s++)
                        if (uses(i, c->svcs[s].resources)) {
                                ko = keys_of(i, c->svcs[s].resources, keys, sizeof(keys), ko);
                                snprintf(name, sizeof(name), "service %s", c->svcs[s].name);
                                wo = put(who, sizeof(who), wo, name);
                        }
                for (size_t s = 0; s < c->n_slices; s++)
                        if (uses(i, &c->slices[s].resources)) {
                                ko = keys_of(i, &c->slices[s].resources, keys, sizeof(keys), ko);
                                snprintf(name, sizeof(name), "slice %s", c->slices[s].name);
                                wo = put(who, sizeof(who), wo, name);
                        }
                if (wo)
                        log_warn("cgroup: the %s controller is not available in %.*s (cgroup.controllers: %s): %s "
                                 "not applied for %s",
                                 ctls[i].ctl, (int)base, g->root, g->controllers, keys, who);
        }
        warn_no_swap(m);
}

bool cgroup_missing_text(const struct svd *m, const struct resources_config *r, char *buf, size_t len)
{
        char keys[128] = "", names[64] = "";
        size_t ko = 0, no = 0, n = 0;

        if (!m->cg || !m->cg->enabled)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(ctls); i++) {
                size_t before = ko;
                if (has_ctl(m->cg, ctls[i].ctl) || (ko = keys_of(i, r, keys, sizeof(keys), ko)) == before)
                        continue;
                no = put(names, sizeof(names), no, ctls[i].ctl);
                n++;
        }
        bool swap = r->memory_swap_max.set && no_swap(m->cg);
        if (!n && !swap)
                return false;
        int o = 0;
        if (n)
                o = snprintf(buf, len, "%s not applied: the %s controller%s not available to svd", keys, names,
                             n > 1 ? "s are" : " is");
        if (swap && o >= 0 && (size_t)o < len)
                snprintf(buf + o, len - (size_t)o, "%smemory_swap_max not applied: the kernel has no swap accounting",
                         n ? "; " : "");
        return true;
}
