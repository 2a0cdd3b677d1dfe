/* config_validate: the checks that need the whole generation, not one file:
 * dependency names resolve (and dep_config.index gets set), the dependency
 * graph has no cycles, slices exist and form a tree, and a limit (memory_max,
 * memory_high, memory_swap_max, pids_max, cpus) is not larger than the same
 * limit of the slice it runs in (which the kernel would quietly cap, so the
 * configured value would be a lie), and no service's log file is a file svd
 * writes itself (the audit log, metrics.textfile), another service's log
 * file, or named like one of another log's rotated files. Every problem is
 * reported at the position of the value that has to change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph.h"
#include "logfmt.h"
#include "safedir.h"

static const char *svc_name_at(const struct svd_config *c, size_t i)
{
        return c->svcs[i].name;
}
static const char *slice_name_at(const struct svd_config *c, size_t i)
{
        return c->slices[i].name;
}

/* The candidate closest to name if it is a plausible typo (config_typo_distance). */
static const char *closest(const struct svd_config *c, const char *name, bool slices, const char *skip)
{
        const char *best = NULL;
        size_t best_d = 4;
        size_t n = slices ? c->n_slices : c->n_svcs;

        for (size_t i = 0; i < n; i++) {
                const char *cand = slices ? slice_name_at(c, i) : svc_name_at(c, i);
                size_t d;

                if (skip && strcmp(cand, skip) == 0)
                        continue;
                d = config_typo_distance(name, cand);
                if (d < best_d) {
                        best_d = d;
                        best = cand;
                }
        }
        return best;
}

static void unknown_name(struct cfg_errors *errs, const struct cfg_pos *pos, const char *key,
                         const char *what, const char *name, const char *suggest)
{
        if (suggest)
                cfg_error(errs, pos, key, "unknown %s '%s' (did you mean '%s'?)", what, name, suggest);
        else
                cfg_error(errs, pos, key, "unknown %s '%s'", what, name);
}

static void resolve_deps(struct svd_config *c, struct cfg_errors *errs)
{
        char key[300];

        for (size_t i = 0; i < c->n_svcs; i++) {
                struct svc_config *s = &c->svcs[i];

                for (size_t j = 0; j < s->n_deps; j++) {
                        struct dep_config *d = &s->deps[j];
                        ssize_t idx = config_svc_index(c, d->name);

                        d->index = idx < 0 ? SIZE_MAX : (size_t)idx;
                        if (idx >= 0)
                                continue;
                        snprintf(key, sizeof key, "depends_on.%s", d->name);
                        unknown_name(errs, &d->pos, key, "service", d->name,
                                     closest(c, d->name, false, s->name));
                }
        }
}

/* Reports each cycle once. After reporting, the closing edge is cut (and put
 * back at the end) so a second, independent cycle is still found. */
static int check_cycles(struct svd_config *c, struct cfg_errors *errs)
{
        struct dep_config *cut[64];
        size_t n_cut = 0;
        size_t first;
        char *cycle;
        char key[300];

        while (n_cut < ELEMENTSOF(cut) && (cycle = graph_find_cycle(c, &first))) {
                struct svc_config *s = &c->svcs[first];
                /* "a -> b -> ...": names cannot contain spaces, so b ends at the next blank. */
                const char *next = strstr(cycle, " -> ") + 4;
                size_t next_len = strcspn(next, " ");
                struct dep_config *d = NULL;

                for (size_t j = 0; j < s->n_deps && !d; j++)
                        if (s->deps[j].index < c->n_svcs && strlen(s->deps[j].name) == next_len &&
                            strncmp(s->deps[j].name, next, next_len) == 0)
                                d = &s->deps[j];
                if (!d) { /* cannot happen: the cycle came from these edges */
                        free(cycle);
                        return -EINVAL;
                }
                snprintf(key, sizeof key, "depends_on.%s", d->name);
                cfg_error(errs, &d->pos, key, "dependency cycle: %s", cycle);
                free(cycle);
                d->index = SIZE_MAX;
                cut[n_cut++] = d;
        }
        for (size_t k = 0; k < n_cut; k++)
                cut[k]->index = (size_t)config_svc_index(c, cut[k]->name);
        return 0;
}

