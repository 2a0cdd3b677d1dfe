/* config_main: the main file (svd.yaml): directories (relative to the
 * file's own directory), the control socket, admin group, cgroup root,
 * PID-1 settings, log and metrics limits, profiles and the defaults every
 * service starts from. Each value keeps its file:line:col for errors. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "config_parse.h"
#include "config_yaml.h"
#include "proto.h"
#include "utf8.h"

/* 1 to 64 bytes of valid UTF-8; no space, slash or control character
 * (sethostname takes any byte, and a newline would end up in uname -n;
 * it takes "" too, leaving the host without a name). */
static bool hostname_ok(const char *s)
{
        size_t len = strlen(s);
        if (len == 0 || len > 64 || utf8_bad(s, len, 0) != len)
                return false;
        return !strpbrk(s, " /");
}

/* services_dir etc.: the configured value (made absolute) or the default. */
static int main_path(struct cload *l, const struct ynode *root, const char *key, const char *def, char **out)
{
        const struct ynode *n = ynode_get(root, key);
        char *p = NULL;

        if (n && (cp_path_text(l, n, key) < 0 || cp_str(l, n, key, &p) < 0))
                n = NULL;
        if (!n && !p && !(p = strdup(def)))
                return -ENOMEM;
        *out = path_join(l->c->dir, p);
        free(p);
        return *out ? 0 : -ENOMEM;
}

static const char *const main_keys[] = { "services_dir", "slices_dir", "state_dir",
                                          "log_dir",      "run_dir",    "control_socket",
                                          "admin_group",  "defaults",   "cgroup_root",
                                          "cgroups",      "log_max_total", "hostname",
                                          "root",         "ctrl_alt_del", "emergency_shell", "secrets_console",
                                          "metrics",      "secrets_key", "profiles",
                                          "profile_sets", "ready_timeout", "secrets_kdf", NULL };
_Static_assert(ELEMENTSOF(main_keys) == CONFIG_MAIN_KEYS + 1, "CONFIG_MAIN_KEYS: one per main-file key");

struct cfg_pos config_main_pos(const struct svd_config *c, const char *key)
{
        for (size_t i = 0; i < CONFIG_MAIN_KEYS; i++)
                if (strcmp(main_keys[i], key) == 0 && c->main_pos[i].line > 0)
                        return c->main_pos[i];
        return (struct cfg_pos){ c->files ? c->files[0] : "?", 0, 0 };
}

