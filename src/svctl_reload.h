/* svctl_reload: printing the reply to `svctl reload [--dry-run]`. */
#ifndef SVD_SVCTL_RELOAD_H
#define SVD_SVCTL_RELOAD_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* The plan, one line per service that is not kept, then a count line; with
 * json the reply as one line. -EBADMSG on a malformed reply. */
int svctl_print_reload(FILE *f, const cJSON *reply, bool json);
/* A refused request's "errors" lines (configuration errors), if any, and its warnings. */
void svctl_print_error_lines(FILE *f, const cJSON *reply);
/* Its "warnings" lines (configuration warnings), if any; the error lines
 * include them. */
void svctl_print_warning_lines(FILE *f, const cJSON *reply);

#endif
