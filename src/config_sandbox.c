/* config_sandbox: the confinement part of a service file: the identity keys
 * beside user/group (supplementary_groups, umask, allow_root), limits: (rlimits)
 * and sandbox: (capabilities, no_new_privileges, seccomp, filesystem
 * protection). Every name is checked here, at load, against libcap's
 * capability names, the syscall group table and libseccomp's syscall names,
 * so a typo is a file:line:col error rather than a service that fails (or,
 * worse, runs less confined than written) at its first start. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dl_seccomp.h"

#include "config_parse.h"
#include "sandbox_groups.h"

/* Kept small: each entry costs the child one mount step. */
#define SBX_MAX_PATHS 32

static const struct {
        const char *name;
        int resource;
        bool size;            /* accepts 8M etc. */
        const char *zero_why; /* why a soft limit of 0 is refused; NULL: 0 means something */
} rlimits[SVC_RLIMIT_MAX] = {
        { "nofile", RLIMIT_NOFILE, false, "0 leaves the program no file to open, not even its libraries" },
        { "nproc", RLIMIT_NPROC, false,
          "0 leaves the service's user no process: the exec or the first fork fails" },
        { "core", RLIMIT_CORE, true, NULL },
        { "memlock", RLIMIT_MEMLOCK, true, NULL },
        { "stack", RLIMIT_STACK, true, "0 leaves the program no stack: it could not start" },
        { "as", RLIMIT_AS, true, "0 leaves the program no address space: it could not start" },
        { "fsize", RLIMIT_FSIZE, true, NULL },
        /* the kernel raises a CPU limit of 0 to 1 */
        { "cpu", RLIMIT_CPU, false,
          "0 is taken as 1 second of CPU time, after which the kernel kills the service" },
};

static const struct {
        const char *name;
        int value;
} errnos[] = { { "EPERM", EPERM },
               { "EACCES", EACCES },
               { "ENOSYS", ENOSYS },
               { "EINVAL", EINVAL },
               { "EROFS", EROFS } };

const char *config_rlimit_name(size_t i)
{
        return i < SVC_RLIMIT_MAX ? rlimits[i].name : NULL;
}

const char *config_errno_name(int e)
{
        for (size_t i = 0; i < ELEMENTSOF(errnos); i++)
                if (errnos[i].value == e)
                        return errnos[i].name;
        return NULL;
}

void config_sandbox_defaults(struct svc_config *s)
{
        s->allow_root = true;
        s->sandbox.no_new_privileges = true;
        s->sandbox.seccomp = SBX_SECCOMP_DEFAULT;
        s->sandbox.action = SBX_ACTION_ERRNO;
        s->sandbox.errno_value = EPERM;
        for (size_t i = 0; i < SVC_RLIMIT_MAX; i++)
                s->limits[i].resource = rlimits[i].resource;
}

void config_sandbox_done(struct svc_config *s)
{
        struct sandbox_config *b = &s->sandbox;

        strv_free(s->supplementary_groups);
        free(s->sup_gids);
        strv_free(b->syscalls);
        strv_free(b->read_write_paths);
        strv_free(b->read_only_paths);
        strv_free(b->inaccessible_paths);
}

/* ---- identity ---- */

/* A group named twice, by name or by number ("adm" and "4"), is refused at
 * the repetition, naming the first's line: a list edited by hand, where the
 * repetition may have been meant as another group. A scan of the gids kept
 * so far (a list holds at most CONFIG_YAML_MAX_ITEMS entries). */
