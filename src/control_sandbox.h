/* control_sandbox: the read-only control operations about confinement:
 * `audit` (one exposure line per service) and `show` (one service's
 * effective sandbox). Anyone who may read status may ask. */
#ifndef SVD_CONTROL_SANDBOX_H
#define SVD_CONTROL_SANDBOX_H

#include <cjson/cJSON.h>

struct svd;

cJSON *control_op_audit(struct svd *m);
cJSON *control_op_show(struct svd *m, const cJSON *req);

#endif
