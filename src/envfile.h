/* envfile: reading a service's env_file and checking its ${secret:NAME}
 * references against the secrets the service declares. Used when a service
 * starts (svc_env.c) and, when the file can be read then, at config load
 * (config_secrets.c), so a reference to a secret the service does not
 * declare is refused instead of reaching the service as literal text. */
#ifndef SVD_ENVFILE_H
#define SVD_ENVFILE_H

#include <stddef.h>

#include "config.h"

/* An env_file larger than this is refused: it is read whole, as root, at
 * every start, and nothing sensible needs more. */
#define ENVFILE_MAX (2u << 20)

/* The env_file's bytes (NUL-terminated) into *ret, *ret_len. Reached
 * through safedir (the file may be in a directory the service's user can
 * write: a link planted there is not followed, else root would read a file
 * that user cannot, into that user's environment); only a regular file, of
 * at most ENVFILE_MAX bytes. -errno with why set ("env_file: PATH: ..."). Every
 * copy of the bytes made while reading is wiped before it is freed. */
int envfile_load(const char *path, char **ret, size_t *ret_len, char *why, size_t wl);

/* Wipes the len bytes of an envfile_load buffer (its values may be
 * passwords), then frees it. buf may be NULL. Every caller frees with it. */
void envfile_free(char *buf, size_t len);

/* 0 when every ${secret:NAME} on a line of buf (blank and # comment lines
 * skipped) names a secret c declares; else -EINVAL with why set to
 * "PATH:LINE: ..." naming the reference (the first one at fault). */
int envfile_check_refs(const struct svc_config *c, const char *path, const char *buf, size_t len, char *why,
                       size_t wl);

#endif
