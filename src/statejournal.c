/* statejournal: see statejournal.h. A text file, one line each:
 *   svd-state-journal 1 SAVED_MONO    the state.json it follows ("none": unknown; 0: no state file)
 *   boot BOOT_ID                      the boot it was written in (absent: an older svd's, trusted)
 *   S PID START NAME                  NAME's main process spawned (START: /proc/PID/stat field 22)
 *   M PID START NAME                  NAME's main process is now PID (MAINPID=)
 *   X PID STATUS NAME                 NAME's main process PID ended; svd reaped it with
 *                                     wait status STATUS (written before svd acts on it)
 * Each line is one write(2) to a file opened O_APPEND: a kill leaves whole
 * lines. An S line is written by the spawned child itself, before its setup
 * (spawn.h, struct spawn_journal); the parent writes it only if the child
 * could not. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "init.h"
#include "log.h"
#include "spawn.h"
#include "statefile.h"
#include "statejournal.h"
#include "statereserve.h"
#include "svd.h"

#define JOURNAL_MAGIC "svd-state-journal 1"
/* Appends stop there: the journal grows only while state writes fail. */
#define JOURNAL_MAX ((size_t)1 << 20)

struct entry {
        char kind;
        bool done;
        pid_t pid;
        unsigned long long start; /* 0 for an X line: it names no live process */
        int status;               /* an X line's */
        char *name;
};

struct statejournal {
        int fd;
        size_t size;
        bool full;
        struct entry *e; /* a killed svd's, until restored */
        size_t n;
};

static char *path_of(const struct svd *m)
{
        return path_join(m->cfg->run_dir, "state.journal");
}

/* n bytes appended, whole (a short write's rest too: a line is never cut),
 * with space from state.reserve if run_dir is full; the bytes written, or
 * -errno if none. */
static ssize_t append(struct svd *m, int fd, const char *p, size_t n)
{
        size_t done = 0;
        while (done < n) {
                ssize_t w = write(fd, p + done, n - done);
                if (w > 0)
                        done += (size_t)w;
                else if (w < 0 && errno == EINTR)
                        continue;
                else if (!statereserve_release(m, w < 0 ? errno : ENOSPC))
                        return done ? (ssize_t)done : w < 0 ? -errno : -ENOSPC;
        }
        return (ssize_t)done;
}

static int put_header(struct svd *m, struct statejournal *j, const char *follows)
{
        char h[128];
        const char *boot = statefile_boot_id();
        int n = snprintf(h, sizeof(h), JOURNAL_MAGIC " %s\n%s%s%s", follows, boot ? "boot " : "", boot ? boot : "",
                         boot ? "\n" : "");
        if (ftruncate(j->fd, 0) < 0)
                return -errno;
        ssize_t w = append(m, j->fd, h, (size_t)n);
        if (w != n)
                return w < 0 ? (int)w : -ENOSPC;
        j->size = (size_t)n;
        j->full = false;
        return 0;
}

/* A decimal number at *p (no sign) within [lo, hi], then a space; *p moves
 * past the space. -ERANGE if not. */
static int number(char **p, unsigned long long lo, unsigned long long hi, unsigned long long *ret)
{
        char *end;
        if (**p < '0' || **p > '9')
                return -ERANGE;
        errno = 0;
        unsigned long long v = strtoull(*p, &end, 10);
        if (errno || *end != ' ' || v < lo || v > hi)
                return -ERANGE;
        *p = end + 1;
        *ret = v;
        return 0;
}

/* "S PID START NAME" (or M, or "X PID STATUS NAME") into e (name not
 * copied); NULL, or the first bad field. */
static const char *parse_line(char *line, struct entry *e)
{
        unsigned long long pid, start;
        char *p = line + 2;
        bool exit = line[0] == 'X';
        if ((line[0] != 'S' && line[0] != 'M' && !exit) || line[1] != ' ')
                return "kind";
        if (number(&p, 2, INT_MAX, &pid) < 0)
                return "pid";
        if (number(&p, 0, exit ? 0xffff : ULLONG_MAX >> 1, &start) < 0)
                return exit ? "status" : "start";
        if (!*p)
                return "name";
        *e = (struct entry){ .kind = line[0], .pid = (pid_t)pid, .start = exit ? 0 : start,
                             .status = exit ? (int)start : 0, .name = p };
        return NULL;
}

/* Reading the journal a killed svd left: 1 and its entries if it follows
 * the state file `follows`, 0 if not, -ESTALE if another boot wrote it
 * (nothing in it is read), -EBADMSG if it does not start as svd starts one
 * (damage: nothing in it can be read). */