static const struct slice_config *find_slice(const struct svd_config *c, const char *name)
{
        for (size_t i = 0; name && i < c->n_slices; i++)
                if (strcmp(c->slices[i].name, name) == 0)
                        return &c->slices[i];
        return NULL;
}

static void check_slices(struct svd_config *c, struct cfg_errors *errs)
{
        for (size_t i = 0; i < c->n_slices; i++) {
                const struct slice_config *sl = &c->slices[i], *p = sl;
                size_t steps = 0;
                bool lowest = true;

                if (!sl->parent)
                        continue;
                if (!find_slice(c, sl->parent)) {
                        unknown_name(errs, &sl->parent_pos, "parent", "slice", sl->parent,
                                     closest(c, sl->parent, true, sl->name));
                        continue;
                }
                /* Walk up; coming back to sl means a loop, reported by its
                 * first member in name order only. */
                while ((p = find_slice(c, p->parent)) && p != sl && steps++ < c->n_slices)
                        if (p < sl)
                                lowest = false;
                if (p != sl || !lowest)
                        continue;
                char buf[1024];
                size_t off = 0;

                p = sl;
                do {
                        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s -> ", p->name);
                        p = find_slice(c, p->parent);
                } while (p != sl && off < sizeof buf);
                if (off < sizeof buf)
                        snprintf(buf + off, sizeof buf - off, "%s", sl->name);
                cfg_error(errs, &sl->parent_pos, "parent", "slice cycle: %s", buf);
        }
}

/* The ceilings a child may not exceed: the nearest slice at or above it that
 * sets the same knob (memory_high also the nearest memory_max) caps it in the
 * kernel, so a larger value would be a lie. Protections (memory_min/low) and
 * weights are not ceilings. */
enum ceiling { C_MEMORY_MAX, C_MEMORY_HIGH, C_SWAP_MAX, C_PIDS_MAX, C_CPUS };
static const char *const ceiling_keys[] = { "memory_max", "memory_high", "memory_swap_max", "pids_max", "cpus" };

static bool sets(const struct resources_config *r, enum ceiling k)
{
        switch (k) {
        case C_MEMORY_MAX:
                return r->memory_max.set;
        case C_MEMORY_HIGH:
                return r->memory_high.set;
        case C_SWAP_MAX:
                return r->memory_swap_max.set;
        case C_PIDS_MAX:
                return r->pids_max > 0;
        case C_CPUS:
                return r->cpus > 0;
        }
        return false;
}

static const struct cfg_size *size_of(const struct resources_config *r, enum ceiling k)
{
        return k == C_MEMORY_MAX ? &r->memory_max : k == C_MEMORY_HIGH ? &r->memory_high : &r->memory_swap_max;
}

/* The nearest slice at or above `name` that sets knob k. */
static const struct slice_config *limiting_slice(const struct svd_config *c, const char *name, enum ceiling k)
{
        const struct slice_config *p = find_slice(c, name);

        for (size_t steps = 0; p && steps <= c->n_slices; steps++) {
                if (sets(&p->resources, k))
                        return p;
                p = find_slice(c, p->parent);
        }
        return NULL;
}

static const char *size_text(const struct cfg_size *s, char *buf, size_t len)
{
        if (s->percent)
                snprintf(buf, len, "%g%%", s->pct);
        else
                format_size(s->bytes, buf, len);
        return buf;
}

/* A size against a size; a share of RAM against bytes is resolved with this
 * host's RAM (where svd runs is where the limits apply). */
static void check_size(struct cfg_errors *errs, const struct cfg_size *v, const char *key, const char *lkey,
                       const struct slice_config *lim, const struct cfg_size *m, uint64_t ram)
{
        char a[32], b[32];
        bool over;
        bool mixed = v->percent != m->percent;

        if (!mixed)
                over = v->percent ? v->pct > m->pct : v->bytes > m->bytes;
        else if (!ram)
                return;
        else
                over = (v->percent ? (double)ram * v->pct / 100.0 : (double)v->bytes) >
                       (m->percent ? (double)ram * m->pct / 100.0 : (double)m->bytes);
        if (over)
                cfg_error(errs, &v->pos, key, "%s exceeds %s %s of slice '%s'%s", size_text(v, a, sizeof a), lkey,
                          size_text(m, b, sizeof b), lim->name, mixed ? " on this host" : "");
}

