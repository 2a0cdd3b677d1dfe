/* sandbox: a service's confinement as a ready-to-apply plan. The parent
 * (svd) turns the immutable sandbox_config into a struct sandbox_plan before
 * each spawn: paths, rlimit values, capability masks and the seccomp filter
 * already compiled to BPF. The spawned child (spawn.c) then applies it with
 * plain system calls in fixed stages -- mounts, rlimits, securebits,
 * capabilities, no_new_privs, seccomp -- and never allocates or calls into
 * libcap or libseccomp. Each sandbox_child_* function returns 0, or -1 with
 * errno set; the stage that failed is reported by spawn.c. */
#ifndef SVD_SANDBOX_H
#define SVD_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <linux/filter.h>

struct svc_config;
struct sandbox_config;

/* Paths per list the child handles; config_sandbox.c enforces the same cap. */
#define SBX_PLAN_PATHS 40

struct sandbox_plan {
        /* rlimits */
        int n_rlimits;
        int rl_resource[8];
        struct rlimit rl[8];
        bool set_umask;
        mode_t umask;

        /* mount namespace */
        bool mount_ns;
        const char *keep_rw[SBX_PLAN_PATHS]; /* cloned before, put back after the read-only step */
        int n_keep_rw;
        const char *ro[SBX_PLAN_PATHS]; /* made read-only (recursively); "/" for strict */
        int n_ro;
        const char *ro_again[SBX_PLAN_PATHS]; /* those of ro below a keep_rw: again once it is back */
        int n_ro_again;
        const char *hide_dir[SBX_PLAN_PATHS]; /* covered by an empty, mode 000 tmpfs */
        int n_hide_dir;
        const char *hide_file[SBX_PLAN_PATHS]; /* covered by /dev/null without device access */
        int n_hide_file;
        const char *empty_dir[4]; /* covered by an empty writable tmpfs (protect_home: tmpfs) */
        int n_empty_dir;
        const char *tmp[2]; /* private_tmp: /tmp, /var/tmp */
        int n_tmp;

        /* capabilities */
        bool securebits; /* lock noroot/no_setuid_fixup/keep_caps (non-root services) */
        bool caps;       /* run the capabilities stage */
        bool drop_bounding;
        unsigned last_cap;
        uint64_t keep;      /* bounding set kept */
        uint64_t permitted; /* permitted = effective after the stage */
        uint64_t ambient;   /* inheritable = ambient */

        bool no_new_privs;
        bool seccomp;
        struct sock_fprog prog; /* filter (heap, owned) */
};

/* Builds the plan for c running as uid. Returns 0, or -errno with a short
 * reason ("seccomp: ...") in why. */
int sandbox_plan_build(const struct svc_config *c, uid_t uid, struct sandbox_plan *p, char *why,
                       size_t whylen);
void sandbox_plan_done(struct sandbox_plan *p);
/* Whether an svd that is not root runs the capabilities stage for b (with
 * ambient: b's ambient set, limited to the kernel's capabilities): it
 * needs privileges svd may not hold; without it only the ambient set is
 * cleared (sandbox_report_show says what the service holds). */
bool sandbox_caps_stage_unprivileged(const struct sandbox_config *b, uint64_t ambient);

/* Compiles the seccomp filter of c into p->prog (sandbox_seccomp.c); on
 * failure why says what failed (libseccomp not loadable: which library and
 * the loader's error). */
int sandbox_seccomp_build(const struct svc_config *c, struct sandbox_plan *p, char *why, size_t whylen);

/* Child side (sandbox_child.c): async-signal-safe, no allocation. */
int sandbox_child_mounts(const struct sandbox_plan *p);
int sandbox_child_rlimits(const struct sandbox_plan *p); /* -1 - the index refused */
int sandbox_child_securebits(const struct sandbox_plan *p);
int sandbox_child_caps(const struct sandbox_plan *p);
int sandbox_child_nnp(const struct sandbox_plan *p);
int sandbox_child_seccomp(const struct sandbox_plan *p);

#endif
