/* config: the plain, immutable data svd runs from. config_load() builds one
 * generation from etc/svd.yaml plus the services and cgroups directories; nothing in
 * here changes afterwards (a reload builds a new generation). Every value that
 * came from a file keeps its position so later checks can name file:line:col. */
#ifndef SVD_CONFIG_H
#define SVD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cron.h"
#include "util.h"

struct cfg_pos {
        const char *file; /* points into svd_config.files (owned there) */
        int line;         /* 1-based */
        int col;          /* 1-based */
};

enum svc_type { SVC_SIMPLE, SVC_ONESHOT, SVC_NOTIFY, _SVC_TYPE_MAX };
enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED, _RESTART_MAX };
enum dep_condition { DEP_STARTED, DEP_HEALTHY, DEP_COMPLETED, _DEP_MAX };

const char *svc_type_name(enum svc_type t);
const char *restart_policy_name(enum restart_policy r);
const char *dep_condition_name(enum dep_condition c);

struct dep_config {
        char *name;
        enum dep_condition condition;
        bool restart;        /* restart this service when the dependency restarts */
        size_t index;        /* index of the dependency in svd_config.svcs (set by validation;
                              * SIZE_MAX while unresolved, which graph.c ignores) */
        struct cfg_pos pos;  /* of the dependency's name */
};

struct backoff_config {
        usec_t initial;
        usec_t max;
        double factor;
        usec_t reset_after;  /* a run at least this long resets the backoff */
};

struct start_limit_config {
        unsigned burst;      /* this many starts ... */
        usec_t interval;     /* ... within this window -> failed; burst 0 = no limit */
};

struct stop_config {
        int signal;
        usec_t timeout;      /* then SIGKILL to the whole process group */
};

/* A size that may be a share of host RAM. */
struct cfg_size {
        bool set;
        bool percent;        /* value is a percentage of host RAM */
        double pct;
        uint64_t bytes;
        struct cfg_pos pos;  /* of the value, for limit-vs-slice errors */
};

/* cgroup v2 knobs: top level in a slice file, under resources: in a service. */
struct resources_config {
        struct cfg_size memory_max, memory_high, memory_low, memory_min, memory_swap_max;
        double cpus;          /* 0 = unset; 0.5 = half a CPU (cpu.max) */
        unsigned cpu_weight;  /* 0 = unset; 1..10000 */
        unsigned long long pids_max; /* 0 = unset */
        unsigned io_weight;   /* 0 = unset; 1..10000 */
        char **io_max;        /* "MAJ:MIN rbps=... wbps=..." lines, verbatim */
        char *cpuset_cpus;
        struct cfg_pos pos;   /* of the resources mapping (or slice file) */
        struct cfg_pos cpus_pos, pids_max_pos; /* of the values, for limit-vs-slice errors */
};

/* The same limits (config_resources.c), however written: 512M and 524288K
 * alike. Positions are not compared. */
bool resources_config_equal(const struct resources_config *a, const struct resources_config *b);

/* logging: per service (defaults.logging in the main file). Written by
 * config_logging.c; used by logpipe/logrotate. */
struct logging_config {
        char *file;             /* NULL: <log_dir>/<service>.log; absolute otherwise */
        uint64_t max_size;      /* rotate before the file would exceed it; 0 = never */
        unsigned max_files;     /* rotated files kept */
        uint64_t max_total;     /* bytes of all this service's files; 0 = no limit */
        usec_t max_age;         /* rotate a current file older than this; 0 = off */
        bool rotate_daily;      /* rotate_every: daily (at UTC midnight) */
        bool compress;          /* gzip rotated files */
        bool timestamps;        /* prefix lines with time and stream */
        size_t max_line;        /* longer lines are split and marked */
        unsigned rate_burst;    /* lines per rate_interval; 0 = no limit */
        usec_t rate_interval;
        bool on_full_block;     /* on_full: block (back-pressure) instead of drop */
        struct cfg_pos pos;
        struct cfg_pos file_pos; /* of file:, when set */
};

