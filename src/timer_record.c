/* timer_record: each scheduled job's record of its runs (see timer.h): the
 * persistent stamp file (last run, result, duration; written at the start
 * and the end of every run, read at init), the run's life followed through
 * svc.c's set_state hook rather than by the firing, so manual runs (svctl
 * run/start) are recorded the same way, and the status fields. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "profile.h"
#include "sched.h"
#include "secrets.h"
#include "svd.h"
#include "timer.h"
#include "timer_int.h"

int timer_stamp_parse(const char *buf, usec_t *ret_last, char *result, size_t result_len, usec_t *ret_duration)
{
        const char *p = buf;
        usec_t sec = 0, frac = 0, scale = USEC_PER_SEC, dur = 0;

        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (sec > (UINT64_MAX / USEC_PER_SEC) / 10)
                        return -EINVAL;
                sec = sec * 10 + (usec_t)(*p - '0');
        }
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (usec_t)(*p - '0') * scale;
                        }
        while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
        if (*p && *p != '\n')
                return -EINVAL;
        if (*p == '\n')
                p++;
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (result && result_len) {
                if (len >= result_len)
                        len = result_len - 1;
                memcpy(result, p, len);
                result[len] = 0;
        }
        if (nl) {
                char *end;
                unsigned long long d = strtoull(nl + 1, &end, 10);
                if (end != nl + 1)
                        dur = d;
        }
        *ret_last = sec * USEC_PER_SEC + frac;
        if (ret_duration)
                *ret_duration = dur;
        return 0;
}

/* Written at the start and the end of every run: write a temporary file,
 * fsync, rename over the old one, so a crash leaves the old or the new;
 * then fsync the directory, or a power cut could bring the old stamp back
 * and a persistent job would run again. */
static void stamp_write(struct timer_job *j)
{
        char tmp[PATH_MAX];
        int fd;

        if (!j->stamp_path || snprintf(tmp, sizeof(tmp), "%s.tmp", j->stamp_path) >= (int)sizeof(tmp))
                return;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
                log_warn("%s: cannot write %s: %s", j->m->svcs[j->index]->cfg->name, tmp, strerror(errno));
                return;
        }
        int n = dprintf(fd, "%llu.%06llu\n%s\n%llu\n", (unsigned long long)(j->last_run / USEC_PER_SEC),
                        (unsigned long long)(j->last_run % USEC_PER_SEC), j->last_result,
                        (unsigned long long)j->last_duration);
        bool ok = n > 0 && fsync(fd) == 0;
        close(fd);
        if (!ok || rename(tmp, j->stamp_path) < 0) {
                log_warn("%s: cannot write %s: %s", j->m->svcs[j->index]->cfg->name, j->stamp_path, strerror(errno));
                unlink(tmp);
                return;
        }
        char *slash = strrchr(tmp, '/');
        if (!slash)
                return;
        *(slash == tmp ? slash + 1 : slash) = 0; /* tmp is its directory now */
        int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                log_warn("%s: cannot sync %s to disk: %s", j->m->svcs[j->index]->cfg->name, tmp, strerror(errno));
        if (dfd >= 0)
                close(dfd);
}

