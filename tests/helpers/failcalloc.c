/* failcalloc: LD_PRELOADed into svd by tests/integration/reload_rollback.sh
 * to fail one allocation. While the file $FAILCALLOC_ARM exists, the first
 * calloc($FAILCALLOC_N, $FAILCALLOC_SIZE) removes it and fails with ENOMEM;
 * every other call goes to glibc's. Not for a sanitizer build (its
 * allocator is another). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_calloc(size_t nmemb, size_t size);

static char arm[1024];
static size_t want_n, want_size;

__attribute__((constructor)) static void init(void)
{
        const char *a = getenv("FAILCALLOC_ARM"), *n = getenv("FAILCALLOC_N"), *s = getenv("FAILCALLOC_SIZE");

        if (a && n && s) {
                snprintf(arm, sizeof(arm), "%s", a);
                want_n = strtoul(n, NULL, 10);
                want_size = strtoul(s, NULL, 10);
        }
}

void *calloc(size_t nmemb, size_t size)
{
        if (arm[0] && nmemb == want_n && size == want_size && unlink(arm) == 0) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_calloc(nmemb, size);
}
