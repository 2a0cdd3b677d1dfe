/* control_secrets: svctl secret list/get/set/rotate and svctl unlock. list is
 * open to everyone and never carries a value; everything else needs root or
 * the admin group, and every request is logged with the peer's identity and
 * the secret's name (never its value). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_secrets.h"
#include "dl_sodium.h"
#include "secret_b64.h"
#include "log.h"
#include "secrets.h"
#include "secrets_prompt.h"
#include "svd.h"

/* The reply code of a failed get/set/rotate: 4 (svctl's "unknown secret",
 * exit 4) only for a name no secret has. secrets_get and secrets_change also
 * fail with -ENOENT for a file that is missing (a from_file, a JWT's signing
 * key's from_file, the store's directory): that is a failure, and their why
 * names the file. */
static enum proto_code failure_code(const struct svd *m, const char *name, int r)
{
        for (size_t i = 0; r == -ENOENT && i < m->cfg->n_secrets; i++)
                if (strcmp(m->cfg->secrets[i].name, name) == 0)
                        return PROTO_E_FAILED;
        return r == -ENOENT ? PROTO_E_NOT_FOUND : PROTO_E_FAILED;
}

static cJSON *op_list(struct svd *m)
{
        const struct svd_config *c = m->cfg;
        cJSON *r = proto_reply_ok();
        cJSON *arr = cJSON_AddArrayToObject(r, "secrets");
        struct secrets_rotation_info last;
        char kdf[1400];

        cJSON_AddStringToObject(r, "store", secrets_status_name(secrets_status(m)));
        if (secrets_status(m) == SECRETS_BROKEN)
                cJSON_AddStringToObject(r, "error", secrets_error(m));
        if (secrets_kdf_pending(m, kdf, sizeof kdf))
                cJSON_AddStringToObject(r, "kdf_pending", kdf);
        if (secrets_pending_job(m)) {
                cJSON_AddStringToObject(r, "rotating", secrets_pending_job(m));
                cJSON_AddStringToObject(r, "rotating_secret", secrets_pending_secret(m));
        }
        if (secrets_last_rotation(m, &last)) {
                cJSON *o = cJSON_AddObjectToObject(r, "last_rotation");

                cJSON_AddStringToObject(o, "secret", last.secret);
                cJSON_AddStringToObject(o, "job", last.job);
                cJSON_AddStringToObject(o, "result", last.result);
                if (*last.reason)
                        cJSON_AddStringToObject(o, "reason", last.reason);
                cJSON_AddNumberToObject(o, "time", (double)last.time);
        }
        for (size_t i = 0; i < c->n_secrets; i++) {
                const struct secret_config *d = &c->secrets[i];
                cJSON *o = cJSON_CreateObject(), *cons;
                uint64_t created = secrets_created(m, d->name);

                cJSON_AddStringToObject(o, "name", d->name);
                cJSON_AddStringToObject(o, "kind", secret_kind_name(d->kind));
                if (created)
                        cJSON_AddNumberToObject(o, "created", (double)created);
                else
                        cJSON_AddNullToObject(o, "created");
                if (d->kind == SECRET_JWT && d->jwt_secret)
                        cJSON_AddStringToObject(o, "signed_with", d->jwt_secret);
                if (d->on_rotate)
                        cJSON_AddStringToObject(o, "on_rotate", d->on_rotate);
                cons = cJSON_AddArrayToObject(o, "consumers");
                for (size_t j = 0; j < c->n_svcs; j++)
                        for (size_t k = 0; k < c->svcs[j].n_secrets; k++)
                                if (c->svcs[j].secrets[k].index == i) {
                                        cJSON_AddItemToArray(cons, cJSON_CreateString(c->svcs[j].name));
                                        break;
                                }
                cJSON_AddItemToArray(arr, o);
        }
        return r;
}

/* An unlock under way: whom to answer. */
struct unlock_wait {
        struct control_defer *defer;
        uid_t uid;
        pid_t pid;
};

static void unlock_done(struct svd *m, int r, const char *why, void *ctx)
{
        struct unlock_wait *w = ctx;

        if (r >= 0) /* the console prompt, unless this is it, has nothing left to ask */
                secrets_prompt_unlocked(m, w->pid);
        log_info("control: unlock from uid %u pid %d: %s", (unsigned)w->uid, (int)w->pid, r < 0 ? why : "ok");
        control_defer_reply(w->defer, r < 0 ? proto_reply_error(PROTO_E_FAILED, "unlock: %s", why)
                                            : proto_reply_ok());
        free(w);
}

/* The key is derived off the loop (secrets_unlock_start): the reply is
 * deferred. The deferred request is a copy without the passphrase (the
 * one control.c holds is wiped when this returns; a copy would not be). */
