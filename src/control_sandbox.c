/* control_sandbox: handlers for OP_AUDIT and OP_SHOW (see control_sandbox.h);
 * the JSON itself comes from sandbox_report.c. */
#include "control_sandbox.h"
#include "proto.h"
#include "sandbox_report.h"
#include "svd.h"

cJSON *control_op_audit(struct svd *m)
{
        cJSON *r = proto_reply_ok();
        cJSON *arr = r ? cJSON_AddArrayToObject(r, "services") : NULL;

        if (!arr) {
                cJSON_Delete(r);
                return proto_reply_error(PROTO_E_FAILED, "out of memory");
        }
        for (size_t i = 0; i < m->n_svcs; i++)
                cJSON_AddItemToArray(arr, sandbox_report_audit(m->svcs[i]->cfg));
        return r;
}

cJSON *control_op_show(struct svd *m, const cJSON *req)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");

        if (!name)
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': missing");
        if (!cJSON_IsString(name) || !name->valuestring[0])
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': expected a service name");
        struct svc *s = svd_find(m, name->valuestring);
        if (!s)
                return proto_reply_error(PROTO_E_NOT_FOUND, "unknown service '%s'", name->valuestring);
        cJSON *r = proto_reply_ok();
        cJSON *sb = sandbox_report_show(s->cfg);
        if (!r || !sb) {
                cJSON_Delete(r);
                cJSON_Delete(sb);
                return proto_reply_error(PROTO_E_FAILED, "out of memory");
        }
        cJSON_AddItemToObject(r, "sandbox", sb);
        return r;
}
