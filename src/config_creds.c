/* config_creds: a service's user and group, resolved while the node
 * positions are still known (config_parse.h: cp_creds, cp_lookup_group): a
 * name that does not exist on this host is an error at its line, not a
 * failed spawn later. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

static void oom(struct cload *l)
{
        l->oom = true;
}

int cp_lookup_group(const char *name, gid_t *ret)
{
        unsigned long long id;
        struct group *g;

        if (parse_uint(name, (gid_t)-2, &id) >= 0) {
                *ret = (gid_t)id;
                return 0;
        }
        errno = 0;
        g = getgrnam(name);
        if (!g)
                return errno ? -errno : -ESRCH;
        *ret = g->gr_gid;
        return 0;
}

/* canon (if not NULL): the passwd name of a numeric user, which getgrouplist
 * and USER/LOGNAME need; left NULL otherwise. shell: the login shell, for
 * SHELL= (an empty field is /bin/sh, passwd(5)). */
static int lookup_user(const char *name, uid_t *uid, gid_t *gid, bool *has_gid, char **home, char **shell,
                       char **canon)
{
        unsigned long long id;
        struct passwd *pw;
        bool numeric = parse_uint(name, (uid_t)-2, &id) >= 0;

        errno = 0;
        pw = numeric ? getpwuid((uid_t)id) : getpwnam(name);
        if (!pw) {
                if (!numeric)
                        return errno ? -errno : -ESRCH;
                /* A bare uid without a passwd entry is fine, it just has no group. */
                *uid = (uid_t)id;
                *has_gid = false;
                return 0;
        }
        *uid = pw->pw_uid;
        *gid = pw->pw_gid;
        *has_gid = true;
        if (pw->pw_dir && !(*home = strdup(pw->pw_dir)))
                return -ENOMEM;
        if (!(*shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh")))
                return -ENOMEM;
        if (numeric && canon && pw->pw_name && !(*canon = strdup(pw->pw_name)))
                return -ENOMEM;
        return 0;
}

/* user/group for a service (or the defaults when s is NULL: only checked). A
 * service without user: inherits the defaults' user; a user without group: runs
 * with that user's primary group rather than the default group. */
void cp_creds(struct cload *l, struct svc_config *s, const struct ynode *un, const char *ukey,
              const struct ynode *gn, const char *gkey)
{
        const struct svc_defaults *d = &l->c->defaults;
        _cleanup_(freep) char *user = NULL, *group = NULL, *home = NULL, *shell = NULL, *canon = NULL;
        bool has_uid = false, has_gid = false, reported = false;
        uid_t uid = 0;
        gid_t gid = 0;
        int r;

        if (un && (cp_visible(l, un, ukey, "user name") < 0 || cp_str(l, un, ukey, &user) < 0))
                return;
        if (gn && (cp_visible(l, gn, gkey, "group name") < 0 || cp_str(l, gn, gkey, &group) < 0))
                return;
        if (user) {
                r = lookup_user(user, &uid, &gid, &has_gid, &home, &shell, &canon);
                if (r == -ENOMEM) {
                        oom(l);
                        return;
                }
                if (r < 0) {
                        cp_err(l, un, ukey, "unknown user '%s'", user);
                        return;
                }
                has_uid = true;
                if (geteuid() != 0 && uid != geteuid()) {
                        cp_err(l, un, ukey, "running as user %s needs root", user);
                        reported = true;
                }
        } else if (s && d->user) {
                /* Errors about the default user were reported once, at the main file. */
                if (lookup_user(d->user, &uid, &gid, &has_gid, &home, &shell, &canon) < 0)
                        return;
                has_uid = true;
                if (!(user = strdup(d->user))) {
                        oom(l);
                        return;
                }
        }
        if (gn) {
                if (cp_lookup_group(group, &gid) < 0) {
                        cp_err(l, gn, gkey, "unknown group '%s'", group);
                        return;
                }
                has_gid = true;
        } else if (s && !un && d->group) {
                if (!(group = strdup(d->group))) {
                        oom(l);
                        return;
                }
                if (cp_lookup_group(group, &gid) < 0)
                        return;
                has_gid = true;
        } else if (has_uid && !has_gid) {
                if (un && !reported)
                        cp_err(l, un, ukey, "user '%s' has no passwd entry: set group too", user);
                return;
        }
        if (!s)
                return;
        if (canon) { /* "101" -> its name: supplementary groups, USER, LOGNAME */
                free(user);
                user = canon;
                canon = NULL;
        }
        s->has_uid = has_uid;
        s->has_gid = has_gid;
        s->uid = uid;
        s->gid = gid;
        s->user = user;
        s->group = group;
        s->home = home;
        s->login_shell = shell;
        user = group = home = shell = NULL;
}
