/* config_resources: the cgroup knobs, shared by slice files (top level)
 * and services (resources:), read into a resources_config
 * (config_parse.h: cp_resources). cgroup.c turns them into file contents. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

const char *const cp_knob_keys[] = { "memory_max",      "memory_high", "memory_low",  "memory_min",
                                         "memory_swap_max", "cpus",        "cpu_weight",  "pids_max",
                                         "io_weight",       "io_max",      "cpuset_cpus", NULL };

static void load_size(struct cload *l, const struct ynode *n, const char *key, struct cfg_size *out)
{
        uint64_t bytes;
        double pct = 0;

        if (!cp_is_scalar(n)) {
                cp_err(l, n, key, "expected a size (e.g. 512K, 10M, 4G or 25%%)");
                return;
        }
        if (parse_size(n->value, &bytes, &pct) < 0) {
                cp_err(l, n, key, "bad size '%s' (use e.g. 512K, 10M, 4G or 25%%)", n->value);
                return;
        }
        *out = (struct cfg_size){ .set = true,
                                  .percent = pct > 0,
                                  .pct = pct,
                                  .bytes = bytes,
                                  .pos = { l->file, n->line, n->col } };
}

struct cpu_range {
        unsigned long long lo, hi;
};

static int range_cmp(const void *a, const void *b)
{
        const struct cpu_range *x = a, *y = b;

        return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A cpuset.cpus list as the kernel takes it: "N" or "N-M" (N <= M) items
 * joined by commas; anything else fails every start with EINVAL. Rewritten
 * in place in the kernel's own form (ascending, overlapping and adjacent
 * items merged: "3,0-1,2" is "0-3"), never longer than what was written,
 * so the same CPUs however listed compare equal (reload, re-exec).
 * 0 if it is one, -EINVAL if not, -ENOMEM. */
static int cpu_list_canon(char *s)
{
        size_t n = 1, k = 0, off = 0, len = strlen(s);
        struct cpu_range *v;

        if (!*s)
                return -EINVAL;
        for (const char *c = s; *c; c++)
                n += *c == ',';
        if (!(v = calloc(n, sizeof *v)))
                return -ENOMEM;
        for (const char *c = s;; k++) {
                size_t l = strcspn(c, ",");
                char item[16], *dash;

                if (l == 0 || l >= sizeof item)
                        break;
                memcpy(item, c, l);
                item[l] = 0;
                if ((dash = strchr(item, '-')))
                        *dash = 0;
                if (parse_uint(item, 65535, &v[k].lo) < 0 ||
                    parse_uint(dash ? dash + 1 : item, 65535, &v[k].hi) < 0 || v[k].lo > v[k].hi)
                        break;
                if (!c[l]) {
                        k++;
                        break;
                }
                c += l + 1;
        }
        if (k != n) {
                free(v);
                return -EINVAL;
        }
        qsort(v, n, sizeof *v, range_cmp);
        for (size_t i = 0; i < n;) {
                struct cpu_range r = v[i++];

                while (i < n && v[i].lo <= r.hi + 1) {
                        if (v[i].hi > r.hi)
                                r.hi = v[i].hi;
                        i++;
                }
                if (off >= len) /* (cannot be: merging never lengthens) */
                        break;
                off += (size_t)snprintf(s + off, len + 1 - off, r.lo == r.hi ? "%s%llu" : "%s%llu-%llu",
                                        off ? "," : "", r.lo, r.hi);
        }
        free(v);
        return 0;
}

