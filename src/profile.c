/* profile: profile selection and "not installed" detection (see profile.h).
 * The selection is applied once, to the freshly loaded generation, before
 * svd_init; at run time the only question is profile_blocked(), asked by
 * svc_dispatch at every start so a program installed later is picked up by the
 * next `svctl start`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "spawn.h"
#include "svd.h"

static const char *const builtin_minimal[] = { "core", NULL };
static const char *const builtin_recommended[] = { "core", "app", "backup", NULL };
static const char *const builtin_full[] = { "core", "app", "backup", "ai", "monitoring", "supabase", NULL };
static const struct {
        const char *name;
        const char *const *profiles;
} builtin_sets[] = {
        { "minimal", builtin_minimal },
        { "recommended", builtin_recommended },
        { "full", builtin_full },
};

/* The members of set `name` (the main file's profile_sets: first), or NULL. */
static const char *const *set_members(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_profile_sets; i++)
                if (strcmp(c->profile_sets[i].name, name) == 0)
                        return (const char *const *)c->profile_sets[i].profiles;
        for (size_t i = 0; i < ELEMENTSOF(builtin_sets); i++)
                if (strcmp(builtin_sets[i].name, name) == 0)
                        return builtin_sets[i].profiles;
        return NULL;
}

static bool strv_has(const char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

static bool declared(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_svcs; i++)
                if (strv_has((const char *const *)c->svcs[i].profiles, name))
                        return true;
        return false;
}

/* Whether a service with these profiles is in a selection. */
static bool selected(const struct svc_config *s, const char *const *sel)
{
        if (!s->profiles || !s->profiles[0])
                return true;
        for (char **p = s->profiles; *p; p++)
                if (strv_has(sel, *p))
                        return true;
        return false;
}

/* Adds name to *out, and if it is a set, its members; a member may be a set
 * itself. Every name is added once and expanded when added, so a set that
 * names itself, or loops back, ends. */
static int expand(const struct svd_config *c, const char *name, char ***out)
{
        size_t i = strv_length(*out);

        if (strv_has((const char *const *)*out, name))
                return 0;
        if (strv_push(out, name) < 0)
                return -ENOMEM;
        for (; (*out)[i]; i++)
                for (const char *const *m = set_members(c, (*out)[i]); m && *m; m++)
                        if (!strv_has((const char *const *)*out, *m) && strv_push(out, *m) < 0)
                                return -ENOMEM;
        return 0;
}

