/* reexec_result: what became of svd's last daemon-reexec, for `svctl
 * daemon-reexec` to tell the operator. The pid stays the same across
 * execve, so each image of svd draws an instance id of its own at start:
 * an id that changed after an accepted request is a re-exec that
 * happened. The image a re-exec failed in (execve refused, the state not
 * written, a shutdown that won) keeps the attempt's number, time and
 * error; the version and status replies carry both ("instance",
 * "reexec"). */
#ifndef SVD_REEXEC_RESULT_H
#define SVD_REEXEC_RESULT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "util.h"

struct svd;

#define REEXEC_ERROR_MAX 512

struct reexec_result {
        char instance[33];      /* hex; "" until reexec_result_init */
        unsigned attempts;      /* re-execs this image accepted */
        unsigned last_attempt;  /* the attempt last, 0: none in this image */
        bool last_ok;           /* (true in an image a re-exec started) */
        usec_t last_real;       /* when; 0: none */
        char last_error[REEXEC_ERROR_MAX];
};

/* At start: a new instance id; restored: this image is a re-exec's
 * (recorded as a success, now). */
void reexec_result_init(struct reexec_result *x, bool restored);
/* The request passed its checks: the number of this attempt. */
unsigned reexec_result_accept(struct reexec_result *x);
/* The attempt did not end in the exec: why (printf-style). */
void reexec_result_failed(struct reexec_result *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds "instance" and "reexec" ({"attempt","ok","time_usec","error"},
 * only after a re-exec or an attempt) to reply. -ENOMEM or 0. */
int reexec_result_json(const struct reexec_result *x, cJSON *reply);

#endif