static int parse(struct statejournal *j, char *text, const char *follows, const char *path)
{
        char *nl = strchr(text, '\n');
        size_t ml = strlen(JOURNAL_MAGIC), bad = 0;
        const char *first_bad = NULL;
        if (!*text)
                return 0; /* (svd was killed as it started the file over) */
        if (!nl || strncmp(text, JOURNAL_MAGIC " ", ml + 1) != 0)
                return -EBADMSG;
        *nl = 0;
        if (strcmp(text + ml + 1, follows) != 0)
                return 0;
        char *line = nl + 1;
        const char *ours = statefile_boot_id();
        if (strncmp(line, "boot ", 5) == 0 && (nl = strchr(line, '\n'))) {
                *nl = 0;
                if (ours && strcmp(line + 5, ours) != 0)
                        return -ESTALE;
                line = nl + 1;
        }
        for (; (nl = strchr(line, '\n')); line = nl + 1) {
                *nl = 0;
                struct entry e;
                const char *field = parse_line(line, &e);
                if (field) {
                        if (!bad++)
                                first_bad = field;
                        continue;
                }
                struct entry *v = realloc(j->e, (j->n + 1) * sizeof(*v));
                if (!v)
                        break;
                j->e = v;
                v[j->n] = e;
                if ((v[j->n].name = strdup(e.name)))
                        j->n++;
        }
        if (bad)
                log_warn("%s: %zu line%s ignored (the first: its %s is not valid)", path, bad, bad == 1 ? "" : "s",
                         first_bad);
        /* (written whole or not at all but for a full disk with its
         * reserve used up: what it names is not trusted enough to kill) */
        if (*line)
                log_warn("%s: its last line is cut short (%zu bytes, no newline: a full disk?) and ignored; a "
                         "process it named is not stopped",
                         path, strlen(line));
        return 1;
}

static bool alive(const struct entry *e)
{
        return e->start && statefile_pid_start(e->pid) == e->start;
}

/* SIGKILL: the process is at most a few milliseconds old, and must be gone
 * before the state's own decision starts the service again. */
static void kill_entry(const struct entry *e, const char *why)
{
        log_warn("%s: pid %d was %s by the svd before, after its last state write (%s); killing it", e->name,
                 (int)e->pid, e->kind == 'S' ? "started" : "named its main process", why);
        if (getpgid(e->pid) == e->pid)
                (void)kill(-e->pid, SIGKILL); /* the group spawn.c made: what it forked too */
        (void)kill(e->pid, SIGKILL);
}

/* The entries not restored yet: killed if still running, then forgotten. */
static void kill_rest(struct statejournal *j, const char *why)
{
        for (size_t i = 0; i < j->n; i++) {
                if (!j->e[i].done && alive(&j->e[i]))
                        kill_entry(&j->e[i], why);
                free(j->e[i].name);
        }
        free(j->e);
        j->e = NULL;
        j->n = 0;
}

void statejournal_open(struct svd *m)
{
        if (init_is_pid1())
                return;
        _cleanup_(freep) char *path = path_of(m);
        struct statejournal *j = calloc(1, sizeof(*j));
        if (!path || !j) {
                free(j);
                return;
        }
        char follows[32] = "none";
        if (m->adopting) { /* a killed svd's state file */
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->restore, "saved_mono");
                if (cJSON_IsNumber(v))
                        snprintf(follows, sizeof(follows), "%.0f", v->valuedouble);
        } else if (!m->restore)
                snprintf(follows, sizeof(follows), "0"); /* no state file: a fresh start */
        j->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (j->fd < 0) {
                log_warn("cannot open %s: %s (a crash of svd right after a spawn would start the service "
                         "twice)",
                         path, strerror(errno));
                free(j);
                return;
        }
        _cleanup_(freep) char *text = read_fd_all(j->fd, JOURNAL_MAX + 4096);
        size_t len = text ? strlen(text) : 0;
        bool follow = false;
        if (m->restore && !m->adopting) {
                /* daemon-reexec: the state handed over is complete, and the
                 * journal still says what the state file on disk misses */
                follow = text && strncmp(text, JOURNAL_MAGIC " ", strlen(JOURNAL_MAGIC) + 1) == 0;
        } else if (text && strcmp(follows, "none") != 0) {
                int r = parse(j, text, follows, path); /* kept until this instance writes its state */
                if (r == -ESTALE)
                        log_warn("%s is from another boot (this boot: %s): ignored, nothing it names is stopped",
                                 path, statefile_boot_id());
                else if (r == -EBADMSG)
                        log_err("%s is not a journal svd wrote (its first line is not \"" JOURNAL_MAGIC
                                " ...\"): ignored; a process it named (started after the last state write) "
                                "is not stopped and may run beside the one started now (check with ps)",
                                path);
                follow = r > 0;
        }
        if (follow)
                j->size = len;
        int r = follow ? 0 : put_header(m, j, follows);
        if (r < 0)
                log_warn("cannot write %s: %s", path, strerror(-r));
        m->journal = j;
        if (!m->restore) /* no state: nothing of the svd before runs on, as at its boot */
                kill_rest(j, "it left no state file");
}

/* Room for a line of at most n bytes; false (and said once) if full. */
static bool room(struct statejournal *j, size_t n)
{
        if (j->size + n <= JOURNAL_MAX)
                return true;
        if (!j->full)
                log_warn("state.journal: full (state.json cannot be written?); a crash of svd "
                         "now may start services twice");
        j->full = true;
        return false;
}

