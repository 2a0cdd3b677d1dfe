/* config_yaml: turns one YAML file into a small owned tree of nodes (mapping,
 * sequence, scalar), each with its 1-based line and column, so the rest of the
 * config code never sees libyaml. This is the only module that includes <yaml.h>.
 * Anchors, aliases, tags (!!str) and multi-document streams are refused: a
 * service file should read the same to a human as to svd. */
#ifndef SVD_CONFIG_YAML_H
#define SVD_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum ynode_kind { YNODE_SCALAR, YNODE_MAPPING, YNODE_SEQUENCE };

struct ynode {
        enum ynode_kind kind;
        int line, col;         /* 1-based, of the node's first character (of its key,
                                * for an empty mapping value: "key:") */
        char *value;           /* YNODE_SCALAR: the text (never NULL) */
        bool plain;            /* YNODE_SCALAR: unquoted (so "~", "null", "" mean null) */
        struct ynode **items;  /* SEQUENCE: n items; MAPPING: n keys and n values */
        struct ynode **values; /* MAPPING only: values[i] belongs to items[i] */
        size_t n;
};

/* Largest config file read, deepest nesting and longest list or mapping
 * accepted. */
#define CONFIG_YAML_MAX_BYTES (1024 * 1024)
#define CONFIG_YAML_MAX_DEPTH 32
#define CONFIG_YAML_MAX_ITEMS 4096

/* Loads path into *ret (NULL for an empty file). Errors go to errs as
 * "PATH:LINE:COL: yaml: problem" with PATH as given. A syntax error returns
 * -EINVAL and no tree. A duplicate mapping key is reported as
 * "PATH:LINE:COL: KEY.PATH: duplicate key 'k' (first on line N)" at the second
 * key; the later pair is dropped and the tree is still returned with 0, so the
 * caller can go on collecting errors (config_load fails on any error anyway).
 * A list or mapping of more than CONFIG_YAML_MAX_ITEMS entries is refused
 * like a syntax error, as "PATH:LINE:COL: KEY.PATH: more than N entries" at
 * the first entry too many.
 * A string holding a NUL ("\0") is refused as "PATH:LINE:COL: KEY.PATH: NUL
 * character in string", at the value. */
int config_yaml_load(const char *path, struct ynode **ret, struct cfg_errors *errs);
/* The same for name relative to the directory dirfd (AT_FDCWD: the working
 * directory); path names the file in errors. A directory of service files
 * opened once spares the walk of its whole path per file (a round trip per
 * component on a network file system). */
int config_yaml_load_at(int dirfd, const char *name, const char *path, struct ynode **ret,
                        struct cfg_errors *errs);
/* The same from fd, open for reading (and left open). */
int config_yaml_load_fd(int fd, const char *path, struct ynode **ret, struct cfg_errors *errs);

void ynode_free(struct ynode *n);
static inline void ynode_freep(struct ynode **n)
{
        ynode_free(*n);
}

/* The value under key in a mapping, or NULL. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* A plain scalar spelling null ("", "~", "null"). */
bool ynode_is_null(const struct ynode *n);

#endif
