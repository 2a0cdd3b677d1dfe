/* config_parse: internal to the config_* modules (not for the rest of svd).
 * Typed readers from config_yaml nodes into config structs; each reports its own
 * error through cfg_error (with file:line:col and the dotted key) and returns
 * < 0, so callers just skip the value. Allocation failure sets cload.oom, which
 * config_load turns into -ENOMEM. */
#ifndef SVD_CONFIG_PARSE_H
#define SVD_CONFIG_PARSE_H

#include <stdbool.h>

#include "config.h"
#include "config_yaml.h"

struct cload {
        struct svd_config *c;
        struct cfg_errors *errs;
        const char *file; /* file being read (owned by c->files) */
        bool oom;
};

/* Longest dotted key path kept in messages. */
#define KEYLEN 256

/* prefix.key (just key when prefix is ""), into buf of KEYLEN bytes. */
const char *cp_key(char *buf, const char *prefix, const char *key);
void cp_err(struct cload *l, const struct ynode *n, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Reports every key of map not in the NULL-terminated known list. */
void cp_check_keys(struct cload *l, const struct ynode *map, const char *prefix, const char *const *known);
int cp_str(struct cload *l, const struct ynode *n, const char *key, char **out);
/* Free text (description:, install_hint:): a string of valid UTF-8 without
 * control characters; the error names the first bad character. */
int cp_text(struct cload *l, const struct ynode *n, const char *key, char **out);
/* A path's text: a string shorter than PATH_MAX, valid UTF-8 without
 * control characters (C0, DEL, C1) nor invisible ones (cp_visible). */
int cp_path_text(struct cload *l, const struct ynode *n, const char *key);
/* cp_path_text, then made absolute against the main file's directory. */
int cp_path(struct cload *l, const struct ynode *n, const char *key, char **out);
/* An invisible character (utf8_is_invisible) in the scalar n (in its first
 * len bytes) is refused, at n, naming it, what the value is ("path",
 * "program name") and the byte it is at: for a value svd or the kernel looks
 * up as it is (config_visible.c). 0 for anything else, a non-scalar too. */
int cp_visible(struct cload *l, const struct ynode *n, const char *key, const char *what);
int cp_visible_len(struct cload *l, const struct ynode *n, size_t len, const char *key, const char *what);
/* Where a file belongs: a path that can only name a directory (a trailing
 * '/', a last component "." or "..") is refused. cp_file_text checks the
 * text (as cp_path_text), cp_file_path also resolves it (as cp_path). */
int cp_file_text(struct cload *l, const struct ynode *n, const char *key);
int cp_file_path(struct cload *l, const struct ynode *n, const char *key, char **out);
/* The cgroup knobs (NULL-terminated), and their reader: shared by slice
 * files (top level, prefix "") and services (resources:). */
extern const char *const cp_knob_keys[];
void cp_resources(struct cload *l, const struct ynode *map, const char *prefix, struct resources_config *r);
int cp_lookup_group(const char *name, gid_t *ret);
bool cp_is_scalar(const struct ynode *n); /* a scalar that is not null */
/* What n is, for "expected X, not Y": "a list", "a mapping", "nothing" (a
 * null or missing value) or "a string". */
const char *cp_kind(const struct ynode *n);
int cp_expect_map(struct cload *l, const struct ynode *n, const char *key);
int cp_bool(struct cload *l, const struct ynode *n, const char *key, bool *out);
int cp_duration(struct cload *l, const struct ynode *n, const char *key, usec_t *out);
/* cp_duration within min..max (and 0 too when zero_ok: "off"); *out is left
 * alone when the value is refused. */
int cp_duration_in(struct cload *l, const struct ynode *n, const char *key, usec_t min, usec_t max,
                   bool zero_ok, usec_t *out);
/* The longest delay, interval or period svd takes: longer is a typo (a unit
 * missed) rather than a plan. */
#define CP_DAY (86400 * USEC_PER_SEC)
/* The largest logging.max_size, and logging.max_total / log_max_total. */
#define LOG_SIZE_MAX  (UINT64_C(1) << 40)
#define LOG_TOTAL_MAX (UINT64_C(1) << 50)
int cp_uint(struct cload *l, const struct ynode *n, const char *key, unsigned long long min,
            unsigned long long max, unsigned long long *out);
/* names[0..count) are the accepted spellings; *out gets the index. */
int cp_enum(struct cload *l, const struct ynode *n, const char *key, const char *const *names, size_t count,
            int *out);
int cp_strv(struct cload *l, const struct ynode *n, const char *key, char ***out);
/* io_max: a list of "DEVICE KEY=VALUE..." (DEVICE MAJ:MIN or /dev/NAME), each
 * checked and stored in the kernel's form ("8:0 wbps=10485760"). */
int cp_io_max(struct cload *l, const struct ynode *n, const char *key, char ***out);
/* Merges a mapping or a NAME=value list into *env (later values replace). */
void cp_env(struct cload *l, const struct ynode *n, const char *key, char ***env);
/* backoff:/start_limit:/stop: under prefix, overriding fields of *out. */
void cp_backoff(struct cload *l, const struct ynode *n, const char *prefix, struct backoff_config *out);
void cp_start_limit(struct cload *l, const struct ynode *n, const char *prefix,
                    struct start_limit_config *out);
void cp_stop(struct cload *l, const struct ynode *n, const char *prefix, struct stop_config *out);
/* Resolves user:/group: (un/gn may be NULL) into s, falling back to the
 * defaults; with s NULL only checks (used for the defaults themselves). */
void cp_creds(struct cload *l, struct svc_config *s, const struct ynode *un, const char *ukey,
              const struct ynode *gn, const char *gkey);

void cp_defaults_builtin(struct svc_defaults *d);
/* The main file's defaults: mapping (n may be NULL). -ENOMEM only. */
int cp_defaults(struct cload *l, const struct ynode *n);

/* logging: and start_when: (config_logging.c). prefix is "logging" or
 * "defaults.logging". */
void cp_logging(struct cload *l, const struct ynode *n, const char *prefix, struct logging_config *o);
void cp_start_when(struct cload *l, const struct ynode *n, struct start_when_config *o);
void logging_config_defaults(struct logging_config *o);
void logging_config_done(struct logging_config *o);
int logging_config_copy(struct logging_config *dst, const struct logging_config *src);

/* healthcheck: (config_health.c), and the watchdog/type rules that involve it. */
void cp_healthcheck(struct cload *l, const struct ynode *n, struct svc_config *s);
/* config_metrics.c: the main file's metrics: mapping (n may be NULL). */
void cp_metrics(struct cload *l, const struct ynode *n);
void config_probe_done(struct probe_config *p);

/* Identity keys beside user/group, limits: and sandbox: (config_sandbox.c).
 * cp_identity runs after cp_creds (allow_root needs the resolved uid). */
void config_sandbox_defaults(struct svc_config *s);
void config_sandbox_done(struct svc_config *s);
void cp_identity(struct cload *l, const struct ynode *root, struct svc_config *s);
void cp_limits(struct cload *l, const struct ynode *n, struct svc_config *s);
void cp_sandbox(struct cload *l, const struct ynode *n, struct svc_config *s);

/* secrets: of a service, the ${secret:NAME} references in its environment
 * node, and the cross-file checks (config_secrets.c). */
void cp_secrets(struct cload *l, const struct ynode *root, struct svc_config *s);
/* The syntax of the ${secret:NAME} references in defaults.environment (env
 * may be NULL), reported at the main file; each service resolves them. */
void cp_defaults_secret_refs(struct cload *l, const struct ynode *env);
int config_secrets_validate(struct svd_config *c, struct cfg_errors *errs);
/* Puts the errors of one file (errs->msgs[from..]) in line order: keys are
 * checked in a fixed order, but a reader fixes a file top to bottom
 * (config_errors.c). */
void cfg_errors_sort_file(struct cfg_errors *e, size_t from, const char *file);
void config_secrets_done(struct svd_config *c);
void config_svc_secrets_done(struct svc_config *s);

/* schedule:, profiles:, install_hint: of a service; profiles: and
 * profile_sets: of the main file (config_schedule.c). cp_schedule runs after
 * type: is known. */
void cp_schedule(struct cload *l, const struct ynode *n, struct svc_config *s);
void cp_profiles(struct cload *l, const struct ynode *root, struct svc_config *s);
void cp_main_profiles(struct cload *l, const struct ynode *root);
void config_schedule_done(struct svc_config *s);
void config_profiles_done(struct svd_config *c);

/* The main file's keys (config_main.c). */
int config_parse_main(struct cload *l, const struct ynode *root);

bool config_name_valid(const char *s);
void config_svc_done(struct svc_config *s);
void config_resources_done(struct resources_config *r);

#endif