void timer_stamp_load(struct timer_job *j)
{
        char buf[512];
        int fd = open(j->stamp_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n;

        if (fd < 0)
                return;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return;
        buf[n] = 0;
        usec_t last, dur;
        if (timer_stamp_parse(buf, &last, j->last_result, sizeof(j->last_result), &dur) < 0) {
                log_warn("%s: ignoring %s: not a timestamp", j->m->svcs[j->index]->cfg->name, j->stamp_path);
                j->last_result[0] = 0;
                return;
        }
        j->last_run = last;
        j->last_duration = dur;
        j->has_duration = j->last_result[0] != 0;
        if (strcmp(j->last_result, "running") == 0)
                snprintf(j->last_result, sizeof(j->last_result), "interrupted (svd stopped during the run)");
}

/* A run of j begins now: from rest, or from its restart delay by svctl run
 * (j->anew). */
static void run_begins(struct timer_job *j, struct svc *s)
{
        usec_t now = now_real();

        timer_limit_disarm(j);
        j->running = true;
        j->spawned = false;
        j->stamp_ahead = false;
        j->limit_hit = false;
        j->limit_waiting = false;
        j->begin_mono = now_mono();
        j->last_run = now;
        j->runs++;
        snprintf(j->last_result, sizeof(j->last_result), "running");
        j->has_duration = false;
        j->last_duration = 0;
        stamp_write(j);
        /* a run by hand restarts an interval schedule from now */
        if (!s->m->timers->by_timer && sched_of(j)->every && j->next_at && s->cfg->enabled)
                timer_arm_at(j, timer_due_after(sched_of(j), now));
        timer_limit_arm(j); /* (from now: a wait for dependencies counts) */
}

void timer_svc_state(struct svc *s, enum svc_state prev, enum svc_state next)
{
        struct timer_job *j = job_of(s);
        bool was = svc_state_active(prev), is = svc_state_active(next);

        if (!j)
                return;
        if ((!was && is) || (j->anew && prev == ST_BACKOFF && is && next != ST_BACKOFF))
                run_begins(j, s);
        if (next == ST_STARTING && !j->spawned) {
                j->spawned = true;
                j->spawn_mono = now_mono();
        }
        if (was && !is) {
                j->running = false;
                timer_limit_disarm(j);
                j->last_duration = j->spawned ? now_mono() - j->spawn_mono : 0;
                j->has_duration = true;
                if (next == ST_EXITED)
                        snprintf(j->last_result, sizeof(j->last_result), "success");
                else if (j->limit_hit) { /* (also a restart delay it ended: stopped) */
                        char why[128];
                        snprintf(j->last_result, sizeof(j->last_result), "failed: %s",
                                 timer_limit_reason(j, why, sizeof(why)));
                } else if (next == ST_FAILED)
                        snprintf(j->last_result, sizeof(j->last_result), "failed: %s", s->reason[0] ? s->reason : "?");
                else
                        snprintf(j->last_result, sizeof(j->last_result), "stopped%s%s", s->reason[0] ? ": " : "",
                                 s->reason);
                stamp_write(j);
        }
}

void timer_add_json(cJSON *o, const struct svc *s)
{
        const struct schedule_config *sc = &s->cfg->schedule;
        struct timer_job *j = job_of(s);
        char buf[300], db[32];

        if (!j)
                return;
        if (sc->every)
                snprintf(buf, sizeof(buf), "every %s", format_duration(sc->every, db, sizeof(db)));
        else
                snprintf(buf, sizeof(buf), "cron %s (UTC)", sc->cron_text);
        cJSON_AddStringToObject(o, "schedule", buf);
        cJSON_AddBoolToObject(o, "persistent", sc->persistent);
        if (sc->timeout)
                cJSON_AddNumberToObject(o, "timeout_usec", (double)sc->timeout);
        else
                cJSON_AddNullToObject(o, "timeout_usec");
        if (j->last_run)
                cJSON_AddNumberToObject(o, "last_run", (double)j->last_run / 1e6);
        else
                cJSON_AddNullToObject(o, "last_run");
        if (j->last_result[0])
                cJSON_AddStringToObject(o, "last_result", j->last_result);
        else
                cJSON_AddNullToObject(o, "last_result");
        if (j->has_duration)
                cJSON_AddNumberToObject(o, "last_duration_usec", (double)j->last_duration);
        else
                cJSON_AddNullToObject(o, "last_duration_usec");
        /* A run due while the operator holds the job, or a dependency,
         * stopped is skipped (timer.c): it has no next run until svctl
         * start, and the status names what holds it. svd's own hold for a
         * changed secret ends by itself: that next run stands. */
        const struct svc *held = NULL;
        struct svc *dep = NULL;
        /* One that cannot run here (its program, or a dependency's, not
         * installed, a dependency outside the selected profiles) skips
         * every due run: no next run, but why; starting nothing helps. */
        char why[SVC_REASON_MAX];
        bool blocked = profile_blocked_why(s, why, sizeof(why));
        if (!blocked && s->held && !secrets_restart_holds(s->m, s))
                held = s;
        else if (!blocked && !s->held && sched_held_dependency(s->m, s, &dep) > 0 &&
                 !secrets_restart_holds(s->m, dep))
                held = dep;
        if (j->next_at && !held && !blocked)
                cJSON_AddNumberToObject(o, "next_run", (double)j->next_at / 1e6);
        else
                cJSON_AddNullToObject(o, "next_run");
        if (held)
                cJSON_AddStringToObject(o, "next_run_held_by", held->cfg->name);
        if (blocked) /* (also one outside the selected profiles, never armed) */
                cJSON_AddStringToObject(o, "next_run_blocked", why);
        cJSON_AddNumberToObject(o, "runs", j->runs);
        cJSON_AddNumberToObject(o, "skipped", j->skipped);
}