static void load_sup_groups(struct cload *l, const struct ynode *n, struct svc_config *s)
{
        _cleanup_(freep) int *lines = NULL; /* lines[j]: where sup_gids[j] was named */
        char sub[KEYLEN];

        if (cp_strv(l, n, "supplementary_groups", &s->supplementary_groups) < 0)
                return;
        size_t k = strv_length(s->supplementary_groups);
        if (k && (!(s->sup_gids = calloc(k, sizeof(gid_t))) || !(lines = calloc(k, sizeof(int))))) {
                l->oom = true;
                return;
        }
        for (size_t i = 0; i < k; i++) {
                gid_t gid;
                size_t j = 0;

                snprintf(sub, sizeof sub, "supplementary_groups[%zu]", i);
                if (cp_visible(l, n->items[i], sub, "group name") < 0)
                        continue;
                if (cp_lookup_group(s->supplementary_groups[i], &gid) < 0) {
                        cp_err(l, n->items[i], sub, "unknown group '%s'", s->supplementary_groups[i]);
                        continue;
                }
                while (j < s->n_sup_gids && s->sup_gids[j] != gid)
                        j++;
                if (j < s->n_sup_gids) {
                        cp_err(l, n->items[i], sub, "duplicate group '%s' (first on line %d)",
                               s->supplementary_groups[i], lines[j]);
                        continue;
                }
                lines[s->n_sup_gids] = n->items[i]->line;
                s->sup_gids[s->n_sup_gids++] = gid;
        }
}

/* Runs as uid 0: an explicit root user, or no user under a root svd. */
static bool runs_as_root(const struct svc_config *s)
{
        return s->has_uid ? s->uid == 0 : geteuid() == 0;
}

void cp_identity(struct cload *l, const struct ynode *root, struct svc_config *s)
{
        const struct ynode *v;

        if ((v = ynode_get(root, "supplementary_groups")))
                load_sup_groups(l, v, s);
        if ((v = ynode_get(root, "umask"))) {
                char *end = NULL;
                unsigned long m = cp_is_scalar(v) ? strtoul(v->value, &end, 8) : 0;

                /* octal digits only: strtoul would take "-0", "+22", " 22" */
                if (!cp_is_scalar(v) || !*v->value || *end || m > 0777 ||
                    strspn(v->value, "01234567") != strlen(v->value))
                        cp_err(l, v, "umask", "expected an octal mode 0000..0777 (e.g. 0027)");
                else {
                        s->has_umask = true;
                        s->umask = (mode_t)m;
                }
        }
        if ((v = ynode_get(root, "allow_root")) && cp_bool(l, v, "allow_root", &s->allow_root) >= 0 &&
            !s->allow_root && runs_as_root(s))
                cp_err(l, v, "allow_root",
                       "the service would run as root: set user: to an unprivileged user");
}

/* ---- limits: ---- */

static int rlimit_value(struct cload *l, const struct ynode *n, const char *key, bool size, uint64_t *out)
{
        unsigned long long u;

        if (cp_is_scalar(n) && (strcmp(n->value, "infinity") == 0 || strcmp(n->value, "unlimited") == 0)) {
                *out = UINT64_MAX;
                return 0;
        }
        if (cp_is_scalar(n) && size && parse_size(n->value, out, NULL) >= 0)
                return 0;
        if (cp_is_scalar(n) && parse_uint(n->value, UINT64_MAX - 1, &u) >= 0) {
                *out = u;
                return 0;
        }
        cp_err(l, n, key,
               size ? "expected a size (e.g. 8M), an integer or infinity"
                    : "expected an integer or infinity");
        return -EINVAL;
}

/* fs.nr_open: the kernel refuses a nofile limit (infinity too) above it with
 * EPERM, which would fail every start; 0 when it cannot be read (the check
 * is then left to the start). */
static uint64_t nr_open(void)
{
        unsigned long long v = 0;
        FILE *f = fopen("/proc/sys/fs/nr_open", "re");

        if (!f)
                return 0;
        if (fscanf(f, "%llu", &v) != 1)
                v = 0;
        fclose(f);
        return v;
}

static void check_nofile(struct cload *l, const struct ynode *n, const char *key, uint64_t v)
{
        uint64_t max = nr_open();

        if (max && v > max)
                cp_err(l, n, key,
                       "%s exceeds fs.nr_open %llu on this host: the kernel would refuse it at every start",
                       v == UINT64_MAX ? "infinity" : "the value", (unsigned long long)max);
}

