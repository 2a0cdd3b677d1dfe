/* sandbox_report: JSON views of a service's sandbox (see sandbox_report.h).
 * The audit score weighs what a compromised service could do to the host:
 * running as root and keeping capabilities count most, then the system-call
 * surface, then the filesystem view. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "config.h"
#include "sandbox.h"
#include "sandbox_groups.h"
#include "sandbox_report.h"

static const char *const seccomp_names[_SBX_SECCOMP_MAX] = { "default", "none", "allow", "deny" };
static const char *const action_names[_SBX_ACTION_MAX] = { "errno", "kill", "log" };
static const char *const ps_names[_SBX_PS_MAX] = { "no", "yes", "full", "strict" };
static const char *const ph_names[_SBX_PH_MAX] = { "no", "yes", "read-only", "tmpfs" };

static bool runs_as_root(const struct svc_config *c)
{
        return c->has_uid ? c->uid == 0 : geteuid() == 0;
}

static cJSON *caps_array(uint64_t mask)
{
        cJSON *a = cJSON_CreateArray();

        for (int i = 0; a && i < 64; i++) {
                if (!((mask >> i) & 1))
                        continue;
                char *n = cap_to_name((cap_value_t)i), buf[64];
                snprintf(buf, sizeof buf, "%s", n ? n : "?");
                cap_free(n);
                for (char *p = buf; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                cJSON_AddItemToArray(a, cJSON_CreateString(buf));
        }
        return a;
}

/* One of svd's own capability sets (CAP_PERMITTED, CAP_EFFECTIVE). */
static uint64_t own_set(cap_flag_t flag)
{
        cap_t cp = cap_get_proc();
        uint64_t m = 0;

        for (int i = 0; cp && i < 64; i++) {
                cap_flag_value_t v;

                if (cap_get_flag(cp, (cap_value_t)i, flag, &v) == 0 && v == CAP_SET)
                        m |= UINT64_C(1) << i;
        }
        cap_free(cp);
        return m;
}

/* "CAP_A,CAP_B" of mask into buf. */
static const char *caps_text(uint64_t mask, char *buf, size_t len)
{
        size_t n = 0;

        buf[0] = 0;
        for (int i = 0; i < 64 && n < len; i++) {
                if (!((mask >> i) & 1))
                        continue;
                char *name = cap_to_name((cap_value_t)i);
                n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", name ? name : "?");
                cap_free(name);
        }
        for (char *p = buf; *p; p++)
                *p = (char)toupper((unsigned char)*p);
        return buf;
}

/* An svd that is not root runs its services as its own user, which after
 * exec hold (permitted, effective) their ambient set and nothing else: the
 * configured capabilities are only a bounding set. With the capabilities
 * stage (sandbox_caps_stage_unprivileged) that is b's ambient set, which
 * svd can raise only if it holds each in its permitted set, after
 * narrowing the bounding set (unless capabilities: all), which takes
 * CAP_SETPCAP: else the start fails. Without the stage the ambient set is
 * cleared (svd's own is not passed on): nothing. What the service holds,
 * with why in note. */
static uint64_t unprivileged_held(const struct sandbox_config *b, char *note, size_t len)
{
        uint64_t prm = own_set(CAP_PERMITTED), eff = own_set(CAP_EFFECTIVE);
        unsigned uid = (unsigned)geteuid();
        char names[512];

        if (!sandbox_caps_stage_unprivileged(b, b->ambient)) {
                snprintf(note, len, "svd runs as uid %u: the service holds no capabilities (it has no ambient set)",
                         uid);
                return 0;
        }
        if (b->ambient & ~prm) {
                snprintf(note, len, "svd runs as uid %u without %s: it cannot grant them, the service does not start",
                         uid, caps_text(b->ambient & ~prm, names, sizeof names));
                return 0;
        }
        if (!b->caps_all && !((eff >> CAP_SETPCAP) & 1)) {
                snprintf(note, len,
                         "svd runs as uid %u without CAP_SETPCAP: it cannot narrow the bounding set, the service "
                         "does not start",
                         uid);
                return 0;
        }
        snprintf(note, len, "svd runs as uid %u: the service holds only its ambient capabilities", uid);
        return b->ambient;
}

