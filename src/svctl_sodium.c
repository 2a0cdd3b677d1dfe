/* svctl_sodium: see svctl_sodium.h. The library stays loaded until svctl
 * exits: svctl lives for one command. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#define SVCTL_SODIUM_IMPL
#include "svctl_sodium.h"

struct svctl_sodium_fns svctl_sodium;

int svctl_sodium_load(char *why, size_t wl)
{
        if (svctl_sodium.bin2base64 && svctl_sodium.base642bin)
                return 0;
        void *h = dlopen(SODIUM_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *e = dlerror();
                snprintf(why, wl, "cannot load %s: %s", SODIUM_SONAME, e ? e : "unknown error");
                return -ENOENT;
        }
        void *enc = dlsym(h, "sodium_bin2base64"), *dec = dlsym(h, "sodium_base642bin");
        if (!enc || !dec) {
                const char *e = dlerror();
                snprintf(why, wl, "%s has no symbol %s%s%s", SODIUM_SONAME,
                         enc ? "sodium_base642bin" : "sodium_bin2base64", e ? ": " : "", e ? e : "");
                dlclose(h);
                return -ENOENT;
        }
        svctl_sodium.bin2base64 = (__typeof__(svctl_sodium.bin2base64))enc;
        svctl_sodium.base642bin = (__typeof__(svctl_sodium.base642bin))dec;
        return 0;
}
