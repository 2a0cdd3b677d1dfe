/* cron: 5-field cron expressions (minute hour day-of-month month day-of-week),
 * evaluated in UTC. Pure: no clock, no I/O, so the unit tests drive it with any
 * "now" they like. Syntax per field: `*`, numbers, lists `a,b`, ranges `a-b`,
 * steps `*`/s, `a-b/s` and `a/s` (a to the field's maximum); month and weekday
 * names (jan, mon); day-of-week 0-7 with both 0 and 7 Sunday; the macros
 * @hourly @daily @midnight @weekly @monthly @yearly @annually (not @reboot:
 * not a time); white space around the expression or between fields is any
 * space, newlines too (a YAML block scalar). As in Vixie cron,
 * when both day fields are restricted a day matches if EITHER matches; when a
 * day field starts with `*` a day must match BOTH, each field with its own
 * values (day-of-month `*`/2 is the odd days, not every day). */
#ifndef SVD_CRON_H
#define SVD_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cron_spec {
        uint64_t minute;   /* bit n: minute n (0-59) */
        uint32_t hour;     /* bit n: hour n (0-23) */
        uint32_t dom;      /* bit n: day n (1-31) */
        uint16_t month;    /* bit n: month n (1-12) */
        uint8_t dow;       /* bit n: weekday n (0-6, 0 = Sunday) */
        bool dom_star, dow_star;
};

/* Parses text into *out. On failure returns -EINVAL and writes one line
 * naming the field into err; *out is untouched. */
int cron_parse(const char *text, struct cron_spec *out, char *err, size_t errlen);

/* The first matching minute strictly after `after` (epoch seconds, UTC), or
 * -1 when nothing ever matches (e.g. "0 0 30 2 *"): nothing within one
 * 400-year Gregorian cycle. */
time_t cron_next(const struct cron_spec *c, time_t after);

/* The shortest and the longest time between two consecutive matches of c,
 * in seconds, for a spec that matches at all (cron_next >= 0): exact up to
 * a day; a gap across a day without a match (more than a day) counts as
 * CRON_GAP_LONG. */
#define CRON_GAP_LONG ((time_t)2 * 86400)
void cron_gaps(const struct cron_spec *c, time_t *shortest, time_t *longest);

#endif
