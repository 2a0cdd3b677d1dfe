/* svctl_sodium: libsodium for svctl, loaded by the one use it has: the
 * base64 of a secret value that is not UTF-8 text (secret_b64.h), in
 * `secret set` and `secret get`. Linked normally, every svctl command (a
 * `status` at boot, a health script) would fail to start where the library
 * is missing or broken; svd loads it on demand too (dl_sodium.h).
 * Include instead of sodium.h, before secret_b64.h: the two functions are
 * then called through the loaded table. */
#ifndef SVD_SVCTL_SODIUM_H
#define SVD_SVCTL_SODIUM_H

#include <stddef.h>

#include <sodium.h>

struct svctl_sodium_fns {
        __typeof__(sodium_bin2base64) *bin2base64;
        __typeof__(sodium_base642bin) *base642bin;
};
extern struct svctl_sodium_fns svctl_sodium;

/* Loads the library once (SODIUM_SONAME). 0, or -ENOENT with why set to the
 * loader's words; a later call tries again. */
int svctl_sodium_load(char *why, size_t wl);

#ifndef SVCTL_SODIUM_IMPL
#define sodium_bin2base64 (svctl_sodium.bin2base64)
#define sodium_base642bin (svctl_sodium.base642bin)
#endif

#endif
