/* control_secrets: the secret_* and unlock operations (proto.h ops 30-34). */
#ifndef SVD_CONTROL_SECRETS_H
#define SVD_CONTROL_SECRETS_H

#include <cjson/cJSON.h>

#include "control.h"
#include "proto.h"

struct svd;

/* Handles OP_SECRET_LIST/GET/SET/ROTATE and OP_UNLOCK. */
cJSON *control_op_secrets(struct svd *m, enum proto_op op, const cJSON *req,
                          const struct control_peer *peer);

#endif
