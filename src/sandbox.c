/* sandbox: builds the per-spawn sandbox_plan from a service's config (see
 * sandbox.h). Everything that can fail for a reason worth naming -- a path
 * that does not exist, a filter that does not compile -- fails here, in the
 * parent, with a message; the child's stages are left with only what the
 * kernel itself may refuse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "sandbox.h"

static unsigned last_cap(void)
{
        static unsigned cached;
        FILE *f;

        if (cached)
                return cached;
        cached = 40; /* CAP_CHECKPOINT_RESTORE, should /proc not tell */
        if ((f = fopen("/proc/sys/kernel/cap_last_cap", "re"))) {
                unsigned v;

                if (fscanf(f, "%u", &v) == 1 && v < 64)
                        cached = v;
                fclose(f);
        }
        return cached;
}

static bool is_dir(const char *p)
{
        struct stat st;

        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add(const char **list, int *n, const char *path)
{
        if (*n >= SBX_PLAN_PATHS)
                return -E2BIG;
        list[(*n)++] = path;
        return 0;
}

/* Operator-given paths must exist: a typo would otherwise be a confinement
 * that silently does not happen. */
static int add_user(const char **list, int *n, char **paths, const char *key, char *why, size_t whylen)
{
        for (size_t i = 0; paths && paths[i]; i++) {
                if (access(paths[i], F_OK) < 0) {
                        int e = errno;
                        snprintf(why, whylen, "mounts: %s: %s: %s", key, paths[i], strerror(e));
                        return -e;
                }
                if (add(list, n, paths[i]) < 0) {
                        snprintf(why, whylen, "mounts: %s: too many paths", key);
                        return -E2BIG;
                }
        }
        return 0;
}

static int plan_mounts(const struct sandbox_config *b, struct sandbox_plan *p, char *why, size_t whylen)
{
        static const char *const system_dirs[] = { "/usr", "/boot", "/efi", "/etc" };
        static const char *const home_dirs[] = SBX_HOME_DIRS;
        int r;

        if (b->protect_system == SBX_PS_STRICT) {
                static const char *const api[] = { "/dev", "/proc", "/sys" };
                for (size_t i = 0; i < 3; i++)
                        if (is_dir(api[i]))
                                add(p->keep_rw, &p->n_keep_rw, api[i]);
                add(p->ro, &p->n_ro, "/");
        } else if (b->protect_system != SBX_PS_NO) {
                /* yes: /usr, /boot, /efi; full: and /etc */
                for (size_t i = 0; i < (b->protect_system == SBX_PS_FULL ? 4u : 3u); i++)
                        if (is_dir(system_dirs[i]))
                                add(p->ro, &p->n_ro, system_dirs[i]);
        }
        if ((r = add_user(p->keep_rw, &p->n_keep_rw, b->read_write_paths, "read_write_paths", why, whylen)) <
                    0 ||
            (r = add_user(p->ro, &p->n_ro, b->read_only_paths, "read_only_paths", why, whylen)) < 0)
                return r;
        for (size_t i = 0; i < 3 && b->protect_home != SBX_PH_NO; i++) {
                if (!is_dir(home_dirs[i]))
                        continue;
                if (b->protect_home == SBX_PH_YES)
                        add(p->hide_dir, &p->n_hide_dir, home_dirs[i]);
                else if (b->protect_home == SBX_PH_READ_ONLY)
                        add(p->ro, &p->n_ro, home_dirs[i]);
                else
                        p->empty_dir[p->n_empty_dir++] = home_dirs[i];
        }
        for (size_t i = 0; b->inaccessible_paths && b->inaccessible_paths[i]; i++) {
                const char *path = b->inaccessible_paths[i];
                struct stat st;

                if (stat(path, &st) < 0) {
                        int e = errno;
                        snprintf(why, whylen, "mounts: inaccessible_paths: %s: %s", path, strerror(e));
                        return -e;
                }
                if (S_ISDIR(st.st_mode) ? add(p->hide_dir, &p->n_hide_dir, path) < 0
                                        : add(p->hide_file, &p->n_hide_file, path) < 0) {
                        snprintf(why, whylen, "mounts: inaccessible_paths: too many paths");
                        return -E2BIG;
                }
        }
        if (b->private_tmp) {
                p->tmp[p->n_tmp++] = "/tmp";
                if (is_dir("/var/tmp"))
                        p->tmp[p->n_tmp++] = "/var/tmp";
        }
        for (int i = 0; i < p->n_ro; i++)
                for (int k = 0; k < p->n_keep_rw; k++)
                        if (path_below(p->ro[i], p->keep_rw[k])) {
                                p->ro_again[p->n_ro_again++] = p->ro[i];
                                break;
                        }
        p->mount_ns =
                p->n_keep_rw || p->n_ro || p->n_hide_dir || p->n_hide_file || p->n_empty_dir || p->n_tmp;
        return 0;
}

bool sandbox_caps_stage_unprivileged(const struct sandbox_config *b, uint64_t ambient)
{
        return ambient || (!b->no_new_privileges && !b->caps_all);
}

int sandbox_plan_build(const struct svc_config *c, uid_t uid, struct sandbox_plan *p, char *why,
                       size_t whylen)
{
        const struct sandbox_config *b = &c->sandbox;
        bool root_svd = geteuid() == 0;
        int r;

        memset(p, 0, sizeof(*p));
        for (size_t i = 0; i < SVC_RLIMIT_MAX; i++) {
                if (!c->limits[i].set)
                        continue;
                p->rl_resource[p->n_rlimits] = c->limits[i].resource;
                p->rl[p->n_rlimits].rlim_cur =
                        c->limits[i].soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t)c->limits[i].soft;
                p->rl[p->n_rlimits].rlim_max =
                        c->limits[i].hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t)c->limits[i].hard;
                p->n_rlimits++;
        }
        p->set_umask = c->has_umask;
        p->umask = c->umask;

        if ((r = plan_mounts(b, p, why, whylen)) < 0)
                return r;

        unsigned lc = last_cap();
        uint64_t all = lc >= 63 ? UINT64_MAX : (UINT64_C(1) << (lc + 1)) - 1;
        p->last_cap = lc;
        p->keep = b->caps_all ? all : b->caps & all;
        p->ambient = b->ambient & all;
        /* Root keeps its kept set by the kernel's rules for uid 0; anyone
         * else holds exactly the ambient set across exec. */
        p->permitted = uid == 0 ? p->keep : p->ambient;
        p->drop_bounding = !b->caps_all;
        p->securebits = root_svd && uid != 0;
        /* Without privileges svd cannot drop the bounding set, but then the
         * service has nothing to drop either, and no_new_privs stops it from
         * gaining anything through set-uid or file capabilities. A non-root
         * service runs the stage even with capabilities: all (exec would
         * leave it its ambient set only anyway): NO_SETUID_FIXUP kept root's
         * across the uid change, and the working directory is entered after
         * this stage with the service's own (spawn.c). */
        p->caps = root_svd ? (!b->caps_all || p->ambient || p->securebits)
                           : sandbox_caps_stage_unprivileged(b, p->ambient);
        p->no_new_privs = b->no_new_privileges;

        if (b->seccomp != SBX_SECCOMP_NONE) {
                if ((r = sandbox_seccomp_build(c, p, why, whylen)) < 0)
                        return r;
                p->seccomp = true;
        }
        return 0;
}

void sandbox_plan_done(struct sandbox_plan *p)
{
        if (!p)
                return;
        free(p->prog.filter);
        p->prog.filter = NULL;
}