/* The ceilings of r (a service's resources or a slice's own knobs) against
 * the slices at and above `slice`. */
static void check_ceilings(struct cfg_errors *errs, const struct svd_config *c, const struct resources_config *r,
                           const char *prefix, const char *slice, uint64_t ram)
{
        char key[64];

        for (enum ceiling k = C_MEMORY_MAX; k <= C_CPUS; k++) {
                const struct slice_config *lim;

                if (!sets(r, k) || !(lim = limiting_slice(c, slice, k)))
                        continue;
                snprintf(key, sizeof key, "%s%s", prefix, ceiling_keys[k]);
                if (k <= C_SWAP_MAX)
                        check_size(errs, size_of(r, k), key, ceiling_keys[k], lim, size_of(&lim->resources, k),
                                   ram);
                else if (k == C_PIDS_MAX && r->pids_max > lim->resources.pids_max)
                        cfg_error(errs, &r->pids_max_pos, key, "%llu exceeds pids_max %llu of slice '%s'",
                                  r->pids_max, lim->resources.pids_max, lim->name);
                else if (k == C_CPUS && r->cpus > lim->resources.cpus)
                        cfg_error(errs, &r->cpus_pos, key, "%g exceeds cpus %g of slice '%s'", r->cpus,
                                  lim->resources.cpus, lim->name);
        }
        /* memory_high above the slice's memory_max never throttles */
        const struct slice_config *lim = r->memory_high.set ? limiting_slice(c, slice, C_MEMORY_MAX) : NULL;
        if (lim) {
                snprintf(key, sizeof key, "%smemory_high", prefix);
                check_size(errs, &r->memory_high, key, "memory_max", lim, &lim->resources.memory_max, ram);
        }
}

static void check_svc_slices(struct svd_config *c, struct cfg_errors *errs)
{
        uint64_t ram = host_mem_total();

        for (size_t i = 0; i < c->n_slices; i++)
                if (c->slices[i].parent)
                        check_ceilings(errs, c, &c->slices[i].resources, "", c->slices[i].parent, ram);
        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];

                if (!s->slice)
                        continue;
                if (!find_slice(c, s->slice)) {
                        unknown_name(errs, &s->slice_pos, "slice", "slice", s->slice,
                                     closest(c, s->slice, true, NULL));
                        continue;
                }
                check_ceilings(errs, c, s->resources, "resources.", s->slice, ram);
        }
}

/* path (absolute) with "//", "/./" and "/../" folded, lexically: at --check
 * time neither the file nor its directory has to exist. */
static char *path_fold(const char *path)
{
        char *out = malloc(strlen(path) + 2);
        size_t o = 0;

        if (!out)
                return NULL;
        for (const char *p = path, *e; *p; p = e) {
                while (*p == '/')
                        p++;
                e = strchrnul(p, '/');
                size_t len = (size_t)(e - p);

                if (len == 0 || (len == 1 && p[0] == '.'))
                        continue;
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[--o] != '/')
                                ;
                        continue;
                }
                out[o++] = '/';
                memcpy(out + o, p, len);
                o += len;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = 0;
        return out;
}

/* The file a log path names, as far as this host can tell: the whole path
 * resolved through symlinks when it exists, else its directory resolved
 * (when that exists) with the name appended, else the folded path. A name
 * svd's open refuses as a link (safedir_link_refused: planted in a
 * directory another user can change) is not followed: it leads nowhere svd
 * writes, and must not make the configuration invalid. */
static char *log_path_resolve(const char *path)
{
        _cleanup_(freep) char *folded = path_fold(path);
        _cleanup_(freep) char *dir = NULL;
        char *r, *slash;

        if (!folded)
                return NULL;
        if (!safedir_link_refused(folded) && (r = path_canonical(folded)))
                return r;
        slash = strrchr(folded, '/');
        *slash = 0;
        if (!(dir = path_canonical(slash == folded ? "/" : folded))) {
                *slash = '/';
                return strdup(folded);
        }
        return strdup_printf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", slash + 1);
}

