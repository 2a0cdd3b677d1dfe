/* reload_settings: what a reload changes besides services, so the plan
 * (svctl reload, --dry-run) names every change it makes: the main file's
 * settings that differ (applied at the switch, or read where they are used;
 * root: at the next boot) and the slices added, removed or changed (their
 * limits are written in place), or whose limits the kernel refused before:
 * every reload writes them again. Those that cannot change under running
 * services were refused already (reload.c: check_fixed). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "config_digest.h"
#include "init.h"
#include "reload.h"
#include "svd.h"

#define DEFAULTS_KEY "defaults_fingerprint"

int reload_settings_save(const struct svd_config *c, cJSON *h)
{
        char hex[2 * CONFIG_DIGEST_BYTES + 1];

        for (size_t i = 0; i < CONFIG_DIGEST_BYTES; i++) {
                static const char digits[] = "0123456789abcdef";
                hex[2 * i] = digits[c->defaults_digest[i] >> 4];
                hex[2 * i + 1] = digits[c->defaults_digest[i] & 15];
        }
        hex[sizeof hex - 1] = 0;
        return cJSON_AddStringToObject(h, DEFAULTS_KEY, hex) ? 0 : -ENOMEM;
}

static int nibble(char x)
{
        return x >= '0' && x <= '9' ? x - '0' : x >= 'a' && x <= 'f' ? x - 'a' + 10 : -1;
}

void reload_settings_restore(struct svd_config *c, const cJSON *root)
{
        const char *hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, DEFAULTS_KEY));
        uint8_t d[CONFIG_DIGEST_BYTES];

        if (!hex || strlen(hex) != 2 * sizeof d)
                return;
        for (size_t i = 0; i < sizeof d; i++) {
                int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return;
                d[i] = (uint8_t)(hi << 4 | lo);
        }
        memcpy(c->defaults_digest, d, sizeof d);
}

static bool same_text(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_strv(char *const *a, char *const *b)
{
        size_t i = 0;

        for (; a && b && a[i] && b[i]; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return (!a || !a[i]) && (!b || !b[i]);
}

static bool same_sets(const struct svd_config *o, const struct svd_config *n)
{
        if (o->n_profile_sets != n->n_profile_sets)
                return false;
        for (size_t i = 0; i < o->n_profile_sets; i++)
                if (strcmp(o->profile_sets[i].name, n->profile_sets[i].name) != 0 ||
                    !same_strv(o->profile_sets[i].profiles, n->profile_sets[i].profiles))
                        return false;
        return true;
}

static int add(struct reload_other **v, size_t *n, const char *name, enum reload_action a, const char *why)
{
        struct reload_other *nv = realloc(*v, (*n + 1) * sizeof(*nv));

        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[*n] = (struct reload_other){ .name = strdup(name), .action = a, .why = why };
        if (!nv[*n].name)
                return -ENOMEM;
        (*n)++;
        return 0;
}

static int settings(const struct svd_config *o, const struct svd_config *n, bool cli_profiles,
                    struct reload_plan *p)
{
        bool pid1 = init_is_pid1();
        const struct {
                const char *key;
                bool same;
                const char *why;
        } keys[] = {
                { "services_dir", same_text(o->services_dir, n->services_dir), NULL },
                { "slices_dir", same_text(o->slices_dir, n->slices_dir), NULL },
                { "admin_group", o->has_admin_gid == n->has_admin_gid && o->admin_gid == n->admin_gid, NULL },
                { "defaults", memcmp(o->defaults_digest, n->defaults_digest, sizeof o->defaults_digest) == 0,
                  "a service restarts only if what it takes from them changed; logging applies live" },
                { "log_max_total", o->log_max_total == n->log_max_total, NULL },
                { "hostname", same_text(o->hostname, n->hostname), pid1 ? NULL : "svd sets it as PID 1 only" },
                { "root", o->root_rw == n->root_rw, pid1 ? "applies at the next boot" : "svd remounts / as PID 1 only" },
                { "ctrl_alt_del", o->ctrl_alt_del == n->ctrl_alt_del, NULL },
                { "emergency_shell", same_text(o->emergency_shell, n->emergency_shell), NULL },
                { "secrets_console", same_text(o->secrets_console, n->secrets_console), NULL },
                { "metrics", same_text(o->metrics_textfile, n->metrics_textfile) &&
                                     o->metrics_interval == n->metrics_interval,
                  NULL },
                { "profiles", same_strv(o->profiles, n->profiles),
                  cli_profiles ? "svd --profile overrides it" : NULL },
                { "profile_sets", same_sets(o, n), NULL },
                { "ready_timeout", o->ready_timeout == n->ready_timeout, NULL },
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(keys); i++)
                if (!keys[i].same)
                        r = add(&p->settings, &p->n_settings, keys[i].key, RELOAD_CHANGE, keys[i].why);
        return r;
}

/* Both slice lists are sorted by name (config_load): one merge walk. */
static int slices(const struct svd *m, const struct svd_config *n, struct reload_plan *p)
{
        const struct svd_config *o = m->cfg;
        size_t i = 0, j = 0;
        int r = 0;

        while (r >= 0 && (i < o->n_slices || j < n->n_slices)) {
                const struct slice_config *a = i < o->n_slices ? &o->slices[i] : NULL;
                const struct slice_config *b = j < n->n_slices ? &n->slices[j] : NULL;
                int c = !a ? 1 : !b ? -1 : strcmp(a->name, b->name);

                if (c < 0) {
                        r = add(&p->slices, &p->n_slices, a->name, RELOAD_REMOVE, NULL);
                        i++;
                } else if (c > 0) {
                        r = add(&p->slices, &p->n_slices, b->name, RELOAD_ADD, NULL);
                        j++;
                } else {
                        /* its limits are written in place (no restart); a
                         * new parent moves its services' cgroups: they
                         * restart ("slice path") */
                        if (memcmp(a->digest, b->digest, sizeof a->digest) != 0)
                                r = add(&p->slices, &p->n_slices, b->name, RELOAD_CHANGE,
                                        same_text(a->parent, b->parent) ? "slice file, limits applied live"
                                                                        : "parent");
                        /* the same file, but the kernel refused some of
                         * its limits when svd last wrote them: the switch
                         * writes them again (as a service's res_stale) */
                        else if (cgroup_slice_refused(m, i))
                                r = add(&p->slices, &p->n_slices, b->name, RELOAD_CHANGE,
                                        "limits refused before, applied live again");
                        i++;
                        j++;
                }
        }
        return r;
}

int reload_diff_settings(const struct svd *m, const struct svd_config *n, bool cli_profiles,
                         struct reload_plan *p)
{
        int r = settings(m->cfg, n, cli_profiles, p);

        return r < 0 ? r : slices(m, n, p);
}

void reload_others_free(struct reload_other *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i].name);
        free(v);
}
