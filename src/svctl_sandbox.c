/* svctl_sandbox: rendering of audit and show (see svctl_sandbox.h). Replies
 * are not trusted: strings are printed with control bytes replaced and a
 * missing field prints "-". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svctl_output.h"
#include "svctl_sandbox.h"
#include "util.h"

static int print_json(FILE *f, const cJSON *o)
{
        char *s = cJSON_PrintUnformatted(o);

        if (!s)
                return -ENOMEM;
        fprintf(f, "%s\n", s);
        free(s);
        return 0;
}

/* buf[0..len) made safe for a terminal in place (svctl_safe_copy). */
static void make_safe(char *buf, size_t len)
{
        char *t = strdup(buf);

        if (t)
                svctl_safe_copy(buf, len, t);
        else
                buf[0] = 0; /* nothing unchecked goes out */
        free(t);
}

/* A cell: strings as is (made safe: control characters as \xHH), numbers
 * (a whole one to the unit: a limit of 4M is 4194304, not %g's 4.1943e+06),
 * booleans as yes/no, arrays joined with ','. */
static void cell(const cJSON *v, char *buf, size_t len)
{
        size_t n = 0;

        buf[0] = 0;
        if (cJSON_IsString(v))
                snprintf(buf, len, "%s", v->valuestring);
        else if (cJSON_IsNumber(v))
                /* (range first: the cast of what does not fit is undefined) */
                snprintf(buf, len,
                         v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0 &&
                                         v->valuedouble == (double)(unsigned long long)v->valuedouble
                                 ? "%.0f"
                                 : "%g",
                         v->valuedouble);
        else if (cJSON_IsBool(v))
                snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "yes" : "no");
        else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
                const cJSON *i;
                cJSON_ArrayForEach(i, v)
                {
                        char sub[128];
                        if (cJSON_IsObject(v)) {
                                const cJSON *so = cJSON_GetObjectItemCaseSensitive(i, "soft");
                                const cJSON *ha = cJSON_GetObjectItemCaseSensitive(i, "hard");
                                char a[48], b[48];
                                cell(so, a, sizeof a);
                                cell(ha, b, sizeof b);
                                snprintf(sub, sizeof sub, "%s=%s:%s", i->string ? i->string : "?", a, b);
                        } else
                                cell(i, sub, sizeof sub);
                        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "", sub);
                        if (n >= len)
                                break;
                }
        }
        if (!buf[0])
                snprintf(buf, len, "-");
        make_safe(buf, len);
}

/* A count from the reply as text: "?" for one missing, negative, past a
 * billion or not whole (a cast of such a double to int is undefined). */
static const char *count_text(char *buf, size_t len, const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (d >= 0 && d <= 1e9 && d == (double)(long long)d)
                snprintf(buf, len, "%lld", (long long)d);
        else
                snprintf(buf, len, "?");
        return buf;
}

/* "overall: 4.1 medium (mean of 18 services; worst: logger 6.8; 2 good,
 * 10 medium, 6 exposed, 0 unsafe)". Nothing from an svd that sends none. */
static void print_overall(FILE *f, const cJSON *ov)
{
        const cJSON *rc = cJSON_GetObjectItemCaseSensitive(ov, "ratings");
        const char *worst = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ov, "worst"));
        char w[160] = "", rating[64], n[5][16];

        if (!cJSON_IsObject(ov) || !cJSON_IsObject(rc))
                return;
        if (worst)
                snprintf(w, sizeof w, "; worst: %s %.1f", worst,
                         cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ov, "worst_score")));
        make_safe(w, sizeof w);
        snprintf(rating, sizeof rating, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ov, "rating")) ?: "?");
        make_safe(rating, sizeof rating);
        fprintf(f, "overall: %.1f %s (mean of %s services%s; %s good, %s medium, %s exposed, %s unsafe)\n",
                cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(ov, "score")), rating,
                count_text(n[0], sizeof n[0], ov, "services"), w, count_text(n[1], sizeof n[1], rc, "good"),
                count_text(n[2], sizeof n[2], rc, "medium"), count_text(n[3], sizeof n[3], rc, "exposed"),
                count_text(n[4], sizeof n[4], rc, "unsafe"));
}

int svctl_print_audit(FILE *f, const cJSON *reply, bool json)
{
        static const char *const cols[] = { "name", "user",  "capabilities", "seccomp", "no_new_privileges",
                                            "fs",   "score", "rating" };
        static const char *const titles[] = { "NAME", "USER", "CAPS",  "SECCOMP",
                                              "NNP",  "FS",   "SCORE", "RATING" };
        enum { NC = 8 };
        const cJSON *svcs = cJSON_GetObjectItemCaseSensitive(reply, "services"), *s;
        size_t w[NC], n = 0;

        if (!cJSON_IsArray(svcs))
                return -EBADMSG;
        if (json) {
                cJSON *o = cJSON_CreateObject();
                if (!o)
                        return -ENOMEM;
                cJSON_AddItemReferenceToObject(o, "services", (cJSON *)svcs);
                const cJSON *ov = cJSON_GetObjectItemCaseSensitive(reply, "overall");
                if (ov)
                        cJSON_AddItemReferenceToObject(o, "overall", (cJSON *)ov);
                int r = print_json(f, o);
                cJSON_Delete(o);
                return r;
        }
        size_t rows = (size_t)cJSON_GetArraySize(svcs);
        char(*c)[NC][128] = calloc(rows + 1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        for (size_t k = 0; k < NC; k++) {
                snprintf(c[0][k], sizeof c[0][k], "%s", titles[k]);
                w[k] = strlen(titles[k]);
        }
        cJSON_ArrayForEach(s, svcs)
        {
                n++;
                for (size_t k = 0; k < NC; k++) {
                        cell(cJSON_GetObjectItemCaseSensitive(s, cols[k]), c[n][k], sizeof c[n][k]);
                        if (k == 1 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "root")) &&
                            strcmp(c[n][k], "root") != 0)
                                strncat(c[n][k], "(root)", sizeof c[n][k] - strlen(c[n][k]) - 1);
                        if (strlen(c[n][k]) > w[k])
                                w[k] = strlen(c[n][k]);
                }
        }
        for (size_t i = 0; i <= n; i++)
                for (size_t k = 0; k < NC; k++)
                        if (k + 1 < NC)
                                fprintf(f, "%-*s  ", (int)w[k], c[i][k]);
                        else
                                fprintf(f, "%s\n", c[i][k]);
        free(c);
        print_overall(f, cJSON_GetObjectItemCaseSensitive(reply, "overall"));
        return 0;
}

int svctl_print_show(FILE *f, const cJSON *reply, bool json)
{
        const cJSON *sb = cJSON_GetObjectItemCaseSensitive(reply, "sandbox"), *i;
        char buf[1024];

        if (!cJSON_IsObject(sb))
                return -EBADMSG;
        if (json)
                return print_json(f, sb);
        cJSON_ArrayForEach(i, sb)
        {
                if (cJSON_IsObject(i) && strcmp(i->string, "seccomp") == 0) {
                        const cJSON *j;
                        cJSON_ArrayForEach(j, i)
                        {
                                cell(j, buf, sizeof buf);
                                fprintf(f, "seccomp.%s: %s\n", j->string, buf);
                        }
                        continue;
                }
                cell(i, buf, sizeof buf);
                fprintf(f, "%s: %s\n", i->string ? i->string : "?", buf);
        }
        return 0;
}
