/* logfmt: the service log format (see logfmt.h). Shared by svd and svctl, so
 * it lives in the common library and stays free of I/O. Timestamps are formed
 * by hand with a one-second cache because svd stamps every line it writes:
 * strftime per line would cost more than the write itself. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logfmt.h"

static const char *const stream_names[_LOGFMT_STREAM_MAX] = {
        [LOGFMT_OUT] = "out",
        [LOGFMT_ERR] = "err",
        [LOGFMT_SVD] = "svd",
};

const char *logfmt_stream_name(enum logfmt_stream s) {
        return (unsigned)s < _LOGFMT_STREAM_MAX ? stream_names[s] : "?";
}

const char *logfmt_split_mark(enum logfmt_split s) {
        return s == LOGFMT_CONT ? "+" : s == LOGFMT_PARTIAL ? "~" : "";
}

const char *logfmt_split_json(enum logfmt_split s) {
        return s == LOGFMT_CONT ? "cont" : s == LOGFMT_PARTIAL ? "partial" : NULL;
}

int logfmt_stream_from_name(const char *s, size_t len) {
        for (int i = 0; i < _LOGFMT_STREAM_MAX; i++)
                if (len == 3 && memcmp(s, stream_names[i], 3) == 0)
                        return i;
        return -EINVAL;
}

static void put_digits(char *p, unsigned v, int n) {
        while (n--) {
                p[n] = (char)('0' + v % 10);
                v /= 10;
        }
}

void logfmt_utc(int64_t sec, struct tm *tm) {
        /* Days since 1970-01-01 to a proleptic Gregorian date, counted in
         * 400-year eras that start on 0000-03-01 (so the leap day ends a
         * year): the civil-from-days method H. Hinnant describes. */
        int64_t days = sec / 86400, rem = sec % 86400;
        if (rem < 0) {
                rem += 86400;
                days--;
        }
        memset(tm, 0, sizeof(*tm));
        tm->tm_hour = (int)(rem / 3600);
        tm->tm_min = (int)(rem / 60 % 60);
        tm->tm_sec = (int)(rem % 60);
        tm->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
        days += 719468; /* from 0000-03-01 */
        int64_t era = (days >= 0 ? days : days - 146096) / 146097;
        int64_t doe = days - era * 146097;                                  /* [0, 146096] */
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365], from March 1 */
        int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
        int64_t month = mp < 10 ? mp + 3 : mp - 9;                           /* [1, 12] */
        int64_t year = yoe + era * 400 + (month <= 2);
        tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
        tm->tm_mon = (int)month - 1;
        tm->tm_year = (int)(year - 1900);
        bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        tm->tm_yday = (int)(mp >= 10 ? doy - 306 : doy + 59 + leap);
}

char *logfmt_time(usec_t t, char *buf) {
        /* One cache entry: consecutive lines nearly always share the second. */
        static time_t cached_sec = (time_t)-1;
        static char cached[20];
        time_t sec = (time_t)(t / USEC_PER_SEC);
        if (sec != cached_sec) {
                struct tm tm;
                logfmt_utc(sec, &tm);
                put_digits(cached, (unsigned)tm.tm_year + 1900, 4);
                cached[4] = '-';
                put_digits(cached + 5, (unsigned)tm.tm_mon + 1, 2);
                cached[7] = '-';
                put_digits(cached + 8, (unsigned)tm.tm_mday, 2);
                cached[10] = 'T';
                put_digits(cached + 11, (unsigned)tm.tm_hour, 2);
                cached[13] = ':';
                put_digits(cached + 14, (unsigned)tm.tm_min, 2);
                cached[16] = ':';
                put_digits(cached + 17, (unsigned)tm.tm_sec, 2);
                cached[19] = '.';
                cached_sec = sec;
        }
        memcpy(buf, cached, 20);
        put_digits(buf + 20, (unsigned)(t % USEC_PER_SEC), 6);
        buf[26] = 'Z';
        buf[27] = 0;
        return buf;
}

static int get_digits(const char *p, int n, unsigned *ret) {
        unsigned v = 0;
        for (int i = 0; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(p[i] - '0');
        }
        *ret = v;
        return 0;
}

static int make_time(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, unsigned us,
                     usec_t *ret) {
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || us > 999999)
                return -EINVAL;
        struct tm tm = {.tm_year = (int)y - 1900, .tm_mon = (int)mo - 1, .tm_mday = (int)d,
                        .tm_hour = (int)h, .tm_min = (int)mi, .tm_sec = (int)s};
        time_t t = timegm(&tm);
        if (t < 0)
                return -EINVAL;
        *ret = (usec_t)t * USEC_PER_SEC + us;
        return 0;
}

