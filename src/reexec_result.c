/* reexec_result: see reexec_result.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "reexec_result.h"

void reexec_result_init(struct reexec_result *x, bool restored)
{
        unsigned char b[16];
        memset(x, 0, sizeof(*x));
        if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
                /* no entropy yet (early boot): unique enough for one pid,
                 * which is all an id is compared within */
                usec_t t[2] = {now_mono(), now_real()};
                memset(b, 0, sizeof(b));
                memcpy(b, t, sizeof(t));
        }
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(x->instance + 2 * i, 3, "%02x", b[i]);
        if (restored) {
                x->last_ok = true;
                x->last_real = now_real();
        }
}

unsigned reexec_result_accept(struct reexec_result *x)
{
        return ++x->attempts;
}

void reexec_result_failed(struct reexec_result *x, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->last_error, sizeof(x->last_error), fmt, ap);
        va_end(ap);
        x->last_attempt = x->attempts;
        x->last_ok = false;
        x->last_real = now_real();
}

int reexec_result_json(const struct reexec_result *x, cJSON *reply)
{
        if (x->instance[0] && !cJSON_AddStringToObject(reply, "instance", x->instance))
                return -ENOMEM;
        if (!x->last_real)
                return 0;
        cJSON *o = cJSON_AddObjectToObject(reply, "reexec");
        if (!o || !cJSON_AddNumberToObject(o, "attempt", x->last_attempt) ||
            !cJSON_AddBoolToObject(o, "ok", x->last_ok) ||
            !cJSON_AddNumberToObject(o, "time_usec", (double)x->last_real) ||
            (!x->last_ok && !cJSON_AddStringToObject(o, "error", x->last_error)))
                return -ENOMEM;
        return 0;
}
