/* config_load: builds one immutable svd_config generation from the main file,
 * every slice file and every service file. It walks the node trees from
 * config_yaml, checks every key against a closed list (an unknown key is an
 * error, with a "did you mean"), converts values with util's strict parsers and
 * resolves user and group names while the nodes, and so the positions, are at
 * hand. Errors are collected rather than returned at the first one so a single
 * `svd --check` shows everything; semantic checks across files live in
 * config_validate.c; the typed value readers in config_parse.c. */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_parse.h"
#include "config_digest.h"
#include "config_yaml.h"

static const char *const svc_type_names[_SVC_TYPE_MAX] = { "simple", "oneshot", "notify" };
static const char *const restart_names[_RESTART_MAX] = { "no", "on-failure", "always", "unless-stopped" };
static const char *const dep_condition_names[_DEP_MAX] = { "started", "healthy", "completed" };

const char *svc_type_name(enum svc_type t)
{
        return t < _SVC_TYPE_MAX ? svc_type_names[t] : NULL;
}
const char *restart_policy_name(enum restart_policy r)
{
        return r < _RESTART_MAX ? restart_names[r] : NULL;
}
const char *dep_condition_name(enum dep_condition c)
{
        return c < _DEP_MAX ? dep_condition_names[c] : NULL;
}

const struct resources_config config_no_resources;

void config_resources_done(struct resources_config *r)
{
        strv_free(r->io_max);
        free(r->cpuset_cpus);
}

void config_svc_done(struct svc_config *s)
{
        free(s->name);
        free(s->description);
        strv_free(s->command);
        strv_free(s->environment);
        free(s->env_file);
        free(s->working_dir);
        free(s->user);
        free(s->group);
        free(s->home);
        free(s->login_shell);
        for (size_t i = 0; i < s->n_deps; i++)
                free(s->deps[i].name);
        free(s->deps);
        free(s->slice);
        if (s->resources && s->resources != &config_no_resources) {
                config_resources_done((struct resources_config *)s->resources);
                free((struct resources_config *)s->resources);
        }
        config_probe_done(&s->health);
        logging_config_done(&s->logging);
        config_sandbox_done(s);
        config_svc_secrets_done(s);
        config_schedule_done(s);
}

void config_free(struct svd_config *c)
{
        if (!c)
                return;
        free(c->file);
        free(c->dir);
        free(c->services_dir);
        free(c->slices_dir);
        free(c->state_dir);
        free(c->log_dir);
        free(c->run_dir);
        free(c->control_socket);
        free(c->admin_group);
        free(c->cgroup_root);
        free(c->hostname);
        free(c->emergency_shell);
        free(c->secrets_console);
        free(c->metrics_textfile);
        strv_free(c->defaults.environment);
        free(c->defaults.user);
        free(c->defaults.group);
        free(c->defaults.working_dir);
        logging_config_done(&c->defaults.logging);
        for (size_t i = 0; i < c->n_svcs; i++)
                config_svc_done(&c->svcs[i]);
        free(c->svcs);
        for (size_t i = 0; i < c->n_slices; i++) {
                free(c->slices[i].name);
                free(c->slices[i].parent);
                config_resources_done(&c->slices[i].resources);
        }
        free(c->slices);
        config_secrets_done(c);
        config_profiles_done(c);
        strv_free(c->files);
        free(c);
}

const struct svc_config *config_find_svc(const struct svd_config *c, const char *name)
{
        ssize_t i = config_svc_index(c, name);

        return i < 0 ? NULL : &c->svcs[i];
}