static int strp_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every name a selection may use, sorted, as "a, b, c" in a new string (NULL
 * without memory): the profile sets (the main file's and the built-in ones)
 * and the profiles services declare. */
static char *known_names(const struct svd_config *c)
{
        _cleanup_(strv_freep) char **v = NULL;
        size_t len = 1;

        for (size_t i = 0; i < c->n_profile_sets; i++)
                if (!strv_has((const char *const *)v, c->profile_sets[i].name) &&
                    strv_push(&v, c->profile_sets[i].name) < 0)
                        return NULL;
        for (size_t i = 0; i < ELEMENTSOF(builtin_sets); i++)
                if (!strv_has((const char *const *)v, builtin_sets[i].name) && strv_push(&v, builtin_sets[i].name) < 0)
                        return NULL;
        for (size_t i = 0; i < c->n_svcs; i++)
                for (char **p = c->svcs[i].profiles; p && *p; p++)
                        if (!strv_has((const char *const *)v, *p) && strv_push(&v, *p) < 0)
                                return NULL;
        size_t n = strv_length(v);
        if (n > 1)
                qsort(v, n, sizeof(v[0]), strp_cmp);
        for (size_t i = 0; i < n; i++)
                len += strlen(v[i]) + 2;
        char *out = malloc(len), *w = out;
        if (!out)
                return NULL;
        *w = 0;
        for (size_t i = 0; i < n; i++)
                w += sprintf(w, "%s%s", i ? ", " : "", v[i]);
        return out;
}

/* Whether set name, expanded, holds a name that is not a set: a profile. A
 * set whose members only name each other (a: [b], b: [a]) holds none. */
static bool names_a_profile(const struct svd_config *c, const char *name)
{
        _cleanup_(strv_freep) char **v = NULL;
        if (expand(c, name, &v) < 0)
                return true; /* (no memory: no warning) */
        for (size_t i = 0; v && v[i]; i++)
                if (!set_members(c, v[i]))
                        return true;
        return false;
}

static void join(char *buf, size_t len, char *const *v);

/* A member of a set of the main file that is neither a set nor a profile a
 * service declares selects nothing: a typo ("monitorng"), or a service file
 * gone. A warning, not an error: the set still selects the rest. (The
 * built-in sets name profiles no service may declare: not checked.) */
static void check_sets(const struct svd_config *c, struct cfg_errors *errs)
{
        char key[300];

        for (size_t i = 0; i < c->n_profile_sets; i++) {
                const struct profile_set *ps = &c->profile_sets[i];

                for (size_t j = 0; ps->profiles && ps->profiles[j]; j++) {
                        const char *m = ps->profiles[j];

                        if (set_members(c, m) || declared(c, m))
                                continue;
                        snprintf(key, sizeof key, "profile_sets.%s[%zu]", ps->name, j);
                        cfg_warn(errs, ps->pos ? &ps->pos[j] : &(struct cfg_pos){ .file = c->files[0] }, key,
                                 "'%s' is neither a profile set nor a profile any service declares: it "
                                 "selects nothing",
                                 m);
                }
                if (!ps->profiles || !ps->profiles[0] || names_a_profile(c, ps->name))
                        continue;
                char names[200];
                _cleanup_(strv_freep) char **v = NULL;
                join(names, sizeof(names), expand(c, ps->name, &v) < 0 ? NULL : v);
                snprintf(key, sizeof key, "profile_sets.%s", ps->name);
                cfg_warn(errs, ps->pos ? &ps->pos[0] : &(struct cfg_pos){ .file = c->files[0] }, key,
                         "names only profile sets (%s), none of which names a profile: it selects nothing",
                         names);
        }
}

int profile_select(struct svd_config *c, char *const *cli, struct cfg_errors *errs)
{
        bool from_cli = cli && cli[0];
        char *const *sel = from_cli ? cli : c->profiles;
        char **exp = NULL;
        int r = 0;

        check_sets(c, errs);
        if (!sel || !sel[0])
                return 0; /* nothing selected: every service is in */
        for (size_t i = 0; sel[i]; i++) {
                if (!set_members(c, sel[i]) && !declared(c, sel[i])) {
                        _cleanup_(freep) char *known = known_names(c);
                        const char *k = known && *known ? known : "none";
                        if (from_cli) {
                                /* not the main file's error: the name is an
                                 * argument svd was started with (and kept
                                 * for every reload since) */
                                _cleanup_(freep) char *where =
                                        strdup_printf("--profile %s (svd's command line)", sel[i]);
                                struct cfg_pos pos = { .file = where ? where : "--profile (svd's command line)" };
                                cfg_error(errs, &pos, NULL,
                                          "unknown profile (not a profile set, and no service declares it); "
                                          "known: %s",
                                          k);
                        } else {
                                struct cfg_pos pos = c->profiles_pos ? c->profiles_pos[i]
                                                                     : (struct cfg_pos){ .file = c->files[0] };
                                cfg_error(errs, &pos, "profiles",
                                          "unknown profile '%s' (not a profile set, and no service declares it); "
                                          "known: %s",
                                          sel[i], k);
                        }
                        r = -EINVAL;
                        continue;
                }
                if (expand(c, sel[i], &exp) < 0) {
                        strv_free(exp);
                        return -ENOMEM;
                }
        }
        if (r < 0) {
                strv_free(exp);
                return r;
        }
        strv_free(c->selected_profiles);
        c->selected_profiles = exp;
        for (size_t i = 0; i < c->n_svcs; i++)
                c->svcs[i].not_in_profile = !selected(&c->svcs[i], (const char *const *)exp);
        return 0;
}

static void join(char *buf, size_t len, char *const *v)
{
        size_t off = 0;

        buf[0] = 0;
        for (size_t i = 0; v && v[i] && off < len; i++)
                off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", v[i]);
}

/* An optional service (profiles: or install_hint:) whose program is missing. */
static bool not_installed(const struct svc_config *cfg, char *why, size_t len)
{
        const char *path_env = NULL;
        char *p;

        if ((!cfg->profiles || !cfg->profiles[0]) && !cfg->install_hint)
                return false;
        if (cfg->shell || !cfg->command || !cfg->command[0])
                return false;
        for (char **e = cfg->environment; e && *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        path_env = *e + 5;
        if ((p = spawn_find_executable(cfg->command[0], path_env))) {
                free(p);
                return false;
        }
        snprintf(why, len, "disabled: %s not installed%s%s%s", cfg->command[0], cfg->install_hint ? " (" : "",
                 cfg->install_hint ? cfg->install_hint : "", cfg->install_hint ? ")" : "");
        return true;
}

bool profile_unavailable(const struct svd_config *c, const struct svc_config *cfg, char *why, size_t len)
{
        if (cfg->not_in_profile) {
                char have[120], sel[120];
                join(have, sizeof(have), cfg->profiles);
                join(sel, sizeof(sel), c->selected_profiles);
                snprintf(why, len, "disabled: not in profile (profiles: %s; selected: %s)", have, sel);
                return true;
        }
        return not_installed(cfg, why, len);
}

bool profile_blocked(struct svc *s)
{
        char why[SVC_REASON_MAX];

        if (!profile_blocked_why(s, why, sizeof(why)))
                return false;
        svc_set_reason(s, "%s", why);
        return true;
}

bool profile_blocked_why(const struct svc *s, char *ret_why, size_t ret_len)
{
        struct svd *m = s->m;
        char why[256];

        if (profile_unavailable(m->cfg, s->cfg, ret_why, ret_len))
                return true;
        if (!s->cfg->n_deps)
                return false;
        /* every dependency, transitively (the graph is acyclic) */
        size_t *stack = malloc(sizeof(size_t) * (m->n_svcs + 1));
        bool *seen = calloc(m->n_svcs ? m->n_svcs : 1, sizeof(bool));
        bool blocked = false;
        size_t sp = 0;
        if (!stack || !seen)
                goto out;
        stack[sp++] = s->index;
        seen[s->index] = true;
        while (sp && !blocked) {
                const struct svc_config *cur = m->svcs[stack[--sp]]->cfg;
                for (size_t d = 0; d < cur->n_deps && !blocked; d++) {
                        size_t di = cur->deps[d].index;
                        if (seen[di])
                                continue;
                        seen[di] = true;
                        if (profile_unavailable(m->cfg, m->svcs[di]->cfg, why, sizeof(why))) {
                                snprintf(ret_why, ret_len, "blocked: dependency %s %s", m->svcs[di]->cfg->name,
                                         why);
                                blocked = true;
                        }
                        stack[sp++] = di;
                }
        }
out:
        free(stack);
        free(seen);
        return blocked;
}

/* --check: one set. in[i]: would be in the run; then drop what cannot run:
 * a program not installed, a dependency outside the set, and (transitively,
 * until nothing changes; the graph is acyclic) a dependency dropped itself. */
static void print_set(const struct svd_config *c, FILE *f, const char *name, char **sel)
{
        bool *in = calloc(c->n_svcs ? c->n_svcs : 1, sizeof(bool));
        bool *out = calloc(c->n_svcs ? c->n_svcs : 1, sizeof(bool));
        char why[256];

        if (!in || !out) {
                free(in);
                free(out);
                return;
        }
        for (size_t i = 0; i < c->n_svcs; i++)
                in[i] = selected(&c->svcs[i], (const char *const *)sel);
        fprintf(f, "  %s:", name);
        for (size_t i = 0; i < c->n_svcs; i++)
                if (in[i])
                        fprintf(f, " %s", c->svcs[i].name);
        fprintf(f, "\n");
        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];
                if (!in[i])
                        continue;
                if (not_installed(s, why, sizeof(why))) {
                        fprintf(f, "      %s: %s\n", s->name, why);
                        out[i] = true;
                        continue;
                }
                for (size_t d = 0; d < s->n_deps; d++)
                        if (s->deps[d].index < c->n_svcs && !in[s->deps[d].index]) {
                                fprintf(f, "      %s: blocked: dependency %s is not in this profile\n", s->name,
                                        s->deps[d].name);
                                out[i] = true;
                                break;
                        }
        }
        for (bool changed = true; changed;) {
                changed = false;
                for (size_t i = 0; i < c->n_svcs; i++) {
                        const struct svc_config *s = &c->svcs[i];
                        if (!in[i] || out[i])
                                continue;
                        for (size_t d = 0; d < s->n_deps; d++)
                                if (s->deps[d].index < c->n_svcs && out[s->deps[d].index]) {
                                        fprintf(f, "      %s: blocked: dependency %s cannot run\n", s->name,
                                                s->deps[d].name);
                                        out[i] = changed = true;
                                        break;
                                }
                }
        }
        free(in);
        free(out);
}

