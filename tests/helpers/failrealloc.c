/* failrealloc: LD_PRELOADed into svctl by tests/integration/svctl_metrics_oom.sh
 * to run it out of memory where a reply is printed as JSON (cJSON grows its
 * output with realloc; receiving and parsing a reply use malloc). A realloc
 * to $FAILREALLOC_MIN bytes or more fails with ENOMEM; every other call,
 * and every call without the variable, goes to glibc's. Not for a sanitizer
 * build (its allocator is another). */
#include <errno.h>
#include <stdlib.h>

extern void *__libc_realloc(void *p, size_t size);

static size_t min_size;

__attribute__((constructor)) static void init(void)
{
        const char *m = getenv("FAILREALLOC_MIN");

        min_size = m ? strtoul(m, NULL, 10) : 0;
}

void *realloc(void *p, size_t size)
{
        if (min_size && size >= min_size) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_realloc(p, size);
}