ssize_t config_svc_index(const struct svd_config *c, const char *name)
{
        size_t lo = 0, hi = c->n_svcs;

        /* svcs is sorted by name (config_load guarantees it). */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int cmp = strcmp(name, c->svcs[mid].name);

                if (cmp == 0)
                        return (ssize_t)mid;
                if (cmp < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -ENOENT;
}

bool config_name_valid(const char *s)
{
        size_t n = strlen(s);

        if (n < 1 || n > 64)
                return false;
        for (; *s; s++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-", *s))
                        return false;
        return true;
}

/* Keeps a file name alive for the generation's lifetime; cfg_pos points here. */
static const char *own_file(struct svd_config *c, char *path)
{
        if (!path || strv_push(&c->files, path) < 0) {
                free(path);
                return NULL;
        }
        free(path);
        return c->files[strv_length(c->files) - 1];
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), k = strlen(suffix);

        return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Left out of a directory without a word: what an editor or a tool keeps
 * there (a dotfile, "x.yaml~", "#x.yaml#") and subdirectories (scripts). */
static bool skip_quietly(int dfd, const struct dirent *de)
{
        const char *n = de->d_name;
        struct stat st;

        if (n[0] == '.' || has_suffix(n, "~") || (n[0] == '#' && has_suffix(n, "#")))
                return true;
        if (de->d_type == DT_DIR)
                return true;
        return (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) && fstatat(dfd, n, &st, 0) == 0 &&
               S_ISDIR(st.st_mode);
}

/* Opens dir and lists its .yaml and .yml files, sorted bytewise (not by
 * locale); *ret_dirfd stays open for the openat()s, *ret_canon is dir's
 * canonical name (so FILE in errors is stable), or dir itself when it cannot
 * be opened. *ret_other gets the other names (sorted too) but those
 * skip_quietly() leaves out: a file named "web.YAML" or "web.yaml.bak" is
 * not read, and its service would be missing without a word. One open, no
 * separate look-up for the name: each is a round trip on a network file
 * system. */
static int list_yaml(const char *dir, char ***ret, char ***ret_other, int *ret_dirfd, char **ret_canon)
{
        _cleanup_(strv_freep) char **names = NULL, **other = NULL;
        _cleanup_(closep) int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (dfd < 0) {
                r = -errno;
                *ret_canon = strdup(dir);
                return *ret_canon ? r : -ENOMEM;
        }
        char *canon = path_canonical_fd(dfd, dir);
        if (!(*ret_canon = canon ? canon : strdup(dir)))
                return -ENOMEM;
        /* fdopendir takes its own descriptor: dfd stays for the openat()s */
        int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
        if (dup_fd < 0)
                return -errno;
        if (!(d = fdopendir(dup_fd))) {
                r = -errno;
                close(dup_fd);
                return r;
        }
        while ((de = readdir(d))) {
                const char *dot = strrchr(de->d_name, '.');

                if (de->d_name[0] != '.' && dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
                        r = strv_push(&names, de->d_name);
                else if (!skip_quietly(dfd, de))
                        r = strv_push(&other, de->d_name);
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;
        if (names)
                qsort(names, strv_length(names), sizeof *names, cmp_str);
        if (other)
                qsort(other, strv_length(other), sizeof *other, cmp_str);
        *ret = names;
        names = NULL;
        *ret_other = other;
        other = NULL;
        *ret_dirfd = dfd;
        dfd = -1;
        return 0;
}

static int add_dep(struct cload *l, struct svc_config *s, const struct ynode *name_node, const char *key)
{
        struct dep_config *nd;

        if (cp_visible(l, name_node, key, "service name") < 0)
                return -EINVAL;
        for (size_t i = 0; i < s->n_deps; i++)
                if (strcmp(s->deps[i].name, name_node->value) == 0) {
                        cp_err(l, name_node, key, "duplicate dependency '%s'", name_node->value);
                        return -EINVAL;
                }
        nd = realloc(s->deps, (s->n_deps + 1) * sizeof *nd);
        if (!nd)
                return -ENOMEM;
        s->deps = nd;
        nd[s->n_deps] = (struct dep_config){ .name = strdup(name_node->value),
                                             .condition = DEP_STARTED,
                                             .index = SIZE_MAX,
                                             .pos = { l->file, name_node->line, name_node->col } };
        if (!nd[s->n_deps].name)
                return -ENOMEM;
        s->n_deps++;
        return 0;
}

/* depends_on: [a, b]  or  depends_on: { a: {condition: healthy, restart: true}, b: } */
static void load_deps(struct cload *l, const struct ynode *n, struct svc_config *s)
{
        static const char *const keys[] = { "condition", "restart", NULL };
        const char *names[_DEP_MAX];
        char key[KEYLEN], sub[KEYLEN];
        int r, e;

        for (int i = 0; i < _DEP_MAX; i++)
                names[i] = dep_condition_name((enum dep_condition)i);
        if (ynode_is_null(n))
                return; /* "depends_on:" with its entries commented out: none */
        if (n->kind == YNODE_SEQUENCE) {
                /* An item is depends_on[I] only while it is no name; an
                 * error about a named dependency is depends_on.NAME in
                 * either form, as config_validate's are. */
                for (size_t i = 0; i < n->n; i++) {
                        snprintf(key, sizeof key, "depends_on[%zu]", i);
                        if (!cp_is_scalar(n->items[i]))
                                cp_err(l, n->items[i], key, "expected a service name");
                        else if (add_dep(l, s, n->items[i], cp_key(key, "depends_on", n->items[i]->value)) ==
                                 -ENOMEM)
                                l->oom = true;
                }
                return;
        }
        if (n->kind != YNODE_MAPPING) {
                cp_err(l, n, "depends_on", "expected a list or a mapping of service names");
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                const struct ynode *v = n->values[i];
                struct dep_config *d;

                cp_key(key, "depends_on", n->items[i]->value);
                if (!ynode_is_null(v) && v->kind != YNODE_MAPPING) {
                        cp_err(l, v, key, "expected a mapping (condition, restart) or nothing");
                        continue;
                }
                if ((r = add_dep(l, s, n->items[i], key)) < 0) {
                        l->oom |= r == -ENOMEM;
                        continue;
                }
                d = &s->deps[s->n_deps - 1];
                cp_check_keys(l, v, key, keys);
                if (ynode_get(v, "condition") &&
                    cp_enum(l, ynode_get(v, "condition"), cp_key(sub, key, "condition"), names, _DEP_MAX,
                            &e) >= 0)
                        d->condition = (enum dep_condition)e;
                if (ynode_get(v, "restart"))
                        cp_bool(l, ynode_get(v, "restart"), cp_key(sub, key, "restart"), &d->restart);
        }
}

static void load_command(struct cload *l, const struct ynode *root, struct svc_config *s)
{
        const struct ynode *n = ynode_get(root, "command");
        _cleanup_(strv_freep) char **v = NULL;

        if (!n) {
                cp_err(l, root, "command", "required key missing");
                return;
        }
        if (s->shell && cp_is_scalar(n) && !n->value[strspn(n->value, " \t\n")]) {
                /* sh -c "" exits 0 at once: a service that never ran anything */
                cp_err(l, n, "command", "must not be empty");
                return;
        } else if (s->shell && cp_is_scalar(n)) {
                if (strv_push(&v, n->value) < 0)
                        l->oom = true;
        } else if (cp_strv(l, n, "command", &v) < 0) {
                return;
        } else if (!v[0]) {
                cp_err(l, n, "command", "must not be empty");
                return;
        } else if (!v[0][0]) {
                cp_err(l, n->items[0], "command[0]", "the program name must not be empty");
                return;
        } else if (cp_visible(l, n->items[0], "command[0]", "program name") < 0) {
                return; /* (the arguments after it are the program's text) */
        } else if (s->shell && v[1]) {
                /* One string for /bin/sh -c, however the user chose to wrap it. */
                size_t len = 0;
                char *joined, *p;

                for (size_t i = 0; v[i]; i++)
                        len += strlen(v[i]) + 1;
                if (!(p = joined = malloc(len))) {
                        l->oom = true;
                        return;
                }
                for (size_t i = 0; v[i]; i++)
                        p += sprintf(p, "%s%s", i ? " " : "", v[i]);
                strv_free(v);
                v = NULL;
                if (strv_push(&v, joined) < 0)
                        l->oom = true;
                free(joined);
        }
        s->command = v;
        v = NULL;
}

static const char *const svc_keys[] = { "description", "command", "shell", "environment", "env_file",
                                        "working_dir", "user", "group", "type", "depends_on", "restart",
                                        "backoff", "start_limit", "stop", "enabled", "slice", "resources",
                                        "healthcheck", "watchdog", "sandbox", "limits",
                                        "supplementary_groups", "umask", "allow_root",
                                        /* Accepted (shape-checked) now, implemented by later modules: */
                                        "logging", "secrets", "profiles",
                                        "start_when", "schedule", "install_hint", NULL };

static void load_svc_keys(struct cload *l, const struct ynode *root, struct svc_config *s)
{
        const struct svc_defaults *d = &l->c->defaults;
        const char *types[_SVC_TYPE_MAX], *restarts[_RESTART_MAX];
        const struct ynode *v;
        int e;

        for (int i = 0; i < _SVC_TYPE_MAX; i++)
                types[i] = svc_type_name((enum svc_type)i);
        for (int i = 0; i < _RESTART_MAX; i++)
                restarts[i] = restart_policy_name((enum restart_policy)i);
        cp_check_keys(l, root, "", svc_keys);
        if ((v = ynode_get(root, "description")))
                cp_text(l, v, "description", &s->description);
        if ((v = ynode_get(root, "shell")))
                cp_bool(l, v, "shell", &s->shell);
        load_command(l, root, s);
        if (d->environment && !(s->environment = strv_copy(d->environment)))
                l->oom = true;
        if ((v = ynode_get(root, "environment")))
                cp_env(l, v, "environment", &s->environment);
        if ((v = ynode_get(root, "env_file"))) {
                cp_file_path(l, v, "env_file", &s->env_file);
                s->env_file_pos = (struct cfg_pos){ l->file, v->line, v->col };
        }
        if (d->working_dir && !(s->working_dir = strdup(d->working_dir)))
                l->oom = true;
        if ((v = ynode_get(root, "working_dir")))
                cp_path(l, v, "working_dir", &s->working_dir);
        cp_creds(l, s, ynode_get(root, "user"), "user", ynode_get(root, "group"), "group");
        cp_identity(l, root, s);
        if ((v = ynode_get(root, "limits")))
                cp_limits(l, v, s);
        if ((v = ynode_get(root, "sandbox")))
                cp_sandbox(l, v, s);
        if ((v = ynode_get(root, "type")) && cp_enum(l, v, "type", types, _SVC_TYPE_MAX, &e) >= 0)
                s->type = (enum svc_type)e;
        if ((v = ynode_get(root, "depends_on")))
                load_deps(l, v, s);
        if ((v = ynode_get(root, "restart")) && cp_enum(l, v, "restart", restarts, _RESTART_MAX, &e) >= 0)
                s->restart = (enum restart_policy)e;
        if ((v = ynode_get(root, "backoff")))
                cp_backoff(l, v, "", &s->backoff);
        if ((v = ynode_get(root, "start_limit")))
                cp_start_limit(l, v, "", &s->start_limit);
        if ((v = ynode_get(root, "stop")))
                cp_stop(l, v, "", &s->stop);
        if ((v = ynode_get(root, "enabled")))
                cp_bool(l, v, "enabled", &s->enabled);
        if ((v = ynode_get(root, "slice")) && cp_visible(l, v, "slice", "slice name") >= 0 &&
            cp_str(l, v, "slice", &s->slice) >= 0)
                s->slice_pos = (struct cfg_pos){ l->file, v->line, v->col };
        if ((v = ynode_get(root, "resources")) && cp_expect_map(l, v, "resources") >= 0) {
                struct resources_config *rc = calloc(1, sizeof(*rc));
                if (!rc) {
                        l->oom = true;
                        return;
                }
                s->resources = rc;
                cp_check_keys(l, v, "resources", cp_knob_keys);
                cp_resources(l, v, "resources", rc);
        }
        if ((v = ynode_get(root, "schedule")))
                cp_schedule(l, v, s); /* config_schedule.c */
        cp_secrets(l, root, s);
        cp_profiles(l, root, s);
        /* 0 is off; under 10ms no service could keep up, over a day a hung
         * one would go unseen for days */
        if ((v = ynode_get(root, "watchdog")) &&
            cp_duration_in(l, v, "watchdog", 10 * USEC_PER_MSEC, CP_DAY, true, &s->watchdog) >= 0 &&
            s->watchdog && s->type != SVC_NOTIFY)
                cp_err(l, v, "watchdog", "needs type: notify (the service must send WATCHDOG=1)");
        if ((v = ynode_get(root, "logging")))
                cp_logging(l, v, "logging", &s->logging);
        if ((v = ynode_get(root, "start_when")))
                cp_start_when(l, v, &s->start_when);
        if ((v = ynode_get(root, "healthcheck"))) {
                cp_healthcheck(l, v, s);
                if (s->type == SVC_ONESHOT)
                        cp_err(l, v, "healthcheck", "a oneshot service has no health to check");
        }
}

static int load_svc(struct cload *l, const struct ynode *root, const char *name, const char *file)
{
        struct svd_config *c = l->c;
        const struct svc_defaults *d = &c->defaults;
        struct svc_config s = { 0 }, *ns;

        for (size_t i = 0; i < c->n_svcs; i++)
                if (strcmp(c->svcs[i].name, name) == 0) {
                        struct cfg_pos pos = { file, 1, 1 };

                        cfg_error(l->errs, &pos, NULL, "duplicate service name '%s' (also defined in %s)",
                                  name, c->svcs[i].file);
                        return 0;
                }
        if (ynode_is_null(root))
                root = NULL;
        if (root && root->kind != YNODE_MAPPING) {
                cp_err(l, root, NULL, "expected a mapping");
                return 0;
        }
        s.file = file;
        s.pos = (struct cfg_pos){ file, root ? root->line : 1, root ? root->col : 1 };
        s.type = SVC_SIMPLE;
        s.restart = d->restart;
        s.backoff = d->backoff;
        s.start_limit = d->start_limit;
        s.stop = d->stop;
        s.enabled = true;
        s.resources = &config_no_resources;
        config_sandbox_defaults(&s);
        if (logging_config_copy(&s.logging, &d->logging) < 0)
                return -ENOMEM;
        load_svc_keys(l, root, &s);
        config_digest_node(root, s.digest);
        config_digest_restart(root, s.restart_digest);
        config_digest_node(ynode_get(root, "resources"), s.resources_digest);
        config_digest_resources(s.resources, s.resources_values);
        config_digest_defaults(&s, root, s.defaults_digest);
        /* (kept at once: the old array is gone once realloc moved it) */
        if ((ns = realloc(c->svcs, (c->n_svcs + 1) * sizeof *ns)))
                c->svcs = ns;
        if (!ns || !(s.name = strdup(name))) {
                config_svc_done(&s);
                return -ENOMEM;
        }
        c->svcs[c->n_svcs++] = s;
        return l->oom ? -ENOMEM : 0;
}

static int load_slice(struct cload *l, const struct ynode *root, const char *name, const char *file)
{
        static const char *const keys[] = { "parent",      "description", "memory_max",      "memory_high",
                                            "memory_low",  "memory_min",  "memory_swap_max", "cpus",
                                            "cpu_weight",  "pids_max",    "io_weight",       "io_max",
                                            "cpuset_cpus", NULL };
        struct svd_config *c = l->c;
        struct slice_config s = { 0 }, *ns;
        _cleanup_(freep) char *desc = NULL;
        const struct ynode *v;

        for (size_t i = 0; i < c->n_slices; i++)
                if (strcmp(c->slices[i].name, name) == 0) {
                        struct cfg_pos pos = { file, 1, 1 };

                        cfg_error(l->errs, &pos, NULL, "duplicate slice name '%s' (also defined in %s)",
                                  name, c->slices[i].file);
                        return 0;
                }
        if (ynode_is_null(root))
                root = NULL;
        if (root && root->kind != YNODE_MAPPING) {
                cp_err(l, root, NULL, "expected a mapping");
                return 0;
        }
        s.file = file;
        s.pos = (struct cfg_pos){ file, root ? root->line : 1, root ? root->col : 1 };
        cp_check_keys(l, root, "", keys);
        if ((v = ynode_get(root, "parent")) && cp_str(l, v, "parent", &s.parent) >= 0)
                s.parent_pos = (struct cfg_pos){ file, v->line, v->col };
        if ((v = ynode_get(root, "description")))
                cp_text(l, v, "description", &desc);
        cp_resources(l, root, "", &s.resources);
        config_digest_node(root, s.digest);
        if ((ns = realloc(c->slices, (c->n_slices + 1) * sizeof *ns)))
                c->slices = ns;
        if (!ns || !(s.name = strdup(name))) {
                free(s.parent);
                config_resources_done(&s.resources);
                return -ENOMEM;
        }
        c->slices[c->n_slices++] = s;
        return l->oom ? -ENOMEM : 0;
}

static int load_dir(struct cload *l, const struct ynode *main_root, const char *key, char **dirp,
                    bool slices)
{
        _cleanup_(strv_freep) char **names = NULL, **other = NULL;
        _cleanup_(closep) int dfd = -1;
        struct svd_config *c = l->c;
        char *canon = NULL;
        int r;

        r = list_yaml(*dirp, &names, &other, &dfd, &canon);
        if (r == -ENOMEM) {
                free(canon);
                return r;
        }
        free(*dirp);
        *dirp = canon;
        if (r < 0) {
                const struct ynode *n = ynode_get(main_root, key);

                /* A missing default directory just means none; a configured one
                 * that cannot be read is a mistake worth naming, and so is a
                 * default one that is there but cannot be read (not a
                 * directory, no permission): loaded as none, a reload would
                 * remove every service. */
                if (n) {
                        l->file = c->files[0];
                        cp_err(l, n, key, "cannot open directory '%s': %s", *dirp, strerror(-r));
                } else if (r != -ENOENT) {
                        struct cfg_pos pos = { c->files[0], 0, 0 };

                        cfg_error(l->errs, &pos, key, "cannot open directory '%s': %s", *dirp, strerror(-r));
                }
                return 0;
        }
        for (size_t i = 0; other && other[i]; i++) {
                _cleanup_(freep) char *path = path_join(*dirp, other[i]);
                struct cfg_pos pos = { .file = path ? path : other[i] };

                cfg_warn(l->errs, &pos, NULL, "not read: only NAME.yaml and NAME.yml files in %s are", key);
        }
        for (size_t i = 0; names && names[i]; i++) {
                _cleanup_(ynode_freep) struct ynode *root = NULL;
                size_t n0 = l->errs->n;
                _cleanup_(freep) char *name = strndup(names[i], strrchr(names[i], '.') - names[i]);
                const char *file = own_file(c, path_join(*dirp, names[i]));

                if (!name || !file)
                        return -ENOMEM;
                l->file = file;
                /* (without memory the file would be left out: a service
                 * missing, or a bad file loading as no file) */
                if ((r = config_yaml_load_at(dfd, names[i], file, &root, l->errs)) == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                if (!config_name_valid(name)) {
                        struct cfg_pos pos = { file, 1, 1 };

                        cfg_error(l->errs, &pos, NULL,
                                  "invalid %s name '%s' (use 1 to 64 of A-Z a-z 0-9 _ . @ -)",
                                  slices ? "slice" : "service", name);
                        continue;
                }
                r = slices ? load_slice(l, root, name, file) : load_svc(l, root, name, file);
                if (r < 0)
                        return r;
                cfg_errors_sort_file(l->errs, n0, file);
        }
        return 0;
}

static int cmp_svc(const void *a, const void *b)
{
        return strcmp(((const struct svc_config *)a)->name, ((const struct svc_config *)b)->name);
}

static int cmp_slice(const void *a, const void *b)
{
        return strcmp(((const struct slice_config *)a)->name, ((const struct slice_config *)b)->name);
}

/* 1 when slices_dir and services_dir are one directory as written (".",
 * ".." and "//" folded; no lookup), else 0, or -ENOMEM. */
static int same_dirs(const struct svd_config *c)
{
        _cleanup_(freep) char *a = path_lexical(c->slices_dir);
        _cleanup_(freep) char *b = a ? path_lexical(c->services_dir) : NULL;

        if (!a || !b)
                return errno == ENOMEM ? -ENOMEM : 0;
        return strcmp(a, b) == 0;
}

int config_load(const char *main_file, struct svd_config **ret, struct cfg_errors *errs)
{
        _cleanup_(ynode_freep) struct ynode *root = NULL;
        struct svd_config *c = calloc(1, sizeof *c);
        struct cload l = { .c = c, .errs = errs };
        size_t n0 = errs->n;
        _cleanup_(closep) int mfd = -1;
        char *slash;
        int r;

        if (!c)
                return -ENOMEM;
        if (!own_file(c, strdup(main_file))) {
                r = -ENOMEM;
                goto fail;
        }
        l.file = c->files[0];
        cp_defaults_builtin(&c->defaults);
        /* Opened once: its canonical name from the descriptor, then read.
         * Not blocking on a FIFO, nor taking a terminal as PID 1's
         * controlling one: config_yaml refuses what is not a regular file. */
        mfd = open(main_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        c->file = mfd >= 0 ? path_canonical_fd(mfd, main_file) : NULL;
        if (!c->file) {
                struct cfg_pos pos = { .file = l.file };

                cfg_error(errs, &pos, NULL, "cannot read: %s", strerror(errno));
                r = -EINVAL;
                goto fail;
        }
        if (!(c->dir = strdup(c->file))) {
                r = -ENOMEM;
                goto fail;
        }
        slash = strrchr(c->dir, '/');
        slash[slash == c->dir ? 1 : 0] = 0;
        r = config_yaml_load_fd(mfd, l.file, &root, errs);
        close(mfd);
        mfd = -1;
        if (r < 0) {
                r = r == -ENOMEM ? r : -EINVAL;
                goto fail;
        }
        r = config_parse_main(&l, root);
        config_digest_node(ynode_get(root, "defaults"), c->defaults_digest);
        if (r >= 0 && (r = same_dirs(c)) > 0) {
                /* each service file would be read as a slice too */
                const struct ynode *n = ynode_get(root, "slices_dir");

                cp_err(&l, n ? n : ynode_get(root, "services_dir"), n ? "slices_dir" : "services_dir",
                       "is services_dir (%s): slice files need a directory of their own", c->services_dir);
        }
        cfg_errors_sort_file(errs, n0, l.file);
        if (r < 0 || (r == 0 && (r = load_dir(&l, root, "slices_dir", &c->slices_dir, true)) < 0) ||
            (r = load_dir(&l, root, "services_dir", &c->services_dir, false)) < 0)
                goto fail;
        if (c->n_slices)
                qsort(c->slices, c->n_slices, sizeof *c->slices, cmp_slice);
        if (c->n_svcs)
                qsort(c->svcs, c->n_svcs, sizeof *c->svcs, cmp_svc);
        r = config_validate(c, errs);
        if (r >= 0)
                r = config_secrets_validate(c, errs);
        if (r == -ENOMEM || errs->lost) {
                r = -ENOMEM;
                goto fail;
        }
        if (errs->n > n0) {
                r = -EINVAL;
                goto fail;
        }
        *ret = c;
        return 0;
fail:
        config_free(c);
        return r;
}