void cp_resources(struct cload *l, const struct ynode *map, const char *prefix, struct resources_config *r)
{
        struct cfg_size *sizes[] = { &r->memory_max, &r->memory_high, &r->memory_low, &r->memory_min,
                                     &r->memory_swap_max };
        char key[KEYLEN];
        const struct ynode *v;
        unsigned long long u;

        r->pos = (struct cfg_pos){ l->file, map ? map->line : 1, map ? map->col : 1 };
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++)
                if ((v = ynode_get(map, cp_knob_keys[i])))
                        load_size(l, v, cp_key(key, prefix, cp_knob_keys[i]), sizes[i]);
        /* Ceilings under 1M leave no room to even exec a process: the cgroup
         * would OOM-kill (memory_max) or stall (memory_high) every start.
         * (memory_min, memory_low and memory_swap_max may well be 0.) */
        for (size_t i = 0; i < 2; i++)
                if (sizes[i]->set && !sizes[i]->percent && sizes[i]->bytes < (1u << 20)) {
                        cp_err(l, ynode_get(map, cp_knob_keys[i]), cp_key(key, prefix, cp_knob_keys[i]),
                               "must be at least 1M (leave it out for no limit)");
                        sizes[i]->set = false;
                }
        if ((v = ynode_get(map, "cpus"))) {
                double d;

                /* under 0.01 the quota would be below the kernel's 1 ms floor,
                 * and so quietly raised to it */
                if (!cp_is_scalar(v) || parse_double(v->value, &d) < 0 || d < 0.01 || d > 65536)
                        cp_err(l, v, cp_key(key, prefix, "cpus"),
                               "expected a number of CPUs 0.01..65536 (e.g. 0.5, 2)");
                else {
                        r->cpus = d;
                        r->cpus_pos = (struct cfg_pos){ l->file, v->line, v->col };
                }
        }
        if ((v = ynode_get(map, "cpu_weight")) &&
            cp_uint(l, v, cp_key(key, prefix, "cpu_weight"), 1, 10000, &u) >= 0)
                r->cpu_weight = (unsigned)u;
        /* 4194304 is the kernel's ceiling for pid_max. */
        if ((v = ynode_get(map, "pids_max")) &&
            cp_uint(l, v, cp_key(key, prefix, "pids_max"), 1, 4194304, &u) >= 0) {
                r->pids_max = u;
                r->pids_max_pos = (struct cfg_pos){ l->file, v->line, v->col };
        }
        if ((v = ynode_get(map, "io_weight")) &&
            cp_uint(l, v, cp_key(key, prefix, "io_weight"), 1, 10000, &u) >= 0)
                r->io_weight = (unsigned)u;
        if ((v = ynode_get(map, "io_max")))
                cp_io_max(l, v, cp_key(key, prefix, "io_max"), &r->io_max);
        if ((v = ynode_get(map, "cpuset_cpus"))) {
                cp_key(key, prefix, "cpuset_cpus");
                int e = cp_str(l, v, key, &r->cpuset_cpus) < 0 ? 0 : cpu_list_canon(r->cpuset_cpus);

                if (e == -ENOMEM)
                        l->oom = true;
                else if (e < 0)
                        cp_err(l, v, key, "bad CPU list '%s' (use e.g. 0-1,3)", v->value);
                if (e < 0) {
                        free(r->cpuset_cpus);
                        r->cpuset_cpus = NULL;
                }
        }
}

static bool same_size(const struct cfg_size *a, const struct cfg_size *b)
{
        if (a->set != b->set || a->percent != b->percent)
                return false;
        return !a->set || (a->percent ? a->pct == b->pct : a->bytes == b->bytes);
}

static bool same_text(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool resources_config_equal(const struct resources_config *a, const struct resources_config *b)
{
        size_t i = 0;

        if (!same_size(&a->memory_max, &b->memory_max) || !same_size(&a->memory_high, &b->memory_high) ||
            !same_size(&a->memory_low, &b->memory_low) || !same_size(&a->memory_min, &b->memory_min) ||
            !same_size(&a->memory_swap_max, &b->memory_swap_max) || a->cpus != b->cpus ||
            a->cpu_weight != b->cpu_weight || a->pids_max != b->pids_max || a->io_weight != b->io_weight ||
            !same_text(a->cpuset_cpus, b->cpuset_cpus))
                return false;
        for (; a->io_max && b->io_max && a->io_max[i] && b->io_max[i]; i++)
                if (strcmp(a->io_max[i], b->io_max[i]) != 0)
                        return false;
        return (!a->io_max || !a->io_max[i]) && (!b->io_max || !b->io_max[i]);
}
