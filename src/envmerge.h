/* envmerge: adding many NAME=value strings to an environment (a strv) at
 * once, a later one replacing an earlier one of the same NAME. Used for a
 * service's environment: at config load (config_parse.c) and for its
 * environment: and env_file at each start and exec probe (svc_env.c). */
#ifndef SVD_ENVMERGE_H
#define SVD_ENVMERGE_H

#include <stddef.h>

/* Adds the n strings of add (each "NAME=value"; one without '=' is all
 * NAME) to *env (NULL: empty): each NAME keeps the place where it first
 * came, in *env or in add, with the value it was given last, as setting
 * them one by one would. O(N log N) in the number of variables, not a
 * scan of *env per string: 100,000 variables take milliseconds. A value
 * replaced is wiped before it is freed (it may be a secret). 0, or
 * -ENOMEM with *env as it was; add is only read. */
int env_merge(char ***env, char *const *add, size_t n);

#endif