static cJSON *op_unlock(struct svd *m, const cJSON *req, const struct control_peer *peer)
{
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(req, "passphrase");
        struct unlock_wait *w;
        cJSON *bare;
        char why[1024] = ""; /* (a refusal for memory names a cgroup path) */
        int r;

        if (!cJSON_IsString(p))
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'passphrase': expected a string");
        if (!(w = calloc(1, sizeof *w)))
                return proto_reply_error(PROTO_E_FAILED, "unlock: out of memory");
        w->uid = peer->uid;
        w->pid = peer->pid;
        /* its end comes from the loop, never from inside this call */
        r = secrets_unlock_start(m, p->valuestring, strlen(p->valuestring), unlock_done, w, why, sizeof why);
        if (r < 0) {
                log_info("control: unlock from uid %u pid %d: %s", (unsigned)w->uid, (int)w->pid, why);
                free(w);
                return proto_reply_error(PROTO_E_FAILED, "unlock: %s", why);
        }
        if ((bare = cJSON_CreateObject())) {
                cJSON_AddNumberToObject(bare, "v", PROTO_VERSION);
                cJSON_AddStringToObject(bare, "op", "unlock");
                w->defer = control_defer(m, bare, peer);
                cJSON_Delete(bare);
        }
        if (!w->defer) /* the unlock goes on (its end is logged), unanswered */
                return proto_reply_error(PROTO_E_FAILED,
                                         "unlock: under way, but its result cannot be sent (out of memory): "
                                         "see svd's log");
        return CONTROL_DEFERRED;
}

cJSON *control_op_secrets(struct svd *m, enum proto_op op, const cJSON *req, const struct control_peer *peer)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "name");
        const char *opn = proto_op_name(op);
        char why[300] = "";
        int r;

        if (op == OP_SECRET_LIST)
                return op_list(m);
        if (op != OP_UNLOCK && (!cJSON_IsString(name) || !name->valuestring[0]))
                return proto_reply_error(PROTO_E_BAD_REQUEST, "field 'name': expected a secret name");
        if (!peer->admin) {
                log_warn("control: refused %s%s%s from uid %u pid %d: not an administrator", opn,
                         op == OP_UNLOCK ? "" : " ", op == OP_UNLOCK ? "" : name->valuestring,
                         (unsigned)peer->uid, (int)peer->pid);
                return proto_reply_error(PROTO_E_DENIED,
                                         "permission denied: %s needs root or the admin group", opn);
        }
        if (op == OP_UNLOCK)
                return op_unlock(m, req, peer);
        if (op == OP_SECRET_GET) {
                struct secrets_buf v = { 0 };
                cJSON *rep;

                r = secrets_get(m, name->valuestring, &v, why, sizeof why);
                log_info("control: secret get %s from uid %u pid %d: %s", name->valuestring,
                         (unsigned)peer->uid, (int)peer->pid, r < 0 ? why : "ok");
                if (r < 0)
                        return proto_reply_error(failure_code(m, name->valuestring, r), "%s", why);
                rep = proto_reply_ok();
                cJSON_AddStringToObject(rep, "name", name->valuestring);
                if (proto_text_ok(v.p, v.len))
                        cJSON_AddStringToObject(rep, "value", (const char *)v.p);
                else { /* a C string would end at a NUL, and JSON text is UTF-8 */
                        char *b64 = secret_b64_encode(v.p, v.len);

                        if (!b64 || !cJSON_AddStringToObject(rep, "value_base64", b64)) {
                                cJSON_Delete(rep);
                                rep = proto_reply_error(PROTO_E_FAILED, "out of memory");
                        }
                        if (b64)
                                explicit_bzero(b64, strlen(b64));
                        free(b64);
                }
                secrets_buf_free(&v);
                return rep;
        }
        if (op == OP_SECRET_SET) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "value");
                const cJSON *b = cJSON_GetObjectItemCaseSensitive(req, "value_base64");
                unsigned char *bytes = NULL;
                size_t len = 0;

                if (cJSON_IsString(b) && !v) {
                        if ((r = secret_b64_decode(b->valuestring, &bytes, &len)) == -ENOMEM)
                                return proto_reply_error(PROTO_E_FAILED, "out of memory");
                        if (r < 0)
                                return proto_reply_error(PROTO_E_BAD_REQUEST,
                                                         "field 'value_base64': not base64 (standard "
                                                         "alphabet, padded)");
                        if (len > PROTO_SECRET_MAX)
                                r = errf(why, sizeof why,
                                         "field 'value_base64': %zu bytes, more than a secret value may "
                                         "have (%u)",
                                         len, PROTO_SECRET_MAX);
                        else
                                r = secrets_change(m, name->valuestring, bytes, len, why, sizeof why);
                        explicit_bzero(bytes, len);
                        free(bytes);
                } else if (cJSON_IsString(v) && !b) {
                        len = strlen(v->valuestring);
                        if (len > PROTO_SECRET_MAX)
                                r = errf(why, sizeof why,
                                         "field 'value': %zu bytes, more than a secret value may have (%u)",
                                         len, PROTO_SECRET_MAX);
                        else
                                r = secrets_change(m, name->valuestring, v->valuestring, len, why,
                                                   sizeof why);
                } else
                        return proto_reply_error(PROTO_E_BAD_REQUEST,
                                                 "field 'value' or 'value_base64' (one of them): "
                                                 "expected a string");
        } else
                r = secrets_change(m, name->valuestring, NULL, 0, why, sizeof why);
        log_info("control: %s %s from uid %u pid %d: %s", opn, name->valuestring, (unsigned)peer->uid,
                 (int)peer->pid, r < 0 ? why : "ok");
        if (r < 0)
                return proto_reply_error(failure_code(m, name->valuestring, r), "%s", why);
        cJSON *rep = proto_reply_ok();
        cJSON_AddStringToObject(rep, "name", name->valuestring);
        if (secrets_pending_job(m))
                cJSON_AddStringToObject(rep, "on_rotate", secrets_pending_job(m));
        return rep;
}
