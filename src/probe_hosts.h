/* probe_hosts: names svd-probe answers from /etc/hosts itself, so that a
 * check of a name listed there never waits for a lookup slot behind names
 * a silent DNS server holds up (glibc offers no files-only getaddrinfo).
 * The file is read once and kept, and read again when its inode, size or
 * mtime changes (one stat per lookup), and at every lookup while its mtime
 * is less than PROBE_HOSTS_RACY_SEC older than the last read (a same-size
 * edit within one timestamp tick keeps the mtime). Lines are "ADDRESS NAME [ALIAS...]",
 * '#' starting a comment; a name matches case-insensitively, and every
 * line naming it adds its address (IPv4 or IPv6), in file order, at most
 * PROBE_LOOKUP_ADDRS_MAX. A file that cannot be read or is larger than
 * PROBE_HOSTS_MAX_BYTES answers nothing: the resolver looks the name up. */
#ifndef SVD_PROBE_HOSTS_H
#define SVD_PROBE_HOSTS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "probe_lookup.h"

#define PROBE_HOSTS_PATH "/etc/hosts"
#define PROBE_HOSTS_MAX_BYTES (4u << 20)
/* seconds: more than the mtime granularity of the file systems /etc is on */
#define PROBE_HOSTS_RACY_SEC 2

struct probe_hosts {
        const char *path; /* PROBE_HOSTS_PATH, or a test's */
        char *text;       /* the file's content, NUL-terminated; NULL: none */
        struct stat st;   /* of the file text was read from */
        bool racy;        /* text may be older than a same-mtime write */
};

/* True with *ret filled when path lists host. */
bool probe_hosts_find(struct probe_hosts *h, const char *host, struct probe_addrs *ret);
void probe_hosts_free(struct probe_hosts *h);

#endif
