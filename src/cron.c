/* cron: parsing and next-match computation for 5-field cron expressions (see
 * cron.h). Matching walks forward from the next minute, skipping whole months,
 * days and hours that cannot match, so the worst case (a Feb 29 on a given
 * weekday, 40 years away; or a never-matching "31 4" checked over 400 years)
 * is some ten thousand steps. Time is UTC and epoch-based: no DST, and a
 * day is always 86400 seconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cron.h"

struct field {
        const char *name;
        unsigned lo, hi;
        const char *const *names; /* names[i] is value lo+i (NULL: numbers only) */
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct field fields[5] = {
        { "minute", 0, 59, NULL },
        { "hour", 0, 23, NULL },
        { "day-of-month", 1, 31, NULL },
        { "month", 1, 12, month_names },
        { "day-of-week", 0, 7, dow_names }, /* 7 = Sunday too */
};

static int parse_value(const struct field *f, const char **p, unsigned *out)
{
        const char *s = *p;

        if (f->names)
                for (unsigned i = 0; f->names[i]; i++)
                        if (strncasecmp(s, f->names[i], 3) == 0) {
                                *out = f->lo + i;
                                *p = s + 3;
                                return 0;
                        }
        if (*s < '0' || *s > '9')
                return -EINVAL;
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (v < f->lo || v > f->hi)
                return -ERANGE;
        *out = (unsigned)v;
        *p = end;
        return 0;
}

/* One comma-separated field into a bit mask. */
static int parse_field(const struct field *f, const char *text, uint64_t *mask, bool *star, char *err, size_t errlen)
{
        const char *p = text;

        *mask = 0;
        *star = text[0] == '*';
        for (;;) {
                unsigned a, b, step = 1;
                int r = 0;

                if (*p == '*') {
                        a = f->lo;
                        b = f->hi;
                        p++;
                } else {
                        if ((r = parse_value(f, &p, &a)) < 0)
                                goto bad;
                        b = a;
                        if (*p == '-') {
                                p++;
                                if ((r = parse_value(f, &p, &b)) < 0)
                                        goto bad;
                                if (b < a) {
                                        snprintf(err, errlen, "%s: range '%s' goes backwards", f->name, text);
                                        return -EINVAL;
                                }
                        } else if (*p == '/')
                                b = f->hi; /* "a/s": from a to the end */
                }
                if (*p == '/') {
                        char *end;
                        unsigned long s;
                        p++;
                        if (*p < '0' || *p > '9' || (s = strtoul(p, &end, 10)) < 1 || s > f->hi) {
                                snprintf(err, errlen, "%s: bad step in '%s'", f->name, text);
                                return -EINVAL;
                        }
                        step = (unsigned)s;
                        p = end;
                }
                for (unsigned v = a; v <= b; v += step)
                        *mask |= 1ull << v;
                if (*p == ',') {
                        p++;
                        continue;
                }
                if (*p == 0)
                        return 0;
                r = -EINVAL;
        bad:
                if (r == -ERANGE)
                        snprintf(err, errlen, "%s: value out of range %u-%u in '%s'", f->name, f->lo, f->hi, text);
                else
                        snprintf(err, errlen, "%s: cannot parse '%s'", f->name, text);
                return -EINVAL;
        }
}

int cron_parse(const char *text, struct cron_spec *out, char *err, size_t errlen)
{
        static const struct {
                const char *name, *expr;
        } macros[] = {
                { "@hourly", "0 * * * *" },  { "@daily", "0 0 * * *" },   { "@midnight", "0 0 * * *" },
                { "@weekly", "0 0 * * 0" },  { "@monthly", "0 0 1 * *" }, { "@yearly", "0 0 1 1 *" },
                { "@annually", "0 0 1 1 *" },
        };
        /* any white space separates, and around the expression is none of
         * it: a YAML block scalar ends in a newline */
        static const char space[] = " \t\n\r\v\f";
        char buf[256], *tok[6], *save = NULL;
        struct cron_spec c = { 0 };
        size_t n = 0, len;

        text += strspn(text, space);
        for (len = strlen(text); len && strchr(space, text[len - 1]); len--)
                ;
        if (text[0] == '@') {
                const char *expr = NULL;
                for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
                        if (strlen(macros[i].name) == len && strncmp(text, macros[i].name, len) == 0)
                                expr = macros[i].expr;
                if (!expr && len == 7 && strncmp(text, "@reboot", len) == 0) {
                        snprintf(err, errlen,
                                 "@reboot is not a schedule: a oneshot without schedule: runs at boot");
                        return -EINVAL;
                }
                if (!expr) {
                        snprintf(err, errlen,
                                 "unknown macro '%.*s' (@hourly, @daily, @midnight, @weekly, @monthly, "
                                 "@yearly, @annually)",
                                 (int)(len < 64 ? len : 64), text);
                        return -EINVAL;
                }
                text = expr;
                len = strlen(expr);
        }
        if (len >= sizeof(buf)) {
                snprintf(err, errlen, "expression too long");
                return -EINVAL;
        }
        memcpy(buf, text, len);
        buf[len] = 0;
        for (char *t = strtok_r(buf, space, &save); t; t = strtok_r(NULL, space, &save)) {
                if (n == 5) {
                        n++;
                        break;
                }
                tok[n++] = t;
        }
        if (n != 5) {
                snprintf(err, errlen, "expected 5 fields (minute hour day-of-month month day-of-week), got %s",
                         n > 5 ? "more" : n == 0 ? "none" : "fewer");
                return -EINVAL;
        }
        uint64_t m[5];
        bool star[5];
        for (size_t i = 0; i < 5; i++)
                if (parse_field(&fields[i], tok[i], &m[i], &star[i], err, errlen) < 0)
                        return -EINVAL;
        c.minute = m[0];
        c.hour = (uint32_t)m[1];
        c.dom = (uint32_t)m[2];
        c.month = (uint16_t)m[3];
        c.dow = (uint8_t)((m[4] | (m[4] >> 7)) & 0x7f); /* 7 is Sunday */
        c.dom_star = star[2];
        c.dow_star = star[4];
        *out = c;
        return 0;
}