/* The same effective settings (positions aside): a reload applies a
 * difference to the running service (logpipe_reconfigure). */
bool logging_config_equal(const struct logging_config *a, const struct logging_config *b);

/* svd's audit log, <log_dir>/CONFIG_AUDIT_LOG (audit.c). No service may write
 * it: a service named "audit" (whose default log file it would be) or a
 * logging.file resolving to it is a config error (config_validate.c). */
#define CONFIG_AUDIT_LOG "audit.log"

enum cgroups_mode { CGROUPS_AUTO, CGROUPS_REQUIRED, CGROUPS_OPTIONAL, _CGROUPS_MAX };

/* start_when: a heavy service waits until the host can take it. */
struct start_when_config {
        struct cfg_size memory_available; /* MemAvailable at least this */
        double memory_pressure_max;       /* PSI memory "some avg10" below this %; 0 = unset */
        struct cfg_pos pos;
};

enum probe_kind { PROBE_NONE, PROBE_EXEC, PROBE_TCP, PROBE_HTTP };
enum on_unhealthy { ON_UNHEALTHY_RESTART, ON_UNHEALTHY_NONE, _ON_UNHEALTHY_MAX };

/* healthcheck: one probe per service; Compose's parameter names. */
struct probe_config {
        enum probe_kind kind;
        char **exec;            /* PROBE_EXEC: argv */
        char *host;             /* PROBE_TCP */
        unsigned port;
        char *url;              /* PROBE_HTTP */
        unsigned status_min, status_max;
        char *body_contains;
        char **headers;         /* "Name: value" */
        bool follow_redirects;
        bool tls_no_verify;     /* tls_verify: false */
        char *ca_file;          /* absolute; NULL: curl's default CA store */
        usec_t interval;        /* between probes once healthy or unhealthy */
        usec_t timeout;         /* one probe */
        unsigned retries;       /* consecutive failures -> unhealthy */
        usec_t start_period;    /* failures do not count while starting */
        usec_t start_interval;  /* between probes while starting */
        usec_t start_timeout;   /* never healthy within it -> failed; 0 = none */
        enum on_unhealthy on_unhealthy;
        struct cfg_pos pos;
};

/* limits: one rlimit (config_sandbox.c); both values RLIM_INFINITY-able. */
#define SVC_RLIMIT_MAX 8
struct rlimit_config {
        bool set;
        int resource;        /* RLIMIT_* */
        uint64_t soft, hard; /* UINT64_MAX = infinity */
};
const char *config_rlimit_name(size_t i); /* "nofile" for limits[i] */
const char *config_errno_name(int e);     /* "EPERM" for seccomp.errno, NULL if unnamed */

enum sbx_seccomp { SBX_SECCOMP_DEFAULT, SBX_SECCOMP_NONE, SBX_SECCOMP_ALLOW, SBX_SECCOMP_DENY, _SBX_SECCOMP_MAX };
enum sbx_action { SBX_ACTION_ERRNO, SBX_ACTION_KILL, SBX_ACTION_LOG, _SBX_ACTION_MAX };
enum sbx_protect_system { SBX_PS_NO, SBX_PS_YES, SBX_PS_FULL, SBX_PS_STRICT, _SBX_PS_MAX };
enum sbx_protect_home { SBX_PH_NO, SBX_PH_YES, SBX_PH_READ_ONLY, SBX_PH_TMPFS, _SBX_PH_MAX };
/* what protect_home covers */
#define SBX_HOME_DIRS { "/home", "/root", "/run/user" }

/* sandbox: (config_sandbox.c; applied by spawn through sandbox.h). */
struct sandbox_config {
        uint64_t caps;          /* bounding set kept: bit n = capability n */
        bool caps_all;          /* capabilities: all (nothing dropped) */
        uint64_t ambient;       /* raised for the service; always a subset of caps */
        bool no_new_privileges;
        enum sbx_seccomp seccomp;
        char **syscalls;        /* allow/deny entries (names and @groups, checked at load) */
        enum sbx_action action;
        int errno_value;        /* for SBX_ACTION_ERRNO */
        bool private_tmp;
        enum sbx_protect_system protect_system;
        enum sbx_protect_home protect_home;
        char **read_write_paths, **read_only_paths, **inaccessible_paths; /* absolute */
        struct cfg_pos pos;
};

