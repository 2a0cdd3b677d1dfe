/* reload: a new configuration generation applied by difference (svctl reload,
 * SIGHUP). The new files are loaded and validated completely first; any error
 * leaves the running generation untouched. Otherwise each service is compared
 * with its running self (config_digest.h: its file, what it takes from the
 * main file's defaults; its logging, own or default, applies live: "keep"
 * with a why),
 * its slice path, the profile selection, its resolved user and paths); slices' limits
 * are applied again in place, without restarting their services:
 *   add     new: started (if enabled and not a scheduled job)
 *   remove  gone: stopped (dependents first, as at shutdown), then forgotten
 *   change  different: stopped, then started with the new definition if it was
 *           wanted (or had failed: the edit is likely the fix; but a scheduled
 *           job starts again only if a run of it was under way, else it waits
 *           for its timer); dependents with depends_on.X.restart follow it
 *           down and up as on svctl restart
 *   keep    same: not touched at all (same process, same counters)
 * The switch to the new generation happens once every removed and changed
 * service is down. Settings that cannot change under running services (the
 * directories, the control socket, the cgroup root and mode, the secrets and
 * their key) are refused with an error naming the key: they take a restart of
 * svd. So is a generation whose logs would share a file on disk
 * (reload_logs.c). */
#ifndef SVD_RELOAD_H
#define SVD_RELOAD_H

#include <stdbool.h>

#include <cjson/cJSON.h>
#include <ev.h>

#include "config.h"

struct svd;
struct svc;
struct control_peer;

enum reload_action { RELOAD_KEEP, RELOAD_ADD, RELOAD_REMOVE, RELOAD_CHANGE };

struct reload_item {
        char *name;
        enum reload_action action;
        const char *why;      /* what differs (change), what applies live
                               * (keep; else NULL), static text */
        struct svc *obj;      /* the running object (keep, change, remove) */
        bool start_after;     /* change: start with the new definition */
        bool run_again;       /* change: it was active, not only failed (a scheduled
                               * job's run under way is made again) */
        bool must_stop;       /* remove, change: a stop is still to be sent */
        bool operator_held;   /* change: held before the reload held it (svctl
                               * stop): still held with the new definition */
        bool enabled_now;     /* change: the new definition is started at boot
                               * (enabled, in the profile selection), the old
                               * one was not */
        bool disabled_now;    /* change: enabled: true before, false now: not
                               * started again (one enabled: false all along
                               * that ran, started or pulled in, is) */
        bool deselected_now;  /* change: in the profile selection before, not
                               * now: the switch cannot start it
                               * (profile_blocked), said at once */
        bool resources_live;  /* keep: its resources: changed, written into its
                               * cgroup leaf at the switch (cgroup_apply_live) */
};

/* A change besides services (reload_settings.c): a main-file setting, or a
 * slice. */
struct reload_other {
        char *name;            /* the main-file key, or the slice's name */
        enum reload_action action;
        const char *why;       /* static text, or NULL */
};

struct reload_plan {
        struct svd_config *cfg; /* the new generation; owned until applied */
        struct reload_item *items;
        size_t n_items;
        size_t count[4];        /* by enum reload_action */
        struct reload_other *settings, *slices;
        size_t n_settings, n_slices;
};

const char *reload_action_name(enum reload_action a);

/* Loads and validates the configuration again (same main file, same
 * --profile) and computes the plan. On failure every problem is in errs
 * ("FILE:LINE:COL: KEY: message") and nothing changed. */
int reload_prepare(struct svd *m, struct reload_plan **ret, struct cfg_errors *errs);
void reload_plan_free(struct reload_plan *p);

/* Starts applying the plan (takes ownership). -EBUSY while another reload
 * or a secret rotation is under way, -ESHUTDOWN during shutdown. */
int reload_apply(struct svd *m, struct reload_plan *p);
/* After each scheduling pass: switches generations once the services being
 * replaced are down. */
void reload_progress(struct svd *m);
/* The item of the reload under way that stops s (remove or change); NULL if
 * none does. Until the switch, such a service must not come back up with its
 * old definition: the reload would wait for it forever, and every later one
 * would be refused. So an operator's start or restart of it is refused
 * (svd_request_start: -EBUSY), and a pull-in by a dependent skips it; a
 * changed one is then marked to start with its new definition, which the
 * dependent waits for. An operator's stop cancels that start, and the
 * service stays held with its new definition (operator_held). */
struct reload_item *reload_leaving(const struct svd *m, const struct svc *s);
/* Why such a start is refused, for the operator (static text). */
const char *reload_leaving_text(const struct reload_item *it);
/* Shutdown: drops a pending plan. */
void reload_abort(struct svd *m);
/* reload_logs.c: an error in errs for each service of c whose log file is,
 * on disk now, another's log file, svd's audit log or metrics.textfile
 * (through a symbolic or hard link). -ENOMEM only. */
int reload_check_logs(const struct svd_config *c, struct cfg_errors *errs);
/* reload_settings.c: the fingerprint of the main file's defaults: the
 * running services took, into a re-exec's (or state file's) root h, and back
 * into c from root (absent or malformed: c's own, the defaults on disk, stay),
 * so a reload after a re-exec names a "defaults" change in its plan as it
 * would have before. -ENOMEM only. */
int reload_settings_save(const struct svd_config *c, cJSON *h);
void reload_settings_restore(struct svd_config *c, const cJSON *root);
/* reload_settings.c: the main-file settings (m's configuration to n) and
 * the slices that differ, into p->settings and p->slices (cli_profiles: svd
 * --profile overrides profiles:), with the slices whose limits the kernel
 * refused before (written again). -ENOMEM only. */
int reload_diff_settings(const struct svd *m, const struct svd_config *n, bool cli_profiles,
                         struct reload_plan *p);
void reload_others_free(struct reload_other *v, size_t n);
/* m->reload_timer's callback: the switch to the new generation (reload_swap.c). */
void reload_swap_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* OP_RELOAD: {"dry_run": bool}; admin only. The reply carries the plan
 * ("changes": [{"name","action","why"}] of the services; "settings" and
 * "slices", the same for the main file's settings and the slices that
 * differ) or, on errors, "errors": [lines]. */
cJSON *reload_op(struct svd *m, const cJSON *req, const struct control_peer *peer);

/* The reply to a reload the configuration's errors refused (r: the
 * -errno when there are none to list): their count and outcome (what
 * happens instead) as the message, each one in "errors". */
cJSON *reload_errors_reply(const struct cfg_errors *errs, int r, const char *outcome);
/* SIGHUP: the same, results in the log. */
void reload_from_signal(struct svd *m);

#endif