static void free_paths(char **v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

/* The service (not `self`) whose default log file <log_dir>/NAME.log is the
 * resolved path p, or NULL. No file system lookup: p's directory is compared
 * with log_dir (resolved and folded, each computed once by the caller) and
 * its name with NAME.log of a service without a logging.file. */
static const struct svc_config *default_owner(const struct svd_config *c, const char *p, size_t self,
                                              const char *dir_res, const char *dir_folded)
{
        const char *slash = strrchr(p, '/');
        size_t dl = (size_t)(slash - p), nl;
        char name[256];
        ssize_t j;

        if (dl == 0)
                dl = 1; /* "/x.log": the directory is "/" */
        if (!((strlen(dir_res) == dl && strncmp(p, dir_res, dl) == 0) ||
              (strlen(dir_folded) == dl && strncmp(p, dir_folded, dl) == 0)))
                return NULL;
        nl = strlen(slash + 1);
        if (nl <= 4 || nl - 4 >= sizeof name || strcmp(slash + 1 + nl - 4, ".log") != 0)
                return NULL;
        memcpy(name, slash + 1, nl - 4);
        name[nl - 4] = 0;
        j = config_svc_index(c, name);
        if (j < 0 || (size_t)j == self || c->svcs[j].logging.file)
                return NULL;
        return &c->svcs[j];
}

/* Whether name, in the directory of the log file base_path, is one of that
 * log's rotated files (BASE.STAMP, .gz, or gzip's .gz.tmp). */
static bool rotated_of(const char *base_path, const char *dir, size_t dl, const char *name)
{
        const char *slash = strrchr(base_path, '/');
        size_t bdl;

        if (!slash)
                return false; /* resolved paths are absolute */
        bdl = slash == base_path ? 1 : (size_t)(slash - base_path);
        if (bdl != dl || strncmp(base_path, dir, dl) != 0)
                return false;
        return logfmt_rotated_match(slash + 1, name, NULL, NULL) || logfmt_rotated_tmp_match(slash + 1, name);
}

/* A logging.file must not be named like one of another log's rotated files
 * (<log>.STAMP[.gz]), svd's audit log's included: that log's retention
 * would prune it as the oldest rotated file, and its start-up scan would
 * compress it or remove it as an unfinished .gz.tmp. res[] as for
 * check_shared_logs. Default log files end in .log and can never match. No
 * file system lookup: the resolved paths are compared, and a default
 * <log_dir>/NAME.log (or the audit log) by its name. */
static void check_rotated_names(const struct svd_config *c, struct cfg_errors *errs, char *const *res,
                                const char *dir_res, const char *dir_folded)
{
        static const char *const sfx[] = { "", ".gz", ".gz.tmp" };

        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i], *other = NULL;
                const char *p = res[i], *slash, *name;
                char base[300];
                size_t dl;

                if (!p || !(slash = strrchr(p, '/')))
                        continue;
                dl = slash == p ? 1 : (size_t)(slash - p);
                name = slash + 1;
                for (size_t j = 0; j < c->n_svcs && !other; j++)
                        if (j != i && res[j] && rotated_of(res[j], p, dl, name))
                                other = &c->svcs[j];
                /* a default log in log_dir: the name before the stamp is NAME.log */
                bool in_log_dir = (strlen(dir_res) == dl && strncmp(p, dir_res, dl) == 0) ||
                                  (strlen(dir_folded) == dl && strncmp(p, dir_folded, dl) == 0);
                size_t nl = strlen(name);
                bool audit = false;
                for (size_t k = 0; in_log_dir && !other && k < sizeof(sfx) / sizeof(sfx[0]); k++) {
                        size_t sl = strlen(sfx[k]), bl;
                        ssize_t j;

                        if (nl <= sl + 1 + LOGFMT_STAMP_LEN + 4)
                                continue;
                        bl = nl - sl - 1 - LOGFMT_STAMP_LEN;
                        if (bl >= sizeof(base) || strncmp(name + bl - 4, ".log", 4) != 0)
                                continue;
                        memcpy(base, name, bl);
                        base[bl] = 0;
                        if (!(k == 2 ? logfmt_rotated_tmp_match(base, name)
                                     : logfmt_rotated_match(base, name, NULL, NULL)))
                                continue;
                        if (strcmp(base, CONFIG_AUDIT_LOG) == 0) {
                                audit = true;
                                break;
                        }
                        base[bl - 4] = 0;
                        j = config_svc_index(c, base);
                        if (j >= 0 && (size_t)j != i && !c->svcs[j].logging.file)
                                other = &c->svcs[j];
                }
                if (audit)
                        cfg_error(errs, &s->logging.file_pos, "logging.file",
                                  "'%s' is named like a rotated file of svd's audit log: its rotation would "
                                  "compress or delete it (choose another name)",
                                  s->logging.file);
                else if (other)
                        cfg_error(errs, &s->logging.file_pos, "logging.file",
                                  "'%s' is named like a rotated file of the log of service '%s': its rotation "
                                  "would compress or delete it (choose another name)",
                                  s->logging.file, other->name);
        }
}