int statejournal_fd(struct svd *m)
{
        struct statejournal *j = m->journal;
        return j && room(j, 200) ? j->fd : -1; /* (the child's line is shorter) */
}

void statejournal_spawned(struct svc *s, const struct spawn_journal *sj, bool started)
{
        struct statejournal *j = s->m->journal;
        if (!j)
                return;
        j->size += (size_t)(sj->written > 0 ? sj->written : 0);
        if (!started || (sj->len && sj->written == sj->len)) {
                if (started && !s->start_time)
                        s->start_time = sj->start; /* (the state write reuses it) */
                return;
        }
        /* the child could not: the line is written now, as before the child
         * wrote it (a kill of svd during the spawn leaves a process no file
         * names); a short write's remains get their own line */
        if (sj->written > 0 && append(s->m, j->fd, "\n", 1) == 1)
                j->size++;
        statejournal_note(s, 'S');
}

/* One line, whole or cut short (see below). */
static void put_line(struct svc *s, struct statejournal *j, char kind, pid_t pid, unsigned long long num)
{
        char line[160];
        int n = snprintf(line, sizeof(line), "%c %d %llu %s\n", kind, (int)pid, num, s->cfg->name);
        if (n <= 0 || (size_t)n >= sizeof(line) || !room(j, (size_t)n))
                return;
        ssize_t w = append(s->m, j->fd, line, (size_t)n);
        if (w > 0)
                j->size += (size_t)w;
        /* cut short (full, nothing left to give back): the next line starts
         * on its own, if this byte fits */
        if (w > 0 && w < n && write(j->fd, "\n", 1) == 1)
                j->size++;
}

void statejournal_note(struct svc *s, char kind)
{
        struct statejournal *j = s->m->journal;
        if (!j || s->pid <= 0)
                return;
        if (!s->start_time) /* (the state write reuses it) */
                s->start_time = statefile_pid_start(s->pid);
        put_line(s, j, kind, s->pid, s->start_time);
}

void statejournal_note_exit(struct svc *s, pid_t pid, int status)
{
        struct statejournal *j = s->m->journal;
        if (j && pid > 0)
                put_line(s, j, 'X', pid, (unsigned long long)(unsigned)status & 0xffff);
}

void statejournal_written(struct svd *m, usec_t saved_mono)
{
        struct statejournal *j = m->journal;
        char follows[32];
        if (!j)
                return;
        snprintf(follows, sizeof(follows), "%llu", (unsigned long long)saved_mono);
        int r = put_header(m, j, follows);
        if (r < 0)
                log_warn("cannot start state.journal over: %s", strerror(-r));
}

int statejournal_restore_svc(struct svd *m, struct svc *s, unsigned long long *pid_start, int *exit_status)
{
        struct statejournal *j = m->journal;
        bool spawned = false; /* a spawn the state does not know: what follows is its */
        bool ended = false;   /* the last such spawn ended while no svd ran */
        for (size_t i = 0; j && i < j->n; i++) {
                struct entry *e = &j->e[i];
                if (e->done || strcmp(e->name, s->cfg->name) != 0)
                        continue;
                e->done = true;
                if (e->kind == 'X') { /* the end of the state's main process, or of an unknown spawn's */
                        if (!spawned && e->pid == s->pid && s->pid > 0)
                                *exit_status = e->status;
                        continue;
                }
                if (e->pid == s->pid && e->start == *pid_start)
                        continue; /* the state has it already */
                if (e->kind == 'S' || spawned || s->pid <= 0) {
                        spawned = spawned || e->kind == 'S';
                        if (e->kind == 'S')
                                ended = !alive(e);
                        if (alive(e))
                                kill_entry(e, "its state was written before");
                        continue;
                }
                /* MAINPID= moved the main process after the state was written */
                log_info("%s: main process %d (MAINPID= after the last state write; was %d)", s->cfg->name,
                         (int)e->pid, (int)s->pid);
                s->pid = e->pid;
                *pid_start = e->start;
        }
        return ended;
}

void statejournal_restore_done(struct svd *m)
{
        struct statejournal *j = m->journal;
        for (size_t i = 0; j && i < j->n; i++) /* (the state may name it still) */
                if (!j->e[i].done && !svd_find(m, j->e[i].name)) {
                        j->e[i].done = true;
                        if (alive(&j->e[i]))
                                kill_entry(&j->e[i], "the service is no longer configured");
                }
        if (j)
                kill_rest(j, "its state does not name the service");
}

void statejournal_close(struct svd *m, bool remove)
{
        struct statejournal *j = m->journal;
        if (!j)
                return;
        m->journal = NULL;
        for (size_t i = 0; i < j->n; i++)
                free(j->e[i].name);
        free(j->e);
        close(j->fd);
        free(j);
        _cleanup_(freep) char *path = remove ? path_of(m) : NULL;
        if (path)
                (void)unlink(path);
}
