/* cgroup_live: a reload that changes only a kept service's resources: writes
 * them into its leaf as it runs (cgroup v2 takes every knob live), no
 * restart; every reload writes each slice's limits the same way. A limit
 * the kernel refuses stops none of the others, and is named in the log and
 * as the service's or slice's reason. A memory_max lowered below what the
 * service or slice holds is named first: the kernel reclaims down to it, and
 * OOM-kills in the cgroup what it cannot. A daemon-reexec carries which
 * resources: the leaf holds (a fingerprint of their values in the state):
 * a file changed only there before the re-exec is applied live at the next
 * reload too; one only written another way (1G as 1048576K) is no change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_int.h"
#include "config_digest.h"
#include "log.h"
#include "svd.h"

void cg_below_use(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, const char *kind,
                  const char *name)
{
        char val[64], cur[64];
        uint64_t lim, used;

        if (cgroup_knob_value(r, "memory.max", g->host_ram, val, sizeof(val)) < 0 ||
            cg_read_file(dir, "memory.current", cur, sizeof(cur)) <= 0)
                return;
        lim = strtoull(val, NULL, 10);
        used = strtoull(cur, NULL, 10);
        if (lim < used)
                log_warn("%s%s%s: %smemory_max %llu is below its memory use now (%llu bytes in %s): the kernel "
                         "reclaims down to it, and OOM-kills in the %s what it cannot reclaim",
                         kind ? kind : "", kind ? " " : "", name, kind ? "" : "resources.", (unsigned long long)lim,
                         (unsigned long long)used, dir, kind ? kind : "service");
}

#define REFUSED "cgroup: resources refused at the reload: "

void cgroup_apply_live(struct svd *m, struct svc *s)
{
        struct cgroup_mgr *g = m->cg;
        char err[512];

        /* whatever happens here, the next start writes every knob again,
         * resetting those left unset */
        s->cg_knobs_written = s->res_stale = false;
        if (!g || !g->enabled || cg_leaf_path(s) < 0 || access(s->cg_path, F_OK) < 0)
                return; /* (no leaf: its next start makes it with them) */
        cg_below_use(g, s->cg_path, s->cfg->resources, NULL, s->cfg->name);
        /* a knob refused (a CPU the machine does not have, a device gone)
         * stops none after it: each that can be in force is, and each that
         * cannot is named; the leaf does not hold the file's limits, so
         * the state says so (res_stale: the next reload, and one after a
         * re-exec, tries again) and svctl status gives the reason */
        int n = cg_apply_knobs_all(g, s->cg_path, s->cfg->resources, err, sizeof(err));
        if (n > 0) {
                log_err("%s: resources not all applied live: %s (in %s; the others are; the next "
                        "reload tries again, its next start writes them all or fails saying why)",
                        s->cfg->name, err, s->cg_path);
                svc_set_reason(s, "%s%s", REFUSED, err);
                s->res_stale = s->pid > 0; /* (stopped: its start writes them all) */
                return;
        }
        if (strncmp(s->reason, REFUSED, strlen(REFUSED)) == 0) /* (a previous reload's, now in force) */
                str_clear(&s->reason);
        s->cg_knobs_written = true;
}

#define SLICE_REFUSED "cgroup: limits refused: "

char *cg_slice_apply_live(struct cgroup_mgr *g, const char *dir, const struct slice_config *sl, bool existed)
{
        char err[512];

        if (existed) /* (a new one holds nothing yet) */
                cg_below_use(g, dir, &sl->resources, "slice", sl->name);
        /* as for a service: its services run on in it, so each limit that
         * can be in force is. Every reload writes every slice's limits, so
         * the next one tries a refused one again, and says so again. */
        if (cg_apply_knobs_all(g, dir, &sl->resources, err, sizeof(err)) <= 0)
                return NULL;
        log_err("slice %s: limits not all applied: %s (in %s; the others are; the next reload tries again)",
                sl->name, err, dir);
        return strdup_printf("%s%s", SLICE_REFUSED, err); /* (out of memory: the log said it) */
}

void cgroup_live_save(const struct svc *s, cJSON *o)
{
        char hex[2 * CONFIG_DIGEST_BYTES + 1];

        /* (what its leaf holds, unless:) by value; the text's too, for an
         * older svd a re-exec may go back to */
        config_digest_hex(s->cfg->resources_values, hex);
        cJSON_AddStringToObject(o, "resources_values", hex);
        config_digest_hex(s->cfg->resources_digest, hex);
        cJSON_AddStringToObject(o, "resources_fingerprint", hex);
        if (s->res_stale)
                cJSON_AddBoolToObject(o, "resources_stale", true);
}

void cgroup_live_restore(struct svc *s, const cJSON *o)
{
        char hex[2 * CONFIG_DIGEST_BYTES + 1];
        /* by value: the same limits written another way are no change;
         * the text's only from an svd that did not record the values;
         * neither: from one that recorded nothing */
        const char *was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "resources_values"));
        const uint8_t *now = s->cfg->resources_values;

        if (!was) {
                was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "resources_fingerprint"));
                now = s->cfg->resources_digest;
        }
        config_digest_hex(now, hex);
        s->res_stale = (s->pid > 0 || s->exit_pending) && !s->cfg_stale &&
                       (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "resources_stale")) ||
                        (was && strcmp(was, hex) != 0));
        if (s->res_stale)
                log_info("%s: its resources changed on disk; svctl reload applies them live", s->cfg->name);
}