void profile_print_check(const struct svd_config *c, FILE *f)
{
        char buf[200];
        bool any = false;

        for (size_t i = 0; i < c->n_svcs && !any; i++)
                any = (c->svcs[i].profiles && c->svcs[i].profiles[0]) || c->svcs[i].install_hint;
        if (!any && !c->profiles && !c->n_profile_sets)
                return;
        join(buf, sizeof(buf), c->selected_profiles);
        if (c->selected_profiles)
                fprintf(f, "profiles selected: %s\n", buf);
        else
                fprintf(f, "profiles selected: none (every service runs)\n");
        fprintf(f, "what each profile set would run on this host:\n");
        for (size_t i = 0; i < ELEMENTSOF(builtin_sets) + c->n_profile_sets; i++) {
                const char *name = i < ELEMENTSOF(builtin_sets) ? builtin_sets[i].name
                                                                : c->profile_sets[i - ELEMENTSOF(builtin_sets)].name;
                bool dup = false;
                for (size_t k = 0; i < ELEMENTSOF(builtin_sets) && k < c->n_profile_sets; k++)
                        dup |= strcmp(c->profile_sets[k].name, name) == 0; /* printed with the main file's sets */
                if (dup)
                        continue;
                char **sel = NULL;
                if (expand(c, name, &sel) >= 0)
                        print_set(c, f, name, sel);
                strv_free(sel);
        }
}