/* secrets: (config_secrets.c). A definition lives in one service file and is
 * shared by name; any service may use it (secrets.h delivers the values). */
enum secret_kind { SECRET_PASSWORD, SECRET_HEX, SECRET_BASE64, SECRET_UUID, SECRET_JWT, SECRET_FROM_FILE,
                   SECRET_VALUE, _SECRET_KIND_MAX };
const char *secret_kind_name(enum secret_kind k);

struct secret_config {
        char *name;
        enum secret_kind kind;
        unsigned length;      /* password: characters */
        char *charset;        /* password: NULL = A-Z a-z 0-9 */
        unsigned bytes;       /* hex, base64: random bytes */
        char *jwt_secret;     /* jwt: the signing secret's name ... */
        size_t jwt_index;     /* ... and its index in svd_config.secrets (validation) */
        char *jwt_claims;     /* jwt: the claims as compact JSON */
        usec_t expires_in;    /* jwt: 0 = no exp claim */
        char *path;           /* from_file: absolute */
        char *value;          /* value: a literal from the config file */
        bool allow_weak;      /* accept a publicly known or short value */
        char *on_rotate;      /* a oneshot run with the new value before consumers restart */
        struct cfg_pos pos;   /* of the definition */
        struct cfg_pos jwt_secret_pos, on_rotate_pos; /* of those values (validation's errors) */
};
/* Same definition (all but the name); reload uses it to see secrets changed. */
bool secret_config_equal(const struct secret_config *a, const struct secret_config *b);

/* A secret a service may see: declared in its secrets: or named in its
 * environment as ${secret:NAME}. */
struct secret_use {
        char *name;
        size_t index;         /* in svd_config.secrets (validation) */
        struct cfg_pos pos;
};

/* schedule: a oneshot run by a timer (config_schedule.c; run by timer.c). */
struct schedule_config {
        bool set;
        usec_t every;        /* > 0: every this long; 0: cron */
        char *cron_text;     /* as written, for status */
        struct cron_spec cron;
        bool persistent;     /* run a missed job at boot (last run kept in state_dir) */
        usec_t random_delay; /* up to this much added to every due time */
        usec_t timeout;      /* a run's time limit from its spawn (timer_limit.c); 0 = none */
        struct cfg_pos pos;
};

struct svc_config {
        char *name;          /* file stem */
        const char *file;
        char *description;
        char **command;      /* argv; with shell: true, one string run by /bin/sh -c */
        bool shell;
        char **environment;  /* "KEY=VALUE" */
        char *env_file;      /* absolute */
        struct cfg_pos env_file_pos; /* of its value (config_secrets_validate) */
        char *working_dir;   /* absolute */
        char *user;
        char *group;
        bool has_uid, has_gid;
        uid_t uid;
        gid_t gid;
        char *home;          /* of user, for HOME= */
        char *login_shell;   /* of user, for SHELL= */
        char **supplementary_groups; /* names, as written */
        gid_t *sup_gids;     /* resolved, added to the user's own groups */
        size_t n_sup_gids;
        bool has_umask;
        mode_t umask;
        bool allow_root;     /* false: refuse to run as uid 0 */
        struct rlimit_config limits[SVC_RLIMIT_MAX];
        struct sandbox_config sandbox;
        enum svc_type type;
        struct dep_config *deps;
        size_t n_deps;
        enum restart_policy restart;
        struct backoff_config backoff;
        struct start_limit_config start_limit;
        struct stop_config stop;
        bool enabled;
        char *slice;         /* NULL = default */
        struct cfg_pos slice_pos;
        /* Never NULL: config_no_resources (all unset) unless `resources:`
         * is given; most services have none, and this is 264 bytes. */
        const struct resources_config *resources;
        struct probe_config health;
        struct logging_config logging;
        struct start_when_config start_when;
        usec_t watchdog;     /* notify services: WATCHDOG=1 at least this often; 0 = off */
        struct secret_use *secrets;
        size_t n_secrets;
        struct schedule_config schedule;
        char **profiles;     /* profiles: (config_schedule.c); NULL = always in */
        char *install_hint;  /* appended to "not installed" (profile.c) */
        bool not_in_profile; /* set by profile_select() after loading */
        struct cfg_pos pos;  /* of the document root */
        uint8_t digest[32];  /* of the file's node tree (config_digest.h), for re-exec */
        uint8_t restart_digest[32]; /* the same without logging: and resources: (applied live), for reload */
        uint8_t defaults_digest[32]; /* of what it takes from defaults: (config_digest_defaults) */
        uint8_t resources_digest[32]; /* of its resources: node (state files of svd before resources_values) */
        uint8_t resources_values[32]; /* of its limits by value (config_digest_resources): what its leaf holds */
};