int logfmt_parse_time(const char *s, size_t len, usec_t *ret) {
        unsigned y, mo, d, h, mi, sec, us;
        if (len < LOGFMT_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
            s[16] != ':' || s[19] != '.' || s[26] != 'Z')
                return -EINVAL;
        if (get_digits(s, 4, &y) < 0 || get_digits(s + 5, 2, &mo) < 0 || get_digits(s + 8, 2, &d) < 0 ||
            get_digits(s + 11, 2, &h) < 0 || get_digits(s + 14, 2, &mi) < 0 || get_digits(s + 17, 2, &sec) < 0 ||
            get_digits(s + 20, 6, &us) < 0)
                return -EINVAL;
        return make_time(y, mo, d, h, mi, sec, us, ret);
}

int logfmt_parse_since(const char *s, usec_t now, usec_t *ret) {
        if (!s || !*s)
                return -EINVAL;
        if (s[0] == '@') {
                char *end;
                errno = 0;
                double v = strtod(s + 1, &end);
                /* what a usec_t holds (NaN, infinity and past 2^64 us
                 * would be an undefined cast) */
                if (errno || *end || end == s + 1 || !(v >= 0 && v < 18446744073709.5))
                        return -EINVAL;
                *ret = (usec_t)(v * 1e6);
                return 0;
        }
        size_t n = strlen(s);
        if (n >= 10 && s[4] == '-' && s[7] == '-') {
                /* Fill what was left out from a template, then parse it whole. */
                char full[LOGFMT_TIME_LEN + 1] = "1970-01-01T00:00:00.000000Z";
                if (n > LOGFMT_TIME_LEN)
                        return -EINVAL;
                if (s[n - 1] == 'Z')
                        n--;
                memcpy(full, s, n);
                if (n > 10 && full[10] == ' ')
                        full[10] = 'T';
                /* the shortened forms must end where a field ends */
                if (n != 10 && n != 16 && n != 19 && !(n > 20 && n <= 26))
                        return -EINVAL;
                return logfmt_parse_time(full, LOGFMT_TIME_LEN, ret);
        }
        usec_t d;
        if (parse_duration(s, &d) < 0)
                return -EINVAL;
        *ret = d > now ? 0 : now - d;
        return 0;
}

int logfmt_next_line(const char *buf, size_t len, size_t max_line, bool flush, size_t *ret_len,
                     size_t *ret_consumed, enum logfmt_split *ret_split) {
        if (len == 0)
                return 0;
        size_t look = len < max_line + 1 ? len : max_line + 1;
        const char *nl = memchr(buf, '\n', look);
        if (nl && (size_t)(nl - buf) <= max_line) {
                *ret_len = (size_t)(nl - buf);
                *ret_consumed = *ret_len + 1;
                *ret_split = LOGFMT_WHOLE;
                return 1;
        }
        if (len > max_line) {
                *ret_len = max_line;
                *ret_consumed = max_line;
                *ret_split = LOGFMT_CONT;
                return 1;
        }
        if (!flush)
                return 0;
        *ret_len = len;
        *ret_consumed = len;
        *ret_split = LOGFMT_PARTIAL;
        return 1;
}

size_t logfmt_whole_lines(const char *buf, size_t len, size_t max_line) {
        /* The last newline within max_line + 1 bytes of a line's start ends a
         * run of lines none of which can be longer than max_line; the next
         * window starts after it. */
        size_t end = 0;
        while (end < len) {
                size_t w = len - end < max_line + 1 ? len - end : max_line + 1;
                const char *nl = memrchr(buf + end, '\n', w);
                if (!nl)
                        break;
                end = (size_t)(nl - buf) + 1;
        }
        return end;
}

int logfmt_parse_line(const char *line, size_t len, struct logfmt_rec *ret) {
        usec_t t;
        if (len < LOGFMT_TIME_LEN + 4 || line[LOGFMT_TIME_LEN] != ' ')
                return -EINVAL;
        if (logfmt_parse_time(line, LOGFMT_TIME_LEN, &t) < 0)
                return -EINVAL;
        const char *p = line + LOGFMT_TIME_LEN + 1;
        size_t left = len - LOGFMT_TIME_LEN - 1;
        int st = logfmt_stream_from_name(p, 3);
        if (st < 0)
                return -EINVAL;
        enum logfmt_split split = left > 3 && p[3] == '+' ? LOGFMT_CONT
                                  : left > 3 && p[3] == '~' ? LOGFMT_PARTIAL
                                                            : LOGFMT_WHOLE;
        size_t skip = split != LOGFMT_WHOLE ? 4 : 3;
        if (left > skip && p[skip] != ' ')
                return -EINVAL;
        if (left > skip)
                skip++;
        ret->time = t;
        ret->stream = (enum logfmt_stream)st;
        ret->split = split;
        ret->text = p + skip;
        ret->text_len = left - skip;
        return 0;
}