static bool day_matches(const struct cron_spec *c, const struct tm *tm)
{
        bool dom = c->dom >> tm->tm_mday & 1, dow = c->dow >> tm->tm_wday & 1;

        /* a field starting with '*' keeps its own values (a step after
         * the star is every other day, not every day): it only turns the
         * OR into an AND */
        if (c->dom_star || c->dow_star)
                return dom && dow;
        return dom || dow;
}

time_t cron_next(const struct cron_spec *c, time_t after)
{
        if (after < -1)
                after = -1;
        time_t t = after - after % 60 + 60; /* the next whole minute */
        if (after < 0)
                t = 0;
        /* the Gregorian calendar repeats every 400 years: what does not
         * match in one cycle never does (Feb 29 on a given weekday can be
         * 40 years away, Feb 1 on one 11) */
        const time_t limit = t + (time_t)146097 * 86400;
        struct tm tm;

        while (t <= limit) {
                if (!gmtime_r(&t, &tm))
                        return -1;
                if (!(c->month >> (tm.tm_mon + 1) & 1)) {
                        tm.tm_mon++;
                        tm.tm_mday = 1;
                        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
                        t = timegm(&tm); /* normalizes December + 1 */
                        continue;
                }
                if (!day_matches(c, &tm)) {
                        t = t - t % 86400 + 86400;
                        continue;
                }
                if (!(c->hour >> tm.tm_hour & 1)) {
                        t = t - t % 3600 + 3600;
                        continue;
                }
                if (!(c->minute >> tm.tm_min & 1)) {
                        t += 60;
                        continue;
                }
                return t;
        }
        return -1;
}

/* The minutes of a day are the same on every matching day: the gaps within
 * one come from hour x minute alone; those between two come from the first
 * and the last minute and from how far apart matching days are. Consecutive
 * days cross every (month, day, weekday, leap year or not) there is within
 * 28 years (from 1970, no century year in between): one scan of those days
 * says whether two matching days are ever next to each other, and whether a
 * day is ever left out. */
void cron_gaps(const struct cron_spec *c, time_t *shortest, time_t *longest)
{
        time_t first = -1, last = -1, lo = CRON_GAP_LONG, hi = 0;
        bool adjacent = false, skipped = false;
        long prev = -1;

        for (time_t m = 0; m < 1440; m++) {
                if (!(c->hour >> (m / 60) & 1) || !(c->minute >> (m % 60) & 1))
                        continue;
                if (last >= 0) {
                        time_t g = (m - last) * 60;
                        lo = g < lo ? g : lo;
                        hi = g > hi ? g : hi;
                }
                if (first < 0)
                        first = m;
                last = m;
        }
        for (long d = 0; d < 28L * 366 + 2 && !(adjacent && skipped); d++) {
                time_t t = (time_t)d * 86400;
                struct tm tm;
                if (!gmtime_r(&t, &tm))
                        break;
                if (!(c->month >> (tm.tm_mon + 1) & 1) || !day_matches(c, &tm)) {
                        if (prev >= 0)
                                skipped = true;
                        continue;
                }
                if (prev >= 0 && d == prev + 1)
                        adjacent = true;
                prev = d;
        }
        if (first >= 0) {
                time_t across = 86400 - (last - first) * 60; /* last of a day to first of the next */
                if (adjacent) {
                        lo = across < lo ? across : lo;
                        hi = across > hi ? across : hi;
                }
                if (skipped)
                        hi = CRON_GAP_LONG;
        }
        *shortest = lo;
        *longest = hi;
}