void cp_limits(struct cload *l, const struct ynode *n, struct svc_config *s)
{
        const char *names[SVC_RLIMIT_MAX + 1] = { NULL };
        char key[KEYLEN], sub[KEYLEN];

        if (cp_expect_map(l, n, "limits") < 0)
                return;
        for (size_t i = 0; i < SVC_RLIMIT_MAX; i++)
                names[i] = rlimits[i].name;
        cp_check_keys(l, n, "limits", names);
        for (size_t i = 0; i < SVC_RLIMIT_MAX; i++) {
                const struct ynode *v = ynode_get(n, rlimits[i].name), *so, *ha;
                struct rlimit_config *o = &s->limits[i];

                if (!v)
                        continue;
                cp_key(key, "limits", rlimits[i].name);
                if (v->kind != YNODE_MAPPING) {
                        /* one value sets both, as ulimit -n does */
                        if (rlimit_value(l, v, key, rlimits[i].size, &o->soft) >= 0) {
                                if (o->soft == 0 && rlimits[i].zero_why) {
                                        cp_err(l, v, key, "%s (leave it out for no limit)", rlimits[i].zero_why);
                                        continue;
                                }
                                o->hard = o->soft;
                                o->set = true;
                                if (rlimits[i].resource == RLIMIT_NOFILE)
                                        check_nofile(l, v, key, o->hard);
                        }
                        continue;
                }
                static const char *const pair[] = { "soft", "hard", NULL };
                cp_check_keys(l, v, key, pair);
                so = ynode_get(v, "soft");
                ha = ynode_get(v, "hard");
                if (!so || !ha) {
                        cp_err(l, v, key, "expected both soft and hard");
                        continue;
                }
                if (rlimit_value(l, so, cp_key(sub, key, "soft"), rlimits[i].size, &o->soft) < 0 ||
                    rlimit_value(l, ha, cp_key(sub, key, "hard"), rlimits[i].size, &o->hard) < 0)
                        continue;
                if (o->soft > o->hard) {
                        cp_err(l, so, cp_key(sub, key, "soft"), "must not exceed hard");
                        continue;
                }
                if (o->soft == 0 && rlimits[i].zero_why) {
                        cp_err(l, so, cp_key(sub, key, "soft"), "%s (leave it out for no limit)",
                               rlimits[i].zero_why);
                        continue;
                }
                if (rlimits[i].resource == RLIMIT_NOFILE)
                        check_nofile(l, ha, cp_key(sub, key, "hard"), o->hard);
                o->set = true;
        }
}

/* ---- sandbox: ---- */

static void load_caps(struct cload *l, const struct ynode *n, const char *key, uint64_t *out)
{
        char sub[KEYLEN];
        /* a capability named twice (also as cap_x and CAP_X): a list edited
         * by hand, where the repetition may have been meant as another one */
        uint64_t seen = 0;
        int first_line[64];

        if (!n || n->kind != YNODE_SEQUENCE) {
                cp_err(l, n, key, "expected a list of capabilities (e.g. [CAP_NET_BIND_SERVICE])");
                return;
        }
        for (size_t i = 0; i < n->n; i++) {
                const struct ynode *v = n->items[i];
                cap_value_t c;

                snprintf(sub, sizeof sub, "%s[%zu]", key, i);
                if (!cp_is_scalar(v) || strncasecmp(v->value, "CAP_", 4) != 0 ||
                    cap_from_name(v->value, &c) < 0 || c < 0 || c > 63) {
                        if (cp_is_scalar(v))
                                cp_err(l, v, sub, "unknown capability '%s'", v->value);
                        else
                                cp_err(l, v, sub, "expected a capability name, not %s", cp_kind(v));
                        continue;
                }
                if (seen & UINT64_C(1) << c) {
                        cp_err(l, v, sub, "duplicate capability '%s' (first on line %d)", v->value,
                               first_line[c]);
                        continue;
                }
                seen |= UINT64_C(1) << c;
                first_line[c] = v->line;
                *out |= UINT64_C(1) << c;
        }
}

