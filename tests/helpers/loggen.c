/* loggen: a fast, restartable log producer for the log tests and bench.
 *   loggen STATE TOTAL [CRASH_AT,...] [PAD] [RATE]
 * writes numbered lines "out 00000042 <pad>" / "err 00000043 <pad>" (runs of
 * seven lines alternate between stdout and stderr) from the number saved in
 * STATE up to TOTAL. At each CRASH_AT it flushes, saves its position and
 * exits 3 without further ado, as a crash would, so the test can check that
 * what was in the pipe survives the restart. Output goes out in 4 KiB writes;
 * at the end it saves TOTAL and exits 0. With TOTAL 0 and PAD it writes
 * forever (bench). RATE > 0: that many lines per second, one write each
 * (the bench's fan-in). STATE "-" keeps no state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[2][4096];
static size_t len[2];

static void flush(int i) {
        size_t off = 0;
        while (off < len[i]) {
                ssize_t n = write(i + 1, buf[i] + off, len[i] - off);
                if (n <= 0)
                        exit(1);
                off += (size_t)n;
        }
        len[i] = 0;
}

static void save(const char *state, unsigned long v) {
        if (strcmp(state, "-") == 0)
                return;
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", state);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%lu\n", v) < 0 || fclose(f) != 0 || rename(tmp, state) != 0)
                exit(1);
}

int main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "usage: loggen STATE TOTAL [CRASH_AT,...] [PAD]\n");
                return 2;
        }
        const char *state = argv[1];
        unsigned long total = strtoul(argv[2], NULL, 10), next = 0;
        unsigned long crash[16];
        size_t n_crash = 0;
        if (argc > 3 && argv[3][0] != '-')
                for (char *p = argv[3]; *p && n_crash < 16;) {
                        crash[n_crash++] = strtoul(p, &p, 10);
                        if (*p == ',')
                                p++;
                        else
                                break;
                }
        const char *pad = argc > 4 ? argv[4] : "";
        long rate = argc > 5 ? strtol(argv[5], NULL, 10) : 0;
        struct timespec tick = {0, rate > 0 ? 1000000000L / rate : 0};
        size_t padlen = strlen(pad);
        FILE *f = strcmp(state, "-") ? fopen(state, "r") : NULL;
        if (f) {
                if (fscanf(f, "%lu", &next) != 1)
                        next = 0;
                fclose(f);
        }
        for (unsigned long i = next; total == 0 || i < total; i++) {
                for (size_t c = 0; c < n_crash; c++)
                        if (crash[c] == i && i != next) {
                                flush(0);
                                flush(1);
                                save(state, i);
                                _exit(3);
                        }
                int s = (int)((i / 7) % 2);
                if (len[s] + 32 + padlen > sizeof(buf[s]))
                        flush(s);
                char *p = buf[s] + len[s];
                memcpy(p, s ? "err " : "out ", 4);
                unsigned long v = i;
                for (int d = 11; d >= 4; d--) {
                        p[d] = (char)('0' + v % 10);
                        v /= 10;
                }
                p += 12;
                if (padlen) {
                        *p++ = ' ';
                        memcpy(p, pad, padlen);
                        p += padlen;
                }
                *p++ = '\n';
                len[s] = (size_t)(p - buf[s]);
                if (rate > 0) {
                        flush(s);
                        nanosleep(&tick, NULL);
                }
        }
        flush(0);
        flush(1);
        save(state, total);
        return 0;
}
