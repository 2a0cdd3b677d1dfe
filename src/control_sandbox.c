/* control_sandbox: handlers for OP_AUDIT and OP_SHOW (see control_sandbox.h);
 * the JSON itself comes from sandbox_report.c. */
#include "control_sandbox.h"
#include "proto.h"
#include "sandbox_report.h"
#include "svd.h"

/* The whole stack at a glance: the mean score and its rating, the worst
 * confined service, and how many services have each rating. */
static void add_overall(cJSON *r, const cJSON *arr)
{
        static const char *const ratings[] = { "good", "medium", "exposed", "unsafe" };
        cJSON *o = cJSON_AddObjectToObject(r, "overall");
        cJSON *counts = o ? cJSON_AddObjectToObject(o, "ratings") : NULL;
        const cJSON *e, *worst = NULL;
        double sum = 0, worst_score = -1;
        int n = 0;

        if (!counts)
                return;
        for (size_t k = 0; k < sizeof ratings / sizeof *ratings; k++)
                cJSON_AddNumberToObject(counts, ratings[k], 0);
        cJSON_ArrayForEach(e, arr)
        {
                double sc = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "score"));
                cJSON *cnt = cJSON_GetObjectItemCaseSensitive(
                        counts, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "rating")));
                n++;
                sum += sc;
                if (cnt)
                        cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
                if (sc > worst_score) {
                        worst_score = sc;
                        worst = e;
                }
        }
        double mean = n ? (double)(int)(sum / n * 10 + 0.5) / 10 : 0;
        cJSON_AddNumberToObject(o, "services", n);
        cJSON_AddNumberToObject(o, "score", mean);
        cJSON_AddStringToObject(o, "rating", sandbox_rating(mean));
        if (worst) {
                cJSON_AddStringToObject(o, "worst",
                                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(worst, "name")));
                cJSON_AddNumberToObject(o, "worst_score", worst_score);
        }
}

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
        add_overall(r, arr);
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
