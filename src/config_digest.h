/* config_digest: a fingerprint of what a configuration file says, so a reload
 * can tell which services changed. The digest covers the parsed node tree
 * (kinds, scalars and their quoting, key order), not the bytes: comments,
 * indentation and flow-vs-block style do not count as changes. */
#ifndef SVD_CONFIG_DIGEST_H
#define SVD_CONFIG_DIGEST_H

#include <stdint.h>

#include "config_yaml.h"

#define CONFIG_DIGEST_BYTES 32

/* BLAKE2b (libsodium's generichash) of n's canonical encoding; n may be NULL
 * (an empty file or an absent key). */
void config_digest_node(const struct ynode *n, uint8_t out[CONFIG_DIGEST_BYTES]);

#endif