int config_parse_main(struct cload *l, const struct ynode *root)
{
        struct svd_config *c = l->c;
        const struct ynode *n;
        int r;

        if (root && root->kind != YNODE_MAPPING && !ynode_is_null(root)) {
                cp_err(l, root, NULL, "expected a mapping");
                root = NULL;
        }
        if (root && root->kind != YNODE_MAPPING)
                root = NULL;
        cp_check_keys(l, root, "", main_keys);
        for (size_t i = 0; i < CONFIG_MAIN_KEYS; i++)
                if ((n = ynode_get(root, main_keys[i])))
                        c->main_pos[i] = (struct cfg_pos){ l->file, n->line, n->col };
        if ((r = main_path(l, root, "services_dir", "services", &c->services_dir)) < 0 ||
            (r = main_path(l, root, "slices_dir", "cgroups", &c->slices_dir)) < 0 ||
            (r = main_path(l, root, "state_dir", LOCALSTATEDIR "/lib/svd", &c->state_dir)) < 0 ||
            (r = main_path(l, root, "log_dir", LOCALSTATEDIR "/log/svd", &c->log_dir)) < 0 ||
            (r = main_path(l, root, "run_dir", PROTO_DEFAULT_RUN_DIR, &c->run_dir)) < 0)
                return r;
        if ((n = ynode_get(root, "control_socket")) &&
            cp_file_path(l, n, "control_socket", &c->control_socket) < 0)
                n = NULL;
        /* run_dir's default + "/control.sock" is PROTO_DEFAULT_SOCKET, svctl's default */
        if (!c->control_socket && !(c->control_socket = path_join(c->run_dir, "control.sock")))
                return -ENOMEM;
        if ((n = ynode_get(root, "admin_group")) && cp_visible(l, n, "admin_group", "group name") >= 0 &&
            cp_str(l, n, "admin_group", &c->admin_group) >= 0) {
                r = cp_lookup_group(c->admin_group, &c->admin_gid);
                if (r < 0)
                        cp_err(l, n, "admin_group", "unknown group '%s'", c->admin_group);
                c->has_admin_gid = r >= 0;
        }
        if ((n = ynode_get(root, "cgroup_root")) && cp_path_text(l, n, "cgroup_root") >= 0 &&
            cp_str(l, n, "cgroup_root", &c->cgroup_root) >= 0 &&
            (c->cgroup_root[0] == '/' || strstr(c->cgroup_root, "..")))
                cp_err(l, n, "cgroup_root", "expected a relative path below svd's own cgroup (no leading / or ..)");
        if (!c->cgroup_root && !(c->cgroup_root = strdup("svd")))
                return -ENOMEM;
        if ((n = ynode_get(root, "cgroups"))) {
                static const char *const modes[] = { "auto", "required", "optional" };
                int e;
                if (cp_enum(l, n, "cgroups", modes, _CGROUPS_MAX, &e) >= 0)
                        c->cgroups = (enum cgroups_mode)e;
        }
        if ((n = ynode_get(root, "log_max_total"))) {
                uint64_t b;
                char m[32];

                if (!cp_is_scalar(n))
                        cp_err(l, n, "log_max_total", "expected a size (e.g. 512M, 4G), not %s", cp_kind(n));
                else if (parse_size(n->value, &b, NULL) < 0)
                        cp_err(l, n, "log_max_total", "bad size '%s' (use e.g. 512M, 4G)", n->value);
                else if (b != 0 && (b < (1u << 10) || b > LOG_TOTAL_MAX))
                        cp_err(l, n, "log_max_total", "must be 0 (none) or between 1K and %s",
                               format_size(LOG_TOTAL_MAX, m, sizeof m));
                else
                        c->log_max_total = b;
        }
        if ((n = ynode_get(root, "hostname")) && cp_str(l, n, "hostname", &c->hostname) >= 0 &&
            !hostname_ok(c->hostname))
                cp_err(l, n, "hostname",
                       "expected a host name of at most 64 characters, without spaces, slashes or control "
                       "characters");
        if ((n = ynode_get(root, "root"))) {
                static const char *const modes[] = { "ro", "rw" };
                int e;
                if (cp_enum(l, n, "root", modes, 2, &e) >= 0)
                        c->root_rw = e == 1;
        }
        /* below systemd's 90 s default start timeout (svd.service) */
        c->ready_timeout = 60 * USEC_PER_SEC;
        if ((n = ynode_get(root, "ready_timeout")))
                cp_duration_in(l, n, "ready_timeout", USEC_PER_SEC, CP_DAY, true, &c->ready_timeout);
        c->ctrl_alt_del = 2; /* SHUTDOWN_REBOOT */
        if ((n = ynode_get(root, "ctrl_alt_del"))) {
                /* the same order as enum shutdown_action (init.h) */
                static const char *const acts[] = { "ignore", "poweroff", "reboot", "halt" };
                int e;
                if (cp_enum(l, n, "ctrl_alt_del", acts, 4, &e) >= 0)
                        c->ctrl_alt_del = e;
        }
        if ((n = ynode_get(root, "emergency_shell")))
                cp_file_path(l, n, "emergency_shell", &c->emergency_shell);
        if ((n = ynode_get(root, "secrets_key"))) {
                static const char *const modes[] = { "host", "passphrase" };
                int e;
                if (cp_enum(l, n, "secrets_key", modes, 2, &e) >= 0)
                        c->secrets_passphrase = e == 1;
        }
        if ((n = ynode_get(root, "secrets_kdf"))) {
                static const char *const levels[] = { "interactive", "moderate", "sensitive" };
                cp_enum(l, n, "secrets_kdf", levels, 3, &c->secrets_kdf);
        }
        if ((n = ynode_get(root, "secrets_console"))) {
                if (n->kind == YNODE_SCALAR && strcmp(n->value, "none") == 0) {
                        /* NULL would be "ask on /dev/console" */
                        if (!(c->secrets_console = strdup("none")))
                                l->oom = true;
                } else
                        cp_file_path(l, n, "secrets_console", &c->secrets_console);
        }
        cp_metrics(l, ynode_get(root, "metrics")); /* config_metrics.c */
        cp_main_profiles(l, root);                 /* config_schedule.c */
        return cp_defaults(l, ynode_get(root, "defaults"));
}

int config_load_main_only(const char *main_file, struct svd_config **ret)
{
        _cleanup_(ynode_freep) struct ynode *root = NULL;
        struct cfg_errors ignored = { 0 };
        struct svd_config *c = calloc(1, sizeof *c);
        struct cload l = { .c = c, .errs = &ignored };
        int r = -ENOMEM;

        if (!c || strv_push(&c->files, main_file) < 0)
                goto fail;
        l.file = c->files[0];
        cp_defaults_builtin(&c->defaults);
        c->file = path_canonical(main_file);
        if (!c->file && !(c->file = strdup(main_file)))
                goto fail;
        if (!(c->dir = strdup(c->file)))
                goto fail;
        char *slash = strrchr(c->dir, '/');
        if (!slash)
                strcpy(c->dir, ".");
        else
                slash[slash == c->dir ? 1 : 0] = 0;
        if (config_yaml_load(l.file, &root, &ignored) == -ENOMEM)
                goto fail;
        /* whatever it says, the emergency needs these three */
        if (config_parse_main(&l, root) == -ENOMEM || l.oom || !c->run_dir || !c->log_dir || !c->control_socket)
                goto fail;
        cfg_errors_free(&ignored);
        *ret = c;
        return 0;
fail:
        cfg_errors_free(&ignored);
        config_free(c);
        return r;
}
