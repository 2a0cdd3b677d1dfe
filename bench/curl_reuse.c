/* bench/curl_reuse.c - peer for bench/probes.sh: the cheapest way libcurl can
 * make an HTTP check, as a floor for what svd + svd-probe spend per probe.
 *
 *   curl_reuse URL N [BURST GAP_MS]
 *
 * One easy handle, set up once and reused for N sequential GETs of URL
 * (curl_easy_perform; the connection stays open between them, as it does in
 * svd-probe). Prints "<CPU microseconds per request> <new connections>": the
 * process's CPU time (CLOCK_PROCESS_CPUTIME_ID: user + system, all threads;
 * with CURLOPT_NOSIGNAL, a numeric host and a reused connection libcurl
 * starts no resolver thread, so this is the one thread's CPU) over the N
 * requests, after one warm-up request that opens the connection. No multi
 * interface, no event loop, no second process: a lower bound, not a design
 * svd could use (a blocking loop checks one service at a time).
 *
 * Without BURST the N requests run back to back: a hot loop, every cache and
 * branch predictor warm, the same server thread answering each time. That is
 * the least a check can cost, but no prober works like that: svd-probe runs
 * its checks in bursts (the probes of one grid slot) separated by idle
 * gaps, and each burst starts cold, more so on a shared machine whose other
 * load evicts its caches in between. With BURST and GAP_MS the same loop
 * pauses GAP_MS after every BURST requests (sleeping is not CPU time): the
 * floor under svd-probe's duty cycle, e.g. 25 and 50 for 500 checks a second
 * on svd's 50 ms grid.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static size_t discard(char *p, size_t size, size_t n, void *u)
{
        (void)p;
        (void)u;
        return size * n;
}

static double cpu_us(void)
{
        struct timespec t;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
        if ((argc != 3 && argc != 5) || atoi(argv[2]) < 1 || (argc == 5 && (atoi(argv[3]) < 1 || atoi(argv[4]) < 0))) {
                fprintf(stderr, "usage: curl_reuse URL N [BURST GAP_MS]\n");
                return 2;
        }
        int n = atoi(argv[2]);
        int burst = argc == 5 ? atoi(argv[3]) : 0;
        useconds_t gap = argc == 5 ? (useconds_t)atoi(argv[4]) * 1000 : 0;
        long conns = 0, total = 0, code = 0;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        CURL *e = curl_easy_init();
        if (!e)
                return 1;
        curl_easy_setopt(e, CURLOPT_URL, argv[1]);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        if (curl_easy_perform(e) != CURLE_OK)
                return 1;
        double t0 = cpu_us();
        for (int i = 0; i < n; i++) {
                if (burst && i % burst == 0)
                        usleep(gap);
                if (curl_easy_perform(e) != CURLE_OK)
                        return 1;
                curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &conns);
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
                total += conns;
                if (code != 200)
                        return 1;
        }
        printf("%.2f %ld\n", (cpu_us() - t0) / n, total);
        curl_easy_cleanup(e);
        curl_global_cleanup();
        return 0;
}