extern const struct resources_config config_no_resources;

struct slice_config {
        char *name;
        const char *file;
        char *parent;        /* NULL = root of svd's tree */
        struct cfg_pos parent_pos;
        struct resources_config resources;
        struct cfg_pos pos;
        uint8_t digest[32];  /* of the file's node tree (config_digest.h), for reload */
};

/* Defaults for service settings, from the main file's `defaults:` mapping. */
/* A ${secret:NAME} of defaults.environment, at its value in the main file:
 * where an error about it belongs (each service resolves it). */
struct secret_ref {
        char *name;
        char *key; /* "defaults.environment.X" */
        struct cfg_pos pos;
        bool reported;
};

struct svc_defaults {
        enum restart_policy restart;
        struct backoff_config backoff;
        struct start_limit_config start_limit;
        struct stop_config stop;
        char **environment;
        char *user;
        char *group;
        char *working_dir;
        struct logging_config logging;
        struct secret_ref *secret_refs; /* config_secrets.c */
        size_t n_secret_refs;
};

struct profile_set {
        char *name;
        char **profiles;
        struct cfg_pos *pos; /* of each of profiles (profile_select's warnings) */
};

/* The number of top-level keys of the main file (config_main.c). */
#define CONFIG_MAIN_KEYS 22

struct svd_config {
        char *file;          /* main file, absolute */
        char *dir;           /* its directory: relative paths resolve against it */
        char *services_dir, *slices_dir, *state_dir, *log_dir, *run_dir;
        char *control_socket;
        char *admin_group;
        bool has_admin_gid;
        gid_t admin_gid;
        char *cgroup_root;   /* svd's subtree under the cgroup2 mount (default "svd") */
        enum cgroups_mode cgroups;
        uint64_t log_max_total; /* all services' log files together; 0 = no limit */
        char *metrics_textfile; /* metrics.textfile: Prometheus file, absolute; NULL = off */
        usec_t metrics_interval; /* metrics.interval (config_metrics.c) */
        usec_t ready_timeout; /* READY=1 to NOTIFY_SOCKET by then, settled or not; 0: when settled */
        /* PID 1 (init.c) */
        char *hostname;
        bool root_rw;        /* root: rw remounts / read-write at boot */
        int ctrl_alt_del;    /* enum shutdown_action; default reboot */
        char *emergency_shell;
        struct svc_defaults defaults;
        struct svc_config *svcs;  /* sorted by name */
        size_t n_svcs;
        struct slice_config *slices;
        size_t n_slices;
        struct secret_config *secrets; /* in definition order */
        size_t n_secrets;
        bool secrets_passphrase; /* secrets_key: passphrase (else a host key file) */
        int secrets_kdf;         /* secrets_kdf: 0 interactive, 1 moderate, 2 sensitive (a new store's) */
        char *secrets_console;   /* terminal to ask for it on, "none"; NULL: /dev/console as PID 1 */
        char **profiles;     /* profiles: selected in the main file (svd --profile overrides) */
        struct cfg_pos *profiles_pos; /* where each of profiles is named */
        struct profile_set *profile_sets; /* profile_sets: NAME: [profiles] */
        size_t n_profile_sets;
        char **selected_profiles; /* expanded selection (profile_select); NULL = all */
        char **files;        /* owned copies of every file name read (cfg_pos.file) */
        uint8_t defaults_digest[32]; /* of the main file's defaults: (reload) */
        struct cfg_pos main_pos[CONFIG_MAIN_KEYS]; /* of each main-file key's value (config_main_pos) */
};