static int popcount(uint64_t m)
{
        return __builtin_popcountll(m);
}

static cJSON *strv_array(char **v)
{
        cJSON *a = cJSON_CreateArray();

        for (; a && v && *v; v++)
                cJSON_AddItemToArray(a, cJSON_CreateString(*v));
        return a;
}

static void add_user(cJSON *o, const struct svc_config *c)
{
        char buf[32];

        if (c->user)
                cJSON_AddStringToObject(o, "user", c->user);
        else {
                snprintf(buf, sizeof buf, "%s", runs_as_root(c) ? "root" : "(svd's user)");
                cJSON_AddStringToObject(o, "user", buf);
        }
        cJSON_AddBoolToObject(o, "root", runs_as_root(c));
}

static const char *fs_summary(const struct sandbox_config *b, char *buf, size_t len)
{
        snprintf(buf, len, "%s%s%s%s", b->protect_system ? ps_names[b->protect_system] : "-",
                 b->private_tmp ? "+tmp" : "", b->protect_home ? "+home" : "",
                 b->inaccessible_paths ? "+hidden" : "");
        return buf;
}

cJSON *sandbox_report_show(const struct svc_config *c)
{
        const struct sandbox_config *b = &c->sandbox;
        cJSON *o = cJSON_CreateObject();
        char buf[32];

        if (!o)
                return NULL;
        cJSON_AddStringToObject(o, "name", c->name);
        add_user(o, c);
        if (c->group)
                cJSON_AddStringToObject(o, "group", c->group);
        cJSON_AddItemToObject(o, "supplementary_groups", strv_array(c->supplementary_groups));
        if (c->has_umask) {
                snprintf(buf, sizeof buf, "%04o", (unsigned)c->umask);
                cJSON_AddStringToObject(o, "umask", buf);
        }
        if (c->working_dir)
                cJSON_AddStringToObject(o, "working_dir", c->working_dir);
        cJSON_AddBoolToObject(o, "allow_root", c->allow_root);
        cJSON *lim = cJSON_AddObjectToObject(o, "limits");
        for (size_t i = 0; i < SVC_RLIMIT_MAX; i++) {
                if (!c->limits[i].set)
                        continue;
                cJSON *l = cJSON_AddObjectToObject(lim, config_rlimit_name(i));
                if (c->limits[i].soft == UINT64_MAX)
                        cJSON_AddStringToObject(l, "soft", "infinity");
                else
                        cJSON_AddNumberToObject(l, "soft", (double)c->limits[i].soft);
                if (c->limits[i].hard == UINT64_MAX)
                        cJSON_AddStringToObject(l, "hard", "infinity");
                else
                        cJSON_AddNumberToObject(l, "hard", (double)c->limits[i].hard);
        }
        if (geteuid() != 0) {
                /* what the service really holds, then what was asked for */
                char note[768];
                uint64_t held = unprivileged_held(b, note, sizeof note);

                cJSON_AddItemToObject(o, "capabilities", caps_array(held));
                if (b->caps_all)
                        cJSON_AddStringToObject(o, "capabilities_configured", "all");
                else
                        cJSON_AddItemToObject(o, "capabilities_configured", caps_array(b->caps));
                cJSON_AddItemToObject(o, "ambient_capabilities", caps_array(held));
                cJSON_AddItemToObject(o, "ambient_capabilities_configured", caps_array(b->ambient));
                cJSON_AddStringToObject(o, "capabilities_note", note);
        } else {
                if (b->caps_all)
                        cJSON_AddStringToObject(o, "capabilities", "all");
                else
                        cJSON_AddItemToObject(o, "capabilities", caps_array(b->caps));
                cJSON_AddItemToObject(o, "ambient_capabilities", caps_array(b->ambient));
        }
        /* set by a root svd for a service that does not run as root
         * (sandbox_plan_build): an svd running as another user has no
         * privilege to set them, and its services get none */
        cJSON_AddStringToObject(o, "securebits",
                                geteuid() == 0 && !runs_as_root(c) ? "noroot,no_setuid_fixup,keep_caps (locked)"
                                                                   : "unchanged");
        cJSON_AddBoolToObject(o, "no_new_privileges", b->no_new_privileges);
        cJSON *sc = cJSON_AddObjectToObject(o, "seccomp");
        cJSON_AddStringToObject(sc, "mode", seccomp_names[b->seccomp]);
        if (b->seccomp != SBX_SECCOMP_NONE) {
                cJSON_AddStringToObject(sc, "action", action_names[b->action]);
                if (b->action == SBX_ACTION_ERRNO) {
                        const char *en = config_errno_name(b->errno_value);
                        if (en)
                                cJSON_AddStringToObject(sc, "errno", en);
                        else
                                cJSON_AddNumberToObject(sc, "errno", b->errno_value);
                }
                if (b->seccomp == SBX_SECCOMP_DEFAULT)
                        cJSON_AddItemToObject(sc, "deny", strv_array((char **)sbx_default_deny));
                else
                        cJSON_AddItemToObject(sc, seccomp_names[b->seccomp], strv_array(b->syscalls));
        }
        cJSON_AddStringToObject(o, "protect_system", ps_names[b->protect_system]);
        cJSON_AddStringToObject(o, "protect_home", ph_names[b->protect_home]);
        cJSON_AddBoolToObject(o, "private_tmp", b->private_tmp);
        cJSON_AddItemToObject(o, "read_write_paths", strv_array(b->read_write_paths));
        cJSON_AddItemToObject(o, "read_only_paths", strv_array(b->read_only_paths));
        cJSON_AddItemToObject(o, "inaccessible_paths", strv_array(b->inaccessible_paths));
        return o;
}