char *logfmt_rotated_name(const char *base, usec_t t, char *buf, size_t len) {
        char ts[LOGFMT_TIME_LEN + 1];
        logfmt_time(t, ts);
        /* 2026-11-22T00:30:43.123456Z -> 20261122T003043.123456Z */
        snprintf(buf, len, "%s.%.4s%.2s%.2sT%.2s%.2s%.2s.%.6sZ", base, ts, ts + 5, ts + 8, ts + 11, ts + 14,
                 ts + 17, ts + 20);
        return buf;
}

/* Whether the first nl bytes of name are BASE.STAMP followed by exactly suffix. */
static bool rotated_stamp(const char *base, const char *name, size_t nl, const char *suffix, usec_t *ret_time) {
        size_t bl = strlen(base), sl = strlen(suffix);
        if (nl != bl + 1 + LOGFMT_STAMP_LEN + sl || strncmp(name, base, bl) != 0 || name[bl] != '.' ||
            memcmp(name + nl - sl, suffix, sl) != 0)
                return false;
        const char *s = name + bl + 1;
        unsigned y, mo, d, h, mi, sec, us;
        if (s[8] != 'T' || s[15] != '.' || s[22] != 'Z' || get_digits(s, 4, &y) < 0 ||
            get_digits(s + 4, 2, &mo) < 0 || get_digits(s + 6, 2, &d) < 0 || get_digits(s + 9, 2, &h) < 0 ||
            get_digits(s + 11, 2, &mi) < 0 || get_digits(s + 13, 2, &sec) < 0 || get_digits(s + 16, 6, &us) < 0)
                return false;
        usec_t t;
        if (make_time(y, mo, d, h, mi, sec, us, &t) < 0)
                return false;
        if (ret_time)
                *ret_time = t;
        return true;
}

bool logfmt_rotated_match(const char *base, const char *name, usec_t *ret_time, bool *ret_gz) {
        size_t nl = strlen(name);
        bool gz = nl > 3 && strcmp(name + nl - 3, ".gz") == 0;
        if (!rotated_stamp(base, name, nl, gz ? ".gz" : "", ret_time))
                return false;
        if (ret_gz)
                *ret_gz = gz;
        return true;
}

bool logfmt_rotated_tmp_match(const char *base, const char *name) {
        return rotated_stamp(base, name, strlen(name), ".gz.tmp", NULL);
}

size_t logfmt_rotated_base_len(const char *name) {
        size_t nl = strlen(name), sl = 0;
        if (nl > 7 && strcmp(name + nl - 7, ".gz.tmp") == 0)
                sl = 7;
        else if (nl > 3 && strcmp(name + nl - 3, ".gz") == 0)
                sl = 3;
        if (nl < sl + 1 + LOGFMT_STAMP_LEN + 1)
                return 0;
        size_t bl = nl - sl - 1 - LOGFMT_STAMP_LEN;
        return name[bl] == '.' ? bl : 0;
}

size_t logfmt_retention(struct logfmt_file *files, size_t n, unsigned max_files, uint64_t max_total,
                        uint64_t current_size) {
        size_t marked = 0, keep_from = n > max_files ? n - max_files : 0;
        uint64_t total = current_size;
        for (size_t i = 0; i < n; i++)
                if (!files[i].del)
                        total += files[i].size;
        for (size_t i = 0; i < n; i++) {
                if (files[i].del)
                        continue;
                bool over = max_total && total > max_total;
                if (i < keep_from || over) {
                        files[i].del = true;
                        total -= files[i].size;
                        marked++;
                }
        }
        return marked;
}

size_t logfmt_retention_global(struct logfmt_file *files, size_t n, uint64_t limit, uint64_t current_total) {
        uint64_t total = current_total;
        for (size_t i = 0; i < n; i++)
                if (!files[i].del)
                        total += files[i].size;
        size_t marked = 0;
        while (limit && total > limit) {
                size_t oldest = n;
                for (size_t i = 0; i < n; i++)
                        if (!files[i].del && (oldest == n || files[i].time < files[oldest].time))
                                oldest = i;
                if (oldest == n)
                        break;
                files[oldest].del = true;
                total -= files[oldest].size;
                marked++;
        }
        return marked;
}
