/* reload: see reload.h. reload_prepare() is pure with respect to the running
 * services (it only reads them); reload_apply() stops what must go, and
 * swap() (reload_swap.c) switches generations from a zero-delay timer, outside
 * any service callback, once those services are down. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control.h"
#include "log.h"
#include "profile.h"
#include "proto.h"
#include "reexec.h"
#include "reload.h"
#include "sched.h"
#include "secrets_int.h"
#include "secrets_memfit.h"
#include "svd.h"
#include "timer.h"

static const char *const action_names[] = { "keep", "add", "remove", "change" };

const char *reload_action_name(enum reload_action a)
{
        return a <= RELOAD_CHANGE ? action_names[a] : "?";
}

void reload_plan_free(struct reload_plan *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_items; i++)
                free(p->items[i].name);
        free(p->items);
        reload_others_free(p->settings, p->n_settings);
        reload_others_free(p->slices, p->n_slices);
        config_free(p->cfg);
        free(p);
}

static bool streq0(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const struct secret_config *find_secret(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; i < c->n_secrets; i++)
                if (strcmp(c->secrets[i].name, name) == 0)
                        return &c->secrets[i];
        return NULL;
}

/* The same directory or socket, however spelled ("etc/../state", the
 * absolute path, a symbolic link to it): the one svd uses now, on disk. */
static bool same_place(const char *a, const char *b)
{
        struct stat x, y;

        return streq0(a, b) || (a && b && stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
                                x.st_ino == y.st_ino);
}

/* Settings the running services were built on: refused, naming the key. */
static void check_fixed(const struct svd_config *o, const struct svd_config *n, struct cfg_errors *errs)
{
        const struct {
                const char *key, *was, *now;
                bool on_disk; /* a path of this system (cgroup_root: below svd's cgroup) */
        } dirs[] = {
                { "state_dir", o->state_dir, n->state_dir, true },
                { "log_dir", o->log_dir, n->log_dir, true },
                { "run_dir", o->run_dir, n->run_dir, true },
                { "control_socket", o->control_socket, n->control_socket, true },
                { "cgroup_root", o->cgroup_root, n->cgroup_root, false },
        };
        struct cfg_pos pos;

        /* Each error points at the key in the new main file (at the file
         * alone when the key was removed and its default differs). */
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (!(dirs[i].on_disk ? same_place(dirs[i].was, dirs[i].now) : streq0(dirs[i].was, dirs[i].now))) {
                        pos = config_main_pos(n, dirs[i].key);
                        cfg_error(errs, &pos, dirs[i].key,
                                  "changed from '%s' to '%s': this takes a restart of svd (reload keeps '%s')",
                                  dirs[i].was ? dirs[i].was : "", dirs[i].now ? dirs[i].now : "",
                                  dirs[i].was ? dirs[i].was : "");
                }
        if (o->cgroups != n->cgroups) {
                pos = config_main_pos(n, "cgroups");
                cfg_error(errs, &pos, "cgroups", "changed: this takes a restart of svd");
        }
        if (o->secrets_passphrase != n->secrets_passphrase) {
                pos = config_main_pos(n, "secrets_key");
                cfg_error(errs, &pos, "secrets_key", "changed: this takes a restart of svd");
        }
        /* secrets: each definition added, changed or removed, where the
         * new configuration has it */
        static const char why[] = "this takes a restart of svd: the store and the credentials of running services "
                                  "depend on the definitions (values can be changed live with svctl secret "
                                  "set/rotate)";
        bool named = false;
        for (size_t i = 0; i < n->n_secrets; i++) {
                const struct secret_config *was = find_secret(o, n->secrets[i].name);
                if (was && secret_config_equal(was, &n->secrets[i]))
                        continue;
                cfg_error(errs, &n->secrets[i].pos, "secrets", "'%s' %s: %s", n->secrets[i].name,
                          was ? "changed" : "added", why);
                named = true;
        }
        pos = (struct cfg_pos){ n->files[0], 0, 0 };
        for (size_t i = 0; i < o->n_secrets; i++)
                if (!find_secret(n, o->secrets[i].name)) {
                        cfg_error(errs, &pos, "secrets", "'%s' removed: %s", o->secrets[i].name, why);
                        named = true;
                }
        bool same = o->n_secrets == n->n_secrets;
        for (size_t i = 0; same && i < o->n_secrets; i++)
                same = strcmp(o->secrets[i].name, n->secrets[i].name) == 0;
        if (!same && !named) /* the same definitions, in another order */
                cfg_error(errs, &pos, "secrets", "the order of the definitions changed: %s", why);
}

