/* svctl_reload: see svctl_reload.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svctl_output.h"
#include "svctl_reload.h"

static double count_of(const cJSON *count, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(count, key);
        return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* --json: the reply as it came */
static int print_raw(FILE *f, const cJSON *reply)
{
        char *s = cJSON_PrintUnformatted(reply);
        if (!s)
                return -ENOMEM;
        fprintf(f, "%s\n", s);
        free(s);
        return ferror(f) ? -EIO : 0;
}

/* svd as PID 1 in its emergency state: the configuration loads now, and
 * svd starts again (see svd(8)). */
static int print_emergency_reload(FILE *f, const cJSON *reply, bool json)
{
        if (json)
                return print_raw(f, reply);
        double n = count_of(reply, "services"), c = count_of(reply, "carried");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "dry_run")))
                fprintf(f, "dry run: the configuration loads (%g service%s); svctl reload leaves the emergency "
                        "state\n", n, n == 1 ? "" : "s");
        else if (c > 0)
                fprintf(f, "the configuration loads (%g service%s): svd leaves its emergency state and starts "
                        "again, taking over the %g service%s still running\n",
                        n, n == 1 ? "" : "s", c, c == 1 ? "" : "s");
        else
                fprintf(f, "the configuration loads (%g service%s): svd leaves its emergency state and starts "
                        "again\n", n, n == 1 ? "" : "s");
        return ferror(f) ? -EIO : 0;
}

/* One line of the plan: ACTION [WHAT ]NAME[ (WHY)]; -EBADMSG if malformed. */
static int print_change(FILE *f, const cJSON *c, const char *what)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(c, "action");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(c, "why");
        if (!cJSON_IsString(name) || !cJSON_IsString(action))
                return -EBADMSG;
        /* (a kept service is named only with what changed live) */
        if (strcmp(action->valuestring, "keep") == 0 && !cJSON_IsString(why))
                return 0;
        /* svd's text, not trusted onto a terminal */
        char a[32], n[160], w[512];
        svctl_safe_copy(a, sizeof(a), action->valuestring);
        svctl_safe_copy(n, sizeof(n), name->valuestring);
        svctl_safe_copy(w, sizeof(w), cJSON_IsString(why) ? why->valuestring : "");
        fprintf(f, "%-7s %s%s%s%s%s%s\n", a, what ? what : "", what ? " " : "", n, cJSON_IsString(why) ? " (" : "", w,
                cJSON_IsString(why) ? ")" : "");
        return 0;
}

int svctl_print_reload(FILE *f, const cJSON *reply, bool json)
{
        const cJSON *changes = cJSON_GetObjectItemCaseSensitive(reply, "changes");
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(reply, "count");
        const cJSON *c;

        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "emergency")))
                return print_emergency_reload(f, reply, json);
        if (!cJSON_IsArray(changes) || !cJSON_IsObject(count))
                return -EBADMSG;
        if (json)
                return print_raw(f, reply);
        bool dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "dry_run"));
        cJSON_ArrayForEach(c, changes)
                if (print_change(f, c, NULL) < 0)
                        return -EBADMSG;
        /* (an older svd sends neither) */
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(reply, "settings"))
                if (print_change(f, c, "setting") < 0)
                        return -EBADMSG;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(reply, "slices"))
                if (print_change(f, c, "slice") < 0)
                        return -EBADMSG;
        fprintf(f, "%s%g to add, %g to remove, %g changed, %g unchanged\n", dry ? "dry run: " : "",
                count_of(count, "add"), count_of(count, "remove"), count_of(count, "change"),
                count_of(count, "keep"));
        return ferror(f) ? -EIO : 0;
}

static void print_lines(FILE *f, const cJSON *reply, const char *key, const char *lead)
{
        const cJSON *e;

        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(reply, key)) {
                char *t = cJSON_IsString(e) ? svctl_error_dup(e->valuestring) : NULL;
                if (t)
                        fprintf(f, "%s%s\n", lead, t);
                free(t);
        }
}

void svctl_print_error_lines(FILE *f, const cJSON *reply)
{
        print_lines(f, reply, "errors", "");
        svctl_print_warning_lines(f, reply);
}

void svctl_print_warning_lines(FILE *f, const cJSON *reply)
{
        print_lines(f, reply, "warnings", "svctl: svd: ");
}
