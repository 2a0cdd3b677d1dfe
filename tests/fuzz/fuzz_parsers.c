/* fuzz_parsers: libFuzzer target for util's strict value parsers (durations,
 * sizes, signals, unsigned and floating numbers), which read every such value
 * in a config file. The input is one NUL-terminated string. What parses must
 * survive its own formatter: format_size() is exact, format_duration() may
 * drop precision below the unit it prints (never more than a second), and a
 * named signal maps back to its number. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 256)
                return 0; /* values are short; longer adds nothing */
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;

        char buf[64];
        usec_t u = 12345;
        if (parse_duration(s, &u) >= 0) {
                usec_t again = 0;
                if (u == USEC_INFINITY)
                        abort();
                format_duration(u, buf, sizeof(buf));
                if (parse_duration(buf, &again) < 0 || again > u || u - again >= USEC_PER_SEC)
                        abort();
        } else if (u != 12345)
                abort();

        uint64_t bytes = 777;
        double pct = -1;
        if (parse_size(s, &bytes, &pct) >= 0) {
                if (pct >= 0) {
                        if (!(pct > 0 && pct <= 100))
                                abort();
                } else {
                        uint64_t again = 0;
                        format_size(bytes, buf, sizeof(buf));
                        if (parse_size(buf, &again, NULL) < 0 || again != bytes)
                                abort();
                }
        } else if (bytes != 777 || pct != -1)
                abort();
        bytes = 0;
        if (parse_size(s, &bytes, NULL) >= 0 && strchr(s, '%'))
                abort(); /* percentages refused without ret_percent */

        int sig = -1;
        if (parse_signal(s, &sig) >= 0) {
                if (sig < 1 || sig > 64)
                        abort();
                const char *name = signal_name(sig);
                int again = -1;
                if (name && (parse_signal(name, &again) < 0 || again != sig))
                        abort();
        } else if (sig != -1)
                abort();

        unsigned long long n = 0;
        if (parse_uint(s, 1000000, &n) >= 0 && n > 1000000)
                abort();
        double d;
        (void)parse_double(s, &d);
        free(s);
        return 0;
}