/* Two services may not share a log file: their writes would interleave and
 * both would rotate (and prune) the same file. res[i] is service i's
 * logging.file resolved (NULL for a default <log_dir>/NAME.log, which differ
 * by name). A clash is reported at the logging.file that makes it: the later
 * of two, or the one naming another service's default file. */
static int check_shared_logs(const struct svd_config *c, struct cfg_errors *errs, char *const *res)
{
        _cleanup_(freep) char *dir_res = NULL, *dir_folded = NULL;

        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i], *other = NULL;

                if (!res[i])
                        continue;
                for (size_t j = 0; j < i && !other; j++)
                        if (res[j] && strcmp(res[i], res[j]) == 0)
                                other = &c->svcs[j];
                if (other) {
                        cfg_error(errs, &s->logging.file_pos, "logging.file",
                                  "'%s' is also the log file of service '%s' (%s:%d:%d): two services cannot "
                                  "share a log file",
                                  s->logging.file, other->name, other->logging.file_pos.file,
                                  other->logging.file_pos.line, other->logging.file_pos.col);
                        continue;
                }
                if (!dir_res && (!(dir_res = log_path_resolve(c->log_dir)) || !(dir_folded = path_fold(c->log_dir))))
                        return -ENOMEM;
                if ((other = default_owner(c, res[i], i, dir_res, dir_folded)))
                        cfg_error(errs, &s->logging.file_pos, "logging.file",
                                  "'%s' is the log file of service '%s' (%s/%s.log): two services cannot share "
                                  "a log file",
                                  s->logging.file, other->name, c->log_dir, other->name);
        }
        if (dir_res)
                check_rotated_names(c, errs, res, dir_res, dir_folded);
        return 0;
}

/* A service's log file (<log_dir>/NAME.log, or logging.file) must not be one
 * svd writes itself: the audit log, <log_dir>/audit.log (so "audit" is a
 * reserved service name unless logging.file moves its log), or
 * metrics.textfile. Two writers, and two rotations, on one file would mix
 * and lose both. A default log path shares log_dir with the audit log, so
 * only its name matters: no file system lookup per service (at boot every
 * one is a round trip, and there may be hundreds); an explicit logging.file
 * is resolved, through symlinks where they exist. Nor may it be another
 * service's: res[i] gets service i's logging.file resolved, for
 * check_shared_logs (not when it already is an error here). */