const char *sandbox_rating(double score)
{
        return score <= 2 ? "good" : score <= 5 ? "medium" : score <= 7.5 ? "exposed" : "unsafe";
}

cJSON *sandbox_report_audit(const struct svc_config *c)
{
        const struct sandbox_config *b = &c->sandbox;
        bool root = runs_as_root(c);
        cJSON *o = cJSON_CreateObject();
        double score = 0;
        char buf[64];

        if (!o)
                return NULL;
        /* what the service holds: under an svd that is not root, only what
         * that svd can give it (unprivileged_held), whatever the bounding set */
        bool all = b->caps_all && geteuid() == 0;
        char note[768];
        uint64_t held = geteuid() != 0 ? unprivileged_held(b, note, sizeof note) : root ? b->caps : b->ambient;

        /* exposure, 0 (confined) .. 10 (nothing confined) */
        if (root)
                score += 3;
        if (all)
                score += 2;
        else
                score += popcount(held) * 0.3 > 1.5 ? 1.5 : popcount(held) * 0.3;
        if (!b->no_new_privileges)
                score += 1;
        if (b->seccomp == SBX_SECCOMP_NONE)
                score += 2;
        else if (b->action == SBX_ACTION_LOG)
                score += 1.5;
        else if (b->seccomp == SBX_SECCOMP_DENY)
                score += 0.5;
        score += b->protect_system == SBX_PS_NO       ? 1
                 : b->protect_system == SBX_PS_STRICT ? 0
                 : b->protect_system == SBX_PS_FULL   ? 0.4
                                                      : 0.6;
        if (!b->private_tmp)
                score += 0.5;
        if (b->protect_home == SBX_PH_NO)
                score += 0.5;
        if (score > 10)
                score = 10;

        cJSON_AddStringToObject(o, "name", c->name);
        add_user(o, c);
        if (all)
                cJSON_AddStringToObject(o, "capabilities", "all");
        else
                cJSON_AddItemToObject(o, "capabilities", caps_array(held));
        snprintf(buf, sizeof buf, "%s%s%s", seccomp_names[b->seccomp],
                 b->seccomp == SBX_SECCOMP_NONE ? "" : "/",
                 b->seccomp == SBX_SECCOMP_NONE ? "" : action_names[b->action]);
        cJSON_AddStringToObject(o, "seccomp", buf);
        cJSON_AddBoolToObject(o, "no_new_privileges", b->no_new_privileges);
        cJSON_AddStringToObject(o, "fs", fs_summary(b, buf, sizeof buf));
        cJSON_AddNumberToObject(o, "score", (double)(int)(score * 10 + 0.5) / 10);
        cJSON_AddStringToObject(o, "rating", sandbox_rating(score));
        return o;
}
