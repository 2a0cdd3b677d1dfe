/* config_digest: a fingerprint of what a configuration file says, so a reload
 * can tell which services changed. The digest covers the parsed node tree
 * (kinds, scalars and their quoting, key order), not the bytes: comments,
 * indentation and flow-vs-block style do not count as changes. */
#ifndef SVD_CONFIG_DIGEST_H
#define SVD_CONFIG_DIGEST_H

#include <stdint.h>

#include "config.h"
#include "config_yaml.h"

#define CONFIG_DIGEST_BYTES 32

/* A 256-bit non-cryptographic fingerprint (config_digest.c) of n's canonical
 * encoding, computed without any library; n may be NULL (an empty file or an
 * absent key). */
void config_digest_node(const struct ynode *n, uint8_t out[CONFIG_DIGEST_BYTES]);

/* The same of a service file's root without its top-level logging: and
 * resources: keys, whose settings a reload applies to the running service
 * (reload.c compares them apart): what decides a restart. (digest, the
 * whole tree, is what a re-exec compares.) */
void config_digest_restart(const struct ynode *root, uint8_t out[CONFIG_DIGEST_BYTES]);

/* Of what a loaded service may take from the main file's defaults: and
 * applies only when it starts (restart, backoff, start_limit, stop,
 * environment, working_dir, user, group): its effective values, so a
 * default it overrides does not count. logging: is left out: a reload
 * applies it to the running service (logpipe_reconfigure). root: its
 * file's tree (working_dir, user: set by the service itself, not taken).
 * Every key a future default adds that needs a restart belongs here. */
void config_digest_defaults(const struct svc_config *s, const struct ynode *root, uint8_t out[CONFIG_DIGEST_BYTES]);

/* Of a service's resources: by value, in the terms of
 * resources_config_equal (512M and 524288K alike, io_max and cpuset_cpus
 * as config_resources.c rewrote them): what a re-exec compares with the
 * state to tell whether a running leaf holds the file's limits. */
void config_digest_resources(const struct resources_config *r, uint8_t out[CONFIG_DIGEST_BYTES]);

/* d in lower-case hex, NUL-terminated (a state write must not need
 * libsodium). */
void config_digest_hex(const uint8_t d[CONFIG_DIGEST_BYTES], char out[2 * CONFIG_DIGEST_BYTES + 1]);

#endif