static bool syscall_known(const char *name)
{
        if (name[0] == '@')
                return sbx_group_get(name) != NULL;
        char why[256];
        /* libseccomp cannot load: the name is not judged here; building the
         * filter at start will fail with that reason */
        if (dynlib_acquire(&dl_seccomp, why, sizeof why) < 0)
                return true;
        bool known = seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
        dynlib_release(&dl_seccomp);
        return known;
}

static void load_seccomp(struct cload *l, const struct ynode *n, struct sandbox_config *b)
{
        static const char *const keys[] = { "allow", "deny", "action", "errno", NULL };
        static const char *const actions[] = { "errno", "kill", "log" };
        static const char *const modes[] = { "default", "none" };
        const struct ynode *v, *list = NULL;
        char sub[KEYLEN];
        int e;

        if (cp_is_scalar(n)) {
                if (cp_enum(l, n, "sandbox.seccomp", modes, 2, &e) >= 0)
                        b->seccomp = e ? SBX_SECCOMP_NONE : SBX_SECCOMP_DEFAULT;
                return;
        }
        if (!n || n->kind != YNODE_MAPPING) {
                cp_err(l, n, "sandbox.seccomp", "expected default, none, or a mapping with allow: or deny:");
                return;
        }
        cp_check_keys(l, n, "sandbox.seccomp", keys);
        if (ynode_get(n, "allow") && ynode_get(n, "deny")) {
                cp_err(l, n, "sandbox.seccomp", "only one of allow, deny may be given");
                return;
        }
        if ((v = ynode_get(n, "action")) && cp_enum(l, v, "sandbox.seccomp.action", actions, 3, &e) >= 0)
                b->action = (enum sbx_action)e;
        if ((v = ynode_get(n, "errno"))) {
                unsigned long long u;
                bool ok = false;

                for (size_t i = 0; cp_is_scalar(v) && i < ELEMENTSOF(errnos); i++)
                        if (strcmp(v->value, errnos[i].name) == 0) {
                                b->errno_value = errnos[i].value;
                                ok = true;
                        }
                if (!ok && cp_is_scalar(v) && parse_uint(v->value, 4095, &u) >= 0 && u > 0) {
                        b->errno_value = (int)u;
                        ok = true;
                }
                if (!ok)
                        cp_err(l, v, "sandbox.seccomp.errno",
                               "expected EPERM, EACCES, ENOSYS, EINVAL, EROFS or 1..4095");
                else if (b->action != SBX_ACTION_ERRNO)
                        cp_err(l, v, "sandbox.seccomp.errno", "only with action: errno");
        }
        const char *which = (list = ynode_get(n, "allow"))  ? "allow"
                            : (list = ynode_get(n, "deny")) ? "deny"
                                                            : NULL;
        if (!which)
                return; /* the default profile, with another action */
        cp_key(sub, "sandbox.seccomp", which);
        _cleanup_(strv_freep) char **names = NULL;
        if (cp_strv(l, list, sub, &names) < 0)
                return;
        for (size_t i = 0; names[i]; i++)
                if (!syscall_known(names[i])) {
                        char k2[KEYLEN + 32];

                        snprintf(k2, sizeof k2, "%s[%zu]", sub, i);
                        cp_err(l, list->items[i], k2,
                               names[i][0] == '@' ? "unknown syscall group '%s'"
                                                  : "unknown system call '%s'",
                               names[i]);
                        return;
                }
        b->seccomp = which[0] == 'a' ? SBX_SECCOMP_ALLOW : SBX_SECCOMP_DENY;
        b->syscalls = names;
        names = NULL;
}

/* Whether dir is path or one of its parents (absolute paths; a trailing
 * slash on dir does not count). */
