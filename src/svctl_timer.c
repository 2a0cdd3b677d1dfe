/* svctl_timer: the scheduled-job lines of `svctl status NAME` (schedule, last
 * run with its result and duration, next run, skipped runs), from the fields
 * svd's timer.c adds to a scheduled service's status. Times are UTC. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "svctl_output.h"

static const char *utc(double sec, char *buf, size_t len)
{
        /* bounded: the cast of a time_t cannot hold is undefined */
        time_t t = sec >= 0 && sec < 1e11 ? (time_t)sec : -1;
        struct tm tm;

        if (t < 0 || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
                snprintf(buf, len, "?");
        return buf;
}

void svctl_print_timer_details(FILE *f, const cJSON *s)
{
        const cJSON *sch = cJSON_GetObjectItemCaseSensitive(s, "schedule");
        const cJSON *last = cJSON_GetObjectItemCaseSensitive(s, "last_run");
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(s, "last_result");
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(s, "last_duration_usec");
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(s, "next_run");
        const cJSON *skipped = cJSON_GetObjectItemCaseSensitive(s, "skipped");
        const cJSON *pers = cJSON_GetObjectItemCaseSensitive(s, "persistent");
        char tb[64], db[32], line[400], when[300];

        if (!cJSON_IsString(sch))
                return;
        svctl_safe_copy(when, sizeof(when), sch->valuestring); /* svd's text: not trusted onto a terminal */
        const cJSON *limit = cJSON_GetObjectItemCaseSensitive(s, "timeout_usec");
        snprintf(line, sizeof(line), "%s%s", when, cJSON_IsTrue(pers) ? ", persistent" : "");
        if (cJSON_IsNumber(limit) && limit->valuedouble >= 1 && limit->valuedouble < 1e15) {
                size_t off = strlen(line);
                snprintf(line + off, sizeof(line) - off, ", time limit %s",
                         svctl_format_age((uint64_t)limit->valuedouble, db, sizeof(db)));
        }
        fprintf(f, "  %-13s %s\n", "schedule:", line);
        if (cJSON_IsNumber(last)) {
                snprintf(line, sizeof(line), "%s", utc(last->valuedouble, tb, sizeof(tb)));
                if (cJSON_IsString(res)) {
                        char safe[200];
                        svctl_safe_copy(safe, sizeof(safe), res->valuestring);
                        size_t off = strlen(line);
                        /* (a duration no run has, negative or over ~31 years, is left out) */
                        if (cJSON_IsNumber(dur) && dur->valuedouble >= 0 && dur->valuedouble < 1e15)
                                snprintf(line + off, sizeof(line) - off, " (%s, took %s)", safe,
                                         svctl_format_age((uint64_t)dur->valuedouble, db, sizeof(db)));
                        else
                                snprintf(line + off, sizeof(line) - off, " (%s)", safe);
                }
                fprintf(f, "  %-13s %s\n", "last run:", line);
        } else
                fprintf(f, "  %-13s %s\n", "last run:", "never");
        const cJSON *held = cJSON_GetObjectItemCaseSensitive(s, "next_run_held_by");
        const cJSON *blocked = cJSON_GetObjectItemCaseSensitive(s, "next_run_blocked");
        if (cJSON_IsString(blocked) && !cJSON_IsNumber(next)) {
                char why[300];
                svctl_safe_copy(why, sizeof(why), blocked->valuestring);
                snprintf(line, sizeof(line), "none: cannot run here: %s", why);
                fprintf(f, "  %-13s %s\n", "next run:", line);
        } else if (cJSON_IsString(held) && !cJSON_IsNumber(next)) {
                char name[128];
                svctl_safe_copy(name, sizeof(name), held->valuestring);
                snprintf(line, sizeof(line), "none while %s is stopped (svctl start %s)", name, name);
                fprintf(f, "  %-13s %s\n", "next run:", line);
        } else
                fprintf(f, "  %-13s %s\n", "next run:",
                        cJSON_IsNumber(next) ? utc(next->valuedouble, tb, sizeof(tb)) : "not scheduled");
        if (cJSON_IsNumber(skipped) && skipped->valuedouble > 0)
                fprintf(f,
                        "  %-13s %.0f (a run was still active, or the job or a dependency was held stopped "
                        "or cannot run here)\n",
                        "skipped:", skipped->valuedouble);
}
