/* fuzz_notify: libFuzzer target for notify_parse(), which reads datagrams any
 * process in a service sends to svd's notify socket. The input is the
 * datagram as received (not NUL-terminated; notify.c's buffer holds at most
 * NOTIFY_MAX_MSG bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > NOTIFY_MAX_MSG)
                size = NOTIFY_MAX_MSG;
        struct notify_msg msg;
        memset(&msg, 0xa5, sizeof(msg));
        struct notify_msg before = msg;
        int r = notify_parse((const char *)data, size, &msg);
        if (r < 0) {
                if (memcmp(&msg, &before, sizeof(msg)) != 0)
                        abort(); /* untouched on failure */
                return 0;
        }
        if (!memchr(msg.status, 0, sizeof(msg.status)))
                abort(); /* STATUS= is always terminated */
        if (!msg.has_status && msg.status[0])
                abort();
        if (utf8_bad(msg.status, strlen(msg.status), 0) != strlen(msg.status))
                abort(); /* valid UTF-8 without control characters */
        if (msg.mainpid < 0)
                abort();
        return 0;
}