/* Where the main file sets KEY (a top-level key), for errors found after
 * loading (reload); a position with line 0 (the file only) when it does not. */
struct cfg_pos config_main_pos(const struct svd_config *c, const char *key);

/* Errors are collected, not printed: each message is a full line
 * "FILE:LINE:COL: KEY: what is wrong".
 * FILE is the main file's path exactly as passed to config_load(); for service
 * and slice files it is the absolute services_dir/slices_dir (realpath'd when
 * the directory exists) joined with the file name, e.g.
 * "/etc/svd/services/web.yaml". KEY is the dotted path from the document root
 * ("backoff.initial", "command[1]", "depends_on.db.condition"); errors about
 * a named dependency (a duplicate, an unknown service, a cycle) use
 * "depends_on.NAME" whichever form depends_on took, "depends_on[I]" only
 * for a list item that is not a name.
 * LINE:COL (1-based) point at the offending value, or at the key for unknown and
 * duplicate keys. Errors about a file as a whole (invalid or duplicate service
 * name, not a mapping) have no KEY and point at 1:1 or the root node; a file
 * that cannot be read has neither position nor KEY: "FILE: cannot read: ...".
 * cfg_error() drops ":LINE:COL" when pos->line is 0 and "KEY: " when key is NULL. */
struct cfg_errors {
        char **msgs;
        size_t n;
        /* What loads but is likely not what was meant (a file in services_dir
         * that is not read): "FILE:LINE:COL: warning: KEY: message", the
         * same parts as an error. Never fails a load; the caller shows them
         * (svd --check on stderr, a running svd in its log). */
        char **warns;
        size_t n_warns;
        /* Without memory for an error's message a fixed line stands in for
         * it ("FILE: out of memory: ..."); without memory for that either,
         * lost is set, and config_load fails with -ENOMEM. */
        bool lost;
};
void cfg_error(struct cfg_errors *e, const struct cfg_pos *pos, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void cfg_warn(struct cfg_errors *e, const struct cfg_pos *pos, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void cfg_errors_free(struct cfg_errors *e);

/* The edit distance from typed to known when known is a plausible spelling
 * of it for a "did you mean" (at most 3 edits, a swap of two neighbours
 * counting one, and at most half the longer name), else SIZE_MAX. */
size_t config_typo_distance(const char *typed, const char *known);

/* Loads and validates a whole generation. Returns 0, or -EINVAL with every
 * problem in errs (other -errno for allocation failures). */
int config_load(const char *main_file, struct svd_config **ret, struct cfg_errors *errs);
void config_free(struct svd_config *c);
/* For PID 1's emergency state when config_load() failed: only the main file's
 * own settings (run_dir, control_socket, admin_group, emergency_shell, ...),
 * with the built-in default for every value that cannot be read (a missing
 * or unparsable file gives all defaults) and no services. Errors are not
 * reported again. Fails only with -ENOMEM. */
int config_load_main_only(const char *main_file, struct svd_config **ret);

/* Semantic checks after parsing (deps resolved, cycles, slices, memory limits
 * against slices). Called by config_load(); exposed for tests. svcs and slices
 * must be sorted by name. Users and groups are resolved earlier, by config_load,
 * while the YAML positions are still at hand. */
int config_validate(struct svd_config *c, struct cfg_errors *errs);

const struct svc_config *config_find_svc(const struct svd_config *c, const char *name);
ssize_t config_svc_index(const struct svd_config *c, const char *name);

#endif