static int check_log_files(const struct svd_config *c, struct cfg_errors *errs, char **res)
{
        _cleanup_(freep) char *audit_path = strdup_printf("%s/" CONFIG_AUDIT_LOG, c->log_dir);
        _cleanup_(freep) char *audit = NULL, *prom = NULL, *prom_folded = NULL;

        if (!audit_path)
                return -ENOMEM;
        if (c->metrics_textfile &&
            (!(prom = log_path_resolve(c->metrics_textfile)) || !(prom_folded = path_fold(c->metrics_textfile))))
                return -ENOMEM;
        for (size_t i = 0; i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];
                const char *file = s->logging.file;

                if (!file) {
                        if (strcmp(s->name, "audit") == 0) {
                                struct cfg_pos pos = { s->file, 1, 1 };

                                cfg_error(errs, &pos, NULL,
                                          "service name '%s' is reserved: its log file %s would be svd's audit log "
                                          "(rename the service file, or set logging.file)",
                                          s->name, audit_path);
                        } else if (prom) {
                                _cleanup_(freep) char *own = strdup_printf("%s/%s.log", c->log_dir, s->name);
                                _cleanup_(freep) char *folded = own ? path_fold(own) : NULL;

                                if (!folded)
                                        return -ENOMEM;
                                if (strcmp(folded, prom_folded) == 0 || strcmp(folded, prom) == 0) {
                                        struct cfg_pos pos = { s->file, 1, 1 };

                                        cfg_error(errs, &pos, NULL,
                                                  "the log file %s of service '%s' is svd's metrics.textfile "
                                                  "(rename the service file, set logging.file, or move "
                                                  "metrics.textfile)",
                                                  own, s->name);
                                }
                        }
                        continue;
                }
                if (!audit && !(audit = log_path_resolve(audit_path)))
                        return -ENOMEM;
                _cleanup_(freep) char *p = log_path_resolve(file);

                if (!p)
                        return -ENOMEM;
                if (strcmp(p, audit) == 0)
                        cfg_error(errs, &s->logging.file_pos, "logging.file",
                                  "'%s' is svd's audit log %s: a service cannot write to it", file, audit_path);
                else if (prom && strcmp(p, prom) == 0)
                        cfg_error(errs, &s->logging.file_pos, "logging.file",
                                  "'%s' is svd's metrics.textfile: a service cannot write to it", file);
                else {
                        res[i] = p;
                        p = NULL;
                }
        }
        return 0;
}

static int check_logs(const struct svd_config *c, struct cfg_errors *errs)
{
        char **res = calloc(c->n_svcs + 1, sizeof *res);
        int r;

        if (!res)
                return -ENOMEM;
        if ((r = check_log_files(c, errs, res)) >= 0)
                r = check_shared_logs(c, errs, res);
        free_paths(res, c->n_svcs);
        return r;
}

/* A notify service sends READY=1 to the socket in run_dir: a sandbox that
 * hides run_dir from it (private_tmp over a run_dir in /tmp or /var/tmp,
 * protect_home true or tmpfs over one in /home, /root or /run/user, an
 * inaccessible_paths entry at or above it) would keep it starting until its
 * start_timeout, on every start. (A read-only one still lets it connect.) */
static void check_notify_reach(const struct svd_config *c, struct cfg_errors *errs)
{
        static const char *const homes[] = SBX_HOME_DIRS;
        _cleanup_(freep) char *run = path_lexical(c->run_dir);

        for (size_t i = 0; run && i < c->n_svcs; i++) {
                const struct svc_config *s = &c->svcs[i];
                const char *by = NULL;
                if (s->type != SVC_NOTIFY)
                        continue;
                if (s->sandbox.private_tmp && (path_below(run, "/tmp") || path_below(run, "/var/tmp")))
                        by = "private_tmp";
                for (size_t h = 0; !by && h < ELEMENTSOF(homes); h++)
                        if ((s->sandbox.protect_home == SBX_PH_YES || s->sandbox.protect_home == SBX_PH_TMPFS) &&
                            (strcmp(run, homes[h]) == 0 || path_below(run, homes[h])))
                                by = "protect_home";
                for (char **p = s->sandbox.inaccessible_paths; !by && p && *p; p++) {
                        _cleanup_(freep) char *ip = path_lexical(*p);
                        if (ip && (strcmp(run, ip) == 0 || path_below(run, ip)))
                                by = "inaccessible_paths";
                }
                if (by)
                        cfg_error(errs, &s->sandbox.pos, "sandbox",
                                  "%s hides run_dir %s, where the notify socket is: this type: notify service could "
                                  "never send READY=1 (move run_dir out of it, e.g. to /run/svd)",
                                  by, run);
        }
}

int config_validate(struct svd_config *c, struct cfg_errors *errs)
{
        size_t n0 = errs->n;
        int r;

        resolve_deps(c, errs);
        if ((r = check_cycles(c, errs)) < 0)
                return r;
        check_slices(c, errs);
        check_svc_slices(c, errs);
        check_notify_reach(c, errs);
        if ((r = check_logs(c, errs)) < 0)
                return r;
        return errs->n > n0 ? -EINVAL : 0;
}
