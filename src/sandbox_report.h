/* sandbox_report: a service's effective confinement as JSON, for the control
 * operations `show` (everything, as applied) and `audit` (one exposure
 * summary per service with a score from 0, confined, to 10, nothing
 * confined). Derived from the config only: what svd applies is exactly what
 * the config says, or the service does not start. */
#ifndef SVD_SANDBOX_REPORT_H
#define SVD_SANDBOX_REPORT_H

#include <cjson/cJSON.h>

struct svc_config;

cJSON *sandbox_report_show(const struct svc_config *c);
cJSON *sandbox_report_audit(const struct svc_config *c);
/* "good" (score <= 2), "medium" (<= 5), "exposed" (<= 7.5) or "unsafe". */
const char *sandbox_rating(double score);

#endif
