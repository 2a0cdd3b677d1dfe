/* failcalloc: LD_PRELOADed into svd by tests/integration/reload_rollback.sh
 * (and reload_sched_oom.sh) to fail one allocation. While the file
 * $FAILCALLOC_ARM exists, the first calloc($FAILCALLOC_N, $FAILCALLOC_SIZE)
 * (after $FAILCALLOC_SKIP such calls, if set, that go through) removes it
 * and fails with ENOMEM; every other call goes to glibc's. Not for a
 * sanitizer build (its allocator is another). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_calloc(size_t nmemb, size_t size);

static char arm[1024];
static size_t want_n, want_size, skip;

__attribute__((constructor)) static void init(void)
{
        const char *a = getenv("FAILCALLOC_ARM"), *n = getenv("FAILCALLOC_N"), *s = getenv("FAILCALLOC_SIZE");
        const char *k = getenv("FAILCALLOC_SKIP");

        if (a && n && s) {
                snprintf(arm, sizeof(arm), "%s", a);
                want_n = strtoul(n, NULL, 10);
                want_size = strtoul(s, NULL, 10);
                skip = k ? strtoul(k, NULL, 10) : 0;
        }
}

void *calloc(size_t nmemb, size_t size)
{
        if (arm[0] && nmemb == want_n && size == want_size && access(arm, F_OK) == 0 && skip) {
                skip--;
                return __libc_calloc(nmemb, size);
        }
        if (arm[0] && nmemb == want_n && size == want_size && unlink(arm) == 0) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_calloc(nmemb, size);
}