/* A services_dir left at its default loads as none when it does not exist:
 * right at boot, not for a reload that would stop and remove every running
 * service because the directory was gone for a moment (moved aside during a
 * deployment). An empty directory says it. (One that exists but cannot be
 * read is an error of the load already.) */
static void check_services_dir(const struct svd *m, const struct svd_config *n, struct cfg_errors *errs)
{
        struct stat st;

        if (n->n_svcs || !m->n_svcs || !n->services_dir || stat(n->services_dir, &st) == 0 || errno != ENOENT)
                return;
        struct cfg_pos pos = config_main_pos(n, "services_dir");
        cfg_error(errs, &pos, "services_dir",
                  "'%s' does not exist: the reload would remove all %zu services (an empty directory removes "
                  "them)",
                  n->services_dir, m->n_svcs);
}

/* secrets_kdf is read when a store is created (at the first unlock) and
 * when one is unlocked (re-encrypted then if its header names other
 * parameters: secrets_unlock.c); the key it needs comes from the
 * passphrase, so not at a reload. The new value is taken, with a warning,
 * so no one believes the store was re-keyed already. */
static void warn_kdf(const struct svd_config *o, const struct svd_config *n, struct cfg_errors *errs)
{
        static const char *const levels[] = { "interactive", "moderate", "sensitive" };

        if (o->secrets_kdf == n->secrets_kdf)
                return;
        struct cfg_pos pos = config_main_pos(n, "secrets_kdf");
        cfg_warn(errs, &pos, "secrets_kdf",
                 "changed from '%s' to '%s': it applies to a secret store created later (at the first "
                 "unlock); an existing store keeps the parameters in its header until it is next unlocked, "
                 "which re-encrypts it",
                 levels[(unsigned)o->secrets_kdf % ELEMENTSOF(levels)],
                 levels[(unsigned)n->secrets_kdf % ELEMENTSOF(levels)]);
}

static const struct slice_config *slice_of(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; name && i < c->n_slices; i++)
                if (strcmp(c->slices[i].name, name) == 0)
                        return &c->slices[i];
        return NULL;
}

/* The slice chains (leaf to root) have the same names, so the service's
 * cgroup path is the same. A slice's limits are not compared: they change
 * live (cgroup_reload_slices) without restarting anyone. */
static bool same_slices(const struct svd_config *oc, const char *on, const struct svd_config *nc, const char *nn)
{
        for (int depth = 0; depth < 64; depth++) {
                const struct slice_config *a = slice_of(oc, on), *b = slice_of(nc, nn);
                if (!a || !b)
                        return !a && !b && streq0(on, nn);
                if (strcmp(a->name, b->name) != 0)
                        return false;
                on = a->parent;
                nn = b->parent;
        }
        return false;
}

/* What differs between a running definition and its new one; NULL if nothing. */
static const char *difference(const struct svd_config *oc, const struct svc_config *o, const struct svd_config *nc,
                              const struct svc_config *n)
{
        /* (its logging: and resources: are left out: applied live, see live_why) */
        if (memcmp(o->restart_digest, n->restart_digest, sizeof o->restart_digest) != 0)
                return "service file";
        /* what it takes from the main file's defaults:, not the block:
         * a default it overrides, or logging (applied live), is no change */
        if (memcmp(o->defaults_digest, n->defaults_digest, sizeof o->defaults_digest) != 0)
                return "defaults";
        if (!same_slices(oc, o->slice, nc, n->slice))
                return "slice path";
        if (o->enabled != n->enabled || o->not_in_profile != n->not_in_profile)
                return n->not_in_profile != o->not_in_profile ? "profile selection" : "enabled";
        if (o->has_uid != n->has_uid || o->uid != n->uid || o->has_gid != n->has_gid || o->gid != n->gid ||
            o->n_sup_gids != n->n_sup_gids || !streq0(o->home, n->home) ||
            !streq0(o->login_shell, n->login_shell) ||
            (o->n_sup_gids && memcmp(o->sup_gids, n->sup_gids, o->n_sup_gids * sizeof(gid_t)) != 0))
                return "user or groups (system user database)";
        /* a relative path resolves against the main file's directory, which
         * a link switched to another directory's file moves */
        if (!streq0(o->working_dir, n->working_dir) || !streq0(o->env_file, n->env_file))
                return "paths (relative to the main file's directory)";
        return NULL;
}

