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

int svctl_print_reload(FILE *f, const cJSON *reply, bool json)
{
        const cJSON *changes = cJSON_GetObjectItemCaseSensitive(reply, "changes");
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(reply, "count");
        const cJSON *c;

        if (!cJSON_IsArray(changes) || !cJSON_IsObject(count))
                return -EBADMSG;
        if (json) {
                char *s = cJSON_PrintUnformatted(reply);
                if (!s)
                        return -ENOMEM;
                fprintf(f, "%s\n", s);
                free(s);
                return 0;
        }
        bool dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "dry_run"));
        cJSON_ArrayForEach(c, changes) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
                const cJSON *action = cJSON_GetObjectItemCaseSensitive(c, "action");
                const cJSON *why = cJSON_GetObjectItemCaseSensitive(c, "why");
                if (!cJSON_IsString(name) || !cJSON_IsString(action))
                        return -EBADMSG;
                if (strcmp(action->valuestring, "keep") == 0)
                        continue;
                fprintf(f, "%-7s %s%s%s%s\n", action->valuestring, name->valuestring,
                        cJSON_IsString(why) ? " (" : "", cJSON_IsString(why) ? why->valuestring : "",
                        cJSON_IsString(why) ? ")" : "");
        }
        fprintf(f, "%s%g to add, %g to remove, %g changed, %g unchanged\n", dry ? "dry run: " : "",
                count_of(count, "add"), count_of(count, "remove"), count_of(count, "change"),
                count_of(count, "keep"));
        return ferror(f) ? -EIO : 0;
}

void svctl_print_error_lines(FILE *f, const cJSON *reply)
{
        const cJSON *errors = cJSON_GetObjectItemCaseSensitive(reply, "errors");
        const cJSON *e;

        cJSON_ArrayForEach(e, errors) {
                char *t = cJSON_IsString(e) ? svctl_error_dup(e->valuestring) : NULL;
                if (t)
                        fprintf(f, "%s\n", t);
                free(t);
        }
}