static bool covers(const char *dir, const char *path)
{
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        return n == 1 || (strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/'));
}

/* An absolute path naming something below / as written: no ".", ".." or
 * empty component (a trailing slash aside). "/srv/.." is / itself, and
 * "/var/./tmp/x" would escape the string checks below (covers()). */
static bool path_below_root(const char *p)
{
        bool any = false;

        if (p[0] != '/')
                return false;
        for (const char *c = p + 1; *c;) {
                size_t len = strcspn(c, "/");

                if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                any = true;
                c += len;
                if (*c == '/')
                        c++;
        }
        return any;
}

static void load_paths(struct cload *l, const struct ynode *n, const char *key, char ***out)
{
        char sub[KEYLEN];

        if (cp_strv(l, n, key, out) < 0)
                return;
        for (size_t i = 0; (*out)[i]; i++) {
                snprintf(sub, sizeof sub, "%s[%zu]", key, i);
                if (cp_path_text(l, n->items[i], sub) < 0)
                        continue;
                if (!path_below_root((*out)[i]))
                        cp_err(l, n->items[i], sub, "expected an absolute path below /");
                else if (i >= SBX_MAX_PATHS)
                        cp_err(l, n->items[i], sub, "at most %d paths", SBX_MAX_PATHS);
        }
}

/* true/false or one of the extra words (index + 2 in *out: 0 no, 1 yes). */
static int bool_or(struct cload *l, const struct ynode *n, const char *key, const char *const *words,
                   size_t nw, int *out)
{
        static const char *const yes[] = { "true", "yes" }, *const no[] = { "false", "no" };

        for (size_t i = 0; cp_is_scalar(n) && i < 2; i++) {
                if (strcasecmp(n->value, yes[i]) == 0)
                        return *out = 1, 0;
                if (strcasecmp(n->value, no[i]) == 0)
                        return *out = 0, 0;
        }
        for (size_t i = 0; cp_is_scalar(n) && i < nw; i++)
                if (strcmp(n->value, words[i]) == 0)
                        return *out = (int)i + 2, 0;
        cp_err(l, n, key, "expected true, false, %s%s%s", words[0], nw > 1 ? " or " : "",
               nw > 1 ? words[1] : "");
        return -EINVAL;
}

void cp_sandbox(struct cload *l, const struct ynode *n, struct svc_config *s)
{
        static const char *const keys[] = { "capabilities",
                                            "ambient_capabilities",
                                            "no_new_privileges",
                                            "seccomp",
                                            "private_tmp",
                                            "protect_system",
                                            "protect_home",
                                            "read_write_paths",
                                            "read_only_paths",
                                            "inaccessible_paths",
                                            NULL };
        struct sandbox_config *b = &s->sandbox;
        const struct ynode *v;
        int e;

        b->pos = (struct cfg_pos){ l->file, n->line, n->col };
        if (cp_expect_map(l, n, "sandbox") < 0)
                return;
        cp_check_keys(l, n, "sandbox", keys);
        if ((v = ynode_get(n, "capabilities"))) {
                if (cp_is_scalar(v) && strcmp(v->value, "all") == 0)
                        b->caps_all = true;
                else
                        load_caps(l, v, "sandbox.capabilities", &b->caps);
        }
        if ((v = ynode_get(n, "ambient_capabilities")))
                load_caps(l, v, "sandbox.ambient_capabilities", &b->ambient);
        b->caps |= b->ambient; /* an ambient capability must be in the bounding set */
        if ((v = ynode_get(n, "seccomp")))
                load_seccomp(l, v, b);
        if ((v = ynode_get(n, "no_new_privileges")) &&
            cp_bool(l, v, "sandbox.no_new_privileges", &b->no_new_privileges) >= 0 &&
            !b->no_new_privileges && b->seccomp != SBX_SECCOMP_NONE &&
            !(runs_as_root(s) && (b->caps_all || (b->caps >> CAP_SYS_ADMIN) & 1)))
                /* the kernel takes a filter without no_new_privs only from CAP_SYS_ADMIN */
                cp_err(l, v, "sandbox.no_new_privileges",
                       "false needs seccomp: none, or a root service keeping CAP_SYS_ADMIN");
        if ((v = ynode_get(n, "private_tmp")))
                cp_bool(l, v, "sandbox.private_tmp", &b->private_tmp);
        if ((v = ynode_get(n, "protect_system"))) {
                static const char *const w[] = { "full", "strict" };
                if (bool_or(l, v, "sandbox.protect_system", w, 2, &e) >= 0)
                        b->protect_system = (enum sbx_protect_system)e;
        }
        if ((v = ynode_get(n, "protect_home"))) {
                static const char *const w[] = { "read-only", "tmpfs" };
                if (bool_or(l, v, "sandbox.protect_home", w, 2, &e) >= 0)
                        b->protect_home = (enum sbx_protect_home)e;
        }
        if ((v = ynode_get(n, "read_write_paths")))
                load_paths(l, v, "sandbox.read_write_paths", &b->read_write_paths);
        if ((v = ynode_get(n, "read_only_paths")))
                load_paths(l, v, "sandbox.read_only_paths", &b->read_only_paths);
        if ((v = ynode_get(n, "inaccessible_paths")))
                load_paths(l, v, "sandbox.inaccessible_paths", &b->inaccessible_paths);
        /* the private /tmp is empty: a host path at or below it cannot be
         * kept (/tmp itself would be covered by the private one too) */
        for (size_t i = 0; b->private_tmp && b->read_write_paths && b->read_write_paths[i]; i++)
                if (covers("/tmp", b->read_write_paths[i]) || covers("/var/tmp", b->read_write_paths[i])) {
                        char sub[KEYLEN];
                        snprintf(sub, sizeof sub, "sandbox.read_write_paths[%zu]", i);
                        cp_err(l, ynode_get(n, "read_write_paths")->items[i], sub,
                               "hidden by private_tmp (the service gets an empty /tmp)");
                }
        /* a path both read-only and writable would be writable (the
         * writable tree is put back over the read-only one): only a path
         * below the other says which wins */
        for (size_t i = 0; b->read_only_paths && b->read_only_paths[i]; i++)
                for (size_t k = 0; b->read_write_paths && b->read_write_paths[k]; k++)
                        if (covers(b->read_only_paths[i], b->read_write_paths[k]) &&
                            covers(b->read_write_paths[k], b->read_only_paths[i])) {
                                char sub[KEYLEN];
                                snprintf(sub, sizeof sub, "sandbox.read_only_paths[%zu]", i);
                                cp_err(l, ynode_get(n, "read_only_paths")->items[i], sub,
                                       "also in read_write_paths (a path is one or the other)");
                                break;
                        }
        /* nor below what protect_home or inaccessible_paths cover with an
         * empty tmpfs: it would be out of the service's reach, silently */
        static const char *const homes[] = SBX_HOME_DIRS;
        for (size_t i = 0; b->read_write_paths && b->read_write_paths[i]; i++) {
                const char *rw = b->read_write_paths[i], *by = NULL;
                for (size_t h = 0; !by && h < ELEMENTSOF(homes); h++)
                        if ((b->protect_home == SBX_PH_YES || b->protect_home == SBX_PH_TMPFS) &&
                            covers(homes[h], rw))
                                by = "protect_home";
                for (size_t k = 0; !by && b->inaccessible_paths && b->inaccessible_paths[k]; k++)
                        if (covers(b->inaccessible_paths[k], rw))
                                by = "inaccessible_paths";
                if (by) {
                        char sub[KEYLEN];
                        snprintf(sub, sizeof sub, "sandbox.read_write_paths[%zu]", i);
                        cp_err(l, ynode_get(n, "read_write_paths")->items[i], sub,
                               "hidden by %s (out of the service's reach)", by);
                }
        }
}