/* A kept service whose effective logging settings differ (its own logging:
 * or defaults.logging, logging.file too): the switch applies them to its
 * running log sink (logpipe_reconfigure); whose resources: differ: to its
 * cgroup leaf (cgroup_apply_live). Neither restarts it. */
static const char *live_why(const struct svc *s, const struct svc_config *n)
{
        const struct svc_config *o = s->cfg;
        bool logging = !logging_config_equal(&o->logging, &n->logging);
        bool res = s->res_stale || !resources_config_equal(o->resources, n->resources);

        return logging && res ? "logging and resources changed, applied live"
               : logging      ? "logging changed, applied live"
               : res          ? "resources changed, applied live"
                              : NULL;
}

static int add_item(struct reload_plan *p, const char *name, enum reload_action a, const char *why,
                    struct svc *obj)
{
        struct reload_item *n = realloc(p->items, (p->n_items + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        p->items = n;
        n = &p->items[p->n_items];
        *n = (struct reload_item){ .name = strdup(name), .action = a, .why = why, .obj = obj };
        if (!n->name)
                return -ENOMEM;
        p->n_items++;
        p->count[a]++;
        return 0;
}

/* Both service lists are sorted by name (config_load): one merge walk. */
static int diff(struct svd *m, struct reload_plan *p)
{
        const struct svd_config *oc = m->cfg, *nc = p->cfg;
        size_t i = 0, j = 0;
        int r = 0;

        while (r >= 0 && (i < m->n_svcs || j < nc->n_svcs)) {
                struct svc *s = i < m->n_svcs ? m->svcs[i] : NULL;
                const struct svc_config *n = j < nc->n_svcs ? &nc->svcs[j] : NULL;
                int c = !s ? 1 : !n ? -1 : strcmp(s->cfg->name, n->name);
                if (c < 0) {
                        r = add_item(p, s->cfg->name, RELOAD_REMOVE, NULL, s);
                        i++;
                } else if (c > 0) {
                        r = add_item(p, n->name, RELOAD_ADD, NULL, NULL);
                        j++;
                } else {
                        const char *why = difference(oc, s->cfg, nc, n);
                        if (!why && s->cfg_stale)
                                why = "running an older definition, taken over by svd";
                        enum reload_action a = why ? RELOAD_CHANGE : RELOAD_KEEP;
                        r = add_item(p, n->name, a, why ? why : live_why(s, n), s);
                        if (r >= 0) {
                                struct reload_item *it = &p->items[p->n_items - 1];
                                it->enabled_now = (!s->cfg->enabled || s->cfg->not_in_profile) && n->enabled &&
                                                  !n->not_in_profile;
                                it->disabled_now = s->cfg->enabled && !n->enabled;
                                it->deselected_now = !s->cfg->not_in_profile && n->not_in_profile;
                                it->resources_live = a == RELOAD_KEEP &&
                                                     (s->res_stale ||
                                                      !resources_config_equal(s->cfg->resources, n->resources));
                        }
                        i++;
                        j++;
                }
        }
        return r;
}

/* The main file by the name svd was started with (config_load keeps it as
 * files[0]), not its canonical name: a symbolic link switched to another
 * file since names the configuration daemon-reexec, a restart of svd and
 * the next boot read. A relative name may have lost its directory (PID 1
 * changes to /): the canonical name then, as before. */
static const char *main_file(const struct svd *m)
{
        const char *given = m->cfg->files ? m->cfg->files[0] : NULL;

        return given && given[0] == '/' ? given : m->cfg->file;
}

int reload_prepare(struct svd *m, struct reload_plan **ret, struct cfg_errors *errs)
{
        struct reload_plan *p = calloc(1, sizeof(*p));
        size_t n0 = errs->n;
        int r;

        if (!p)
                return -ENOMEM;
        r = config_load(main_file(m), &p->cfg, errs);
        if (r >= 0)
                r = profile_select(p->cfg, m->cli_profiles, errs);
        if (r >= 0) {
                warn_kdf(m->cfg, p->cfg, errs);
                secrets_memfit_warn(p->cfg, errs);
        }
        for (size_t i = 0; i < errs->n_warns; i++) /* (the caller logs the errors) */
                log_warn("reload: %s", errs->warns[i]);
        if (r >= 0) {
                check_fixed(m->cfg, p->cfg, errs);
                check_services_dir(m, p->cfg, errs);
                r = reload_check_logs(p->cfg, errs);
                if (r >= 0 && errs->n > n0)
                        r = -EINVAL;
        }
        if (r >= 0)
                r = diff(m, p);
        if (r >= 0)
                r = reload_diff_settings(m, p->cfg, m->cli_profiles && m->cli_profiles[0], p);
        if (r < 0) {
                reload_plan_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

static bool down(const struct svc *s)
{
        return (s->state == ST_STOPPED || s->state == ST_EXITED || s->state == ST_FAILED) && !s->pid &&
               !s->exit_pending;
}

int reload_apply(struct svd *m, struct reload_plan *p)
{
        if (m->shutting_down)
                return -ESHUTDOWN;
        if (m->reload || reexec_under_way(m) ||
            (m->secrets && (m->secrets->rot_active || ev_is_active(&m->secrets->start_timer))))
                return -EBUSY;
        m->reload = p;
        log_info("reload: %zu to add, %zu to remove, %zu changed, %zu unchanged", p->count[RELOAD_ADD],
                 p->count[RELOAD_REMOVE], p->count[RELOAD_CHANGE], p->count[RELOAD_KEEP]);
        for (size_t i = 0; i < p->n_settings; i++)
                log_info("reload: setting %s changed%s%s", p->settings[i].name, p->settings[i].why ? ": " : "",
                         p->settings[i].why ? p->settings[i].why : "");
        for (size_t i = 0; i < p->n_slices; i++)
                log_info("reload: slice %s %s%s%s", p->slices[i].name,
                         p->slices[i].action == RELOAD_ADD      ? "added"
                         : p->slices[i].action == RELOAD_REMOVE ? "removed"
                                                                : "changed",
                         p->slices[i].why ? ": " : "", p->slices[i].why ? p->slices[i].why : "");
        for (size_t i = 0; i < p->n_items; i++) {
                struct reload_item *it = &p->items[i];
                struct svc *s = it->obj;
                if (it->action == RELOAD_KEEP && it->why)
                        log_info("%s: %s (no restart)", it->name, it->why);
                if (it->action != RELOAD_REMOVE && it->action != RELOAD_CHANGE)
                        continue;
                /* a scheduled job at rest waits for its timer (reload_swap.c) */
                bool at_rest = down(s) && (s->state != ST_FAILED || timer_scheduled(s));
                /* wanted before: runs again with the new definition. So
                 * does one svd stops for a failed check (health, watchdog,
                 * start timeout): it was to restart, or to fail, and a
                 * changed failed service starts again. */
                bool fail_stop = s->state == ST_STOPPING && !s->stop_requested &&
                                 s->stop_outcome != STOP_OUTCOME_STOPPED;
                it->run_again = !s->held && ((svc_state_active(s->state) && s->state != ST_STOPPING) ||
                                             s->restart_after_stop || fail_stop);
                /* and one that failed, or that the change enables (as a
                 * new service starts), unless the operator stopped it */
                it->start_after = !it->disabled_now &&
                                  (it->run_again ||
                                   (!s->held && (s->state == ST_FAILED || (it->enabled_now && down(s)))));
                if (it->action == RELOAD_CHANGE)
                        log_info("%s: definition changed (%s)%s", s->cfg->name, it->why,
                                 at_rest             ? ""
                                 : it->disabled_now ? ": not started again (enabled: false now)"
                                 /* (start_after: a rollback starts it
                                  * again; the switch finds it blocked) */
                                 : it->deselected_now ? ": not started again (not in the selected profiles now)"
                                 : !it->start_after ? ": not started again (stopped by the operator)"
                                                     : ": restarting");
                else
                        log_info("%s: removed from the configuration: stopping", s->cfg->name);
                it->operator_held = s->held;
                s->held = true; /* nothing may pull it back in meanwhile */
                s->restart_after_stop = false;
                it->must_stop = svc_state_active(s->state);
        }
        sched_run(m); /* calls reload_progress() */
        return 0;
}

static bool leaving(const struct reload_item *it)
{
        return it->action == RELOAD_REMOVE || it->action == RELOAD_CHANGE;
}

struct reload_item *reload_leaving(const struct svd *m, const struct svc *s)
{
        const struct reload_plan *p = m->reload;
        for (size_t i = 0; p && i < p->n_items; i++)
                if (p->items[i].obj == s && leaving(&p->items[i]))
                        return &p->items[i];
        return NULL;
}

const char *reload_leaving_text(const struct reload_item *it)
{
        return it->action == RELOAD_REMOVE
                       ? "a reload under way removes it (it is stopping or stopped); not started"
                       : "a reload under way replaces its definition; not started with the old one: "
                         "try again once the reload is done";
}

/* A leaving service stops once no leaving dependent of it is still up, so the
 * set goes down in reverse dependency order, as at shutdown. */
static bool dependents_down(const struct reload_plan *p, const struct svc *s)
{
        for (size_t r = 0; r < s->n_rdeps; r++) {
                const struct svc *d = s->m->svcs[s->rdeps[r]];
                for (size_t i = 0; i < p->n_items; i++)
                        if (p->items[i].obj == d && leaving(&p->items[i]) && !down(d))
                                return false;
        }
        return true;
}

void reload_progress(struct svd *m)
{
        struct reload_plan *p = m->reload;
        bool all_down = true;
        /* Armed, or expired with its callback still to come in this loop
         * iteration (a callback invoked before it, a scheduled job's firing or
         * a backoff timer, ends in a scheduling pass too): starting it again
         * would run the switch a second time, with no plan left. */
        if (!p || ev_is_active(&m->reload_timer) || ev_is_pending(&m->reload_timer))
                return;
        for (size_t i = 0; i < p->n_items; i++) {
                struct reload_item *it = &p->items[i];
                struct svc *s = it->obj;
                if (!leaving(it) || down(s))
                        continue;
                all_down = false;
                if (it->must_stop && s->state != ST_STOPPING && dependents_down(p, s)) {
                        it->must_stop = false;
                        s->stop_requested = true;
                        /* the dependents that follow it, kept or not,
                         * stop first, as at svctl restart (svd.h) */
                        if (!svd_stop_followers_first(m, s))
                                svc_dispatch(s, SE_STOP, 0); /* enqueues: the caller's pass continues */
                }
        }
        if (!all_down)
                return;
        ev_timer_set(&m->reload_timer, 0., 0.);
        ev_timer_start(m->loop, &m->reload_timer);
}

void reload_abort(struct svd *m)
{
        if (!m->reload)
                return;
        ev_timer_stop(m->loop, &m->reload_timer);
        log_warn("reload: abandoned (shutting down)");
        reload_plan_free(m->reload);
        m->reload = NULL;
}

static void others_json(cJSON *rep, const char *key, const struct reload_other *v, size_t n)
{
        cJSON *arr = cJSON_AddArrayToObject(rep, key);
        for (size_t i = 0; arr && i < n; i++) {
                cJSON *o = cJSON_CreateObject();
                if (!o)
                        break;
                cJSON_AddStringToObject(o, "name", v[i].name);
                cJSON_AddStringToObject(o, "action", reload_action_name(v[i].action));
                if (v[i].why)
                        cJSON_AddStringToObject(o, "why", v[i].why);
                cJSON_AddItemToArray(arr, o);
        }
}

static cJSON *plan_json(cJSON *rep, const struct reload_plan *p)
{
        cJSON *arr = cJSON_AddArrayToObject(rep, "changes");
        for (size_t i = 0; arr && i < p->n_items; i++) {
                const struct reload_item *it = &p->items[i];
                cJSON *o = cJSON_CreateObject();
                if (!o)
                        break;
                cJSON_AddStringToObject(o, "name", it->name);
                cJSON_AddStringToObject(o, "action", reload_action_name(it->action));
                if (it->why)
                        cJSON_AddStringToObject(o, "why", it->why);
                cJSON_AddItemToArray(arr, o);
        }
        others_json(rep, "settings", p->settings, p->n_settings);
        others_json(rep, "slices", p->slices, p->n_slices);
        cJSON *c = cJSON_AddObjectToObject(rep, "count");
        for (int a = RELOAD_KEEP; c && a <= RELOAD_CHANGE; a++)
                cJSON_AddNumberToObject(c, reload_action_name((enum reload_action)a), (double)p->count[a]);
        return rep;
}

/* The load's warnings (files not read, profile_sets members that name
 * nothing): svctl shows them to the operator who asked, as svd logs them. */
static void add_warnings(cJSON *rep, const struct cfg_errors *errs)
{
        cJSON *arr = rep && errs->n_warns ? cJSON_AddArrayToObject(rep, "warnings") : NULL;
        for (size_t i = 0; arr && i < errs->n_warns; i++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(errs->warns[i]));
}

cJSON *reload_errors_reply(const struct cfg_errors *errs, int r, const char *outcome)
{
        cJSON *rep = errs->n ? proto_reply_error(PROTO_E_FAILED, "the configuration has %zu error%s; %s", errs->n,
                                                 errs->n == 1 ? "" : "s", outcome)
                             : proto_reply_error(PROTO_E_FAILED, "reload: %s; %s", strerror(-r), outcome);
        cJSON *arr = rep ? cJSON_AddArrayToObject(rep, "errors") : NULL;
        for (size_t i = 0; arr && i < errs->n; i++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(errs->msgs[i]));
        add_warnings(rep, errs);
        return rep;
}

cJSON *reload_op(struct svd *m, const cJSON *req, const struct control_peer *peer)
{
        const cJSON *dry = cJSON_GetObjectItemCaseSensitive(req, "dry_run");
        if (dry && !cJSON_IsBool(dry))
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'dry_run': expected true or false");
        bool dry_run = cJSON_IsTrue(dry);
        if (!peer->admin) {
                log_warn("control: refused reload from uid %u pid %d: not an administrator", (unsigned)peer->uid,
                         (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED, "permission denied: reload needs root or the admin group");
        }
        if (m->reload)
                return proto_reply_error(PROTO_E_FAILED, "a reload is already under way");
        struct cfg_errors errs = { 0 };
        struct reload_plan *p = NULL;
        int r = reload_prepare(m, &p, &errs);
        if (r < 0) {
                log_warn("control: reload from uid %u pid %d refused: %zu error%s in the configuration",
                         (unsigned)peer->uid, (int)peer->pid, errs.n, errs.n == 1 ? "" : "s");
                for (size_t i = 0; i < errs.n; i++)
                        log_warn("reload: %s", errs.msgs[i]);
                cJSON *rep = reload_errors_reply(&errs, r, "nothing was changed");
                cfg_errors_free(&errs);
                return rep;
        }
        cJSON *rep = proto_reply_ok();
        if (rep) {
                cJSON_AddBoolToObject(rep, "dry_run", dry_run);
                plan_json(rep, p);
        }
        add_warnings(rep, &errs);
        cfg_errors_free(&errs);
        if (dry_run) {
                reload_plan_free(p);
                return rep;
        }
        log_info("control: reload from uid %u pid %d", (unsigned)peer->uid, (int)peer->pid);
        r = reload_apply(m, p);
        if (r < 0) {
                reload_plan_free(p);
                cJSON_Delete(rep);
                return proto_reply_error(PROTO_E_FAILED, "%s; nothing was changed",
                                         r == -ESHUTDOWN ? "svd is shutting down"
                                         : r == -EBUSY   ? "a reload, a re-exec or a secret rotation is under way"
                                                         : strerror(-r));
        }
        return rep;
}

void reload_from_signal(struct svd *m)
{
        struct cfg_errors errs = { 0 };
        struct reload_plan *p = NULL;
        if (m->shutting_down) { /* (reload_apply would refuse it anyway) */
                log_warn("SIGHUP: svd is shutting down; no reload");
                return;
        }
        if (m->reload) {
                log_warn("SIGHUP: a reload is already under way; ignored");
                return;
        }
        int r = reload_prepare(m, &p, &errs);
        if (r < 0) {
                for (size_t i = 0; i < errs.n; i++)
                        log_err("reload: %s", errs.msgs[i]);
                log_err("SIGHUP: reload refused (%s); the running configuration stays",
                        errs.n ? "configuration errors above" : strerror(-r));
                cfg_errors_free(&errs);
                return;
        }
        cfg_errors_free(&errs);
        log_info("SIGHUP: reloading %s", main_file(m));
        if ((r = reload_apply(m, p)) < 0) {
                log_err("SIGHUP: reload refused: %s",
                        r == -EBUSY ? "a re-exec or a secret rotation is under way" : strerror(-r));
                reload_plan_free(p);
        }
}
