/* secrets_memfit: whether an Argon2id derivation fits in the memory svd may
 * use now. Argon2id's memory cost (64 MiB to 1 GiB, secrets_kdf) is
 * allocated and touched at once; under a memory cgroup limit (svd's own
 * cgroup memory.max or an ancestor's) or with overcommit the kernel does
 * not refuse it with ENOMEM but sends the OOM killer, which ends services
 * (svd as PID 1 is spared) or svd itself. So before a derivation starts,
 * its need (memory cost and a margin) is compared with the least of
 * /proc/meminfo's MemAvailable and, for svd's cgroup and each ancestor with
 * a memory.max, that limit minus what the cgroup uses (memory.current less
 * its inactive page cache, which the kernel reclaims first); one that does
 * not fit is refused with a message saying what it needs, what is
 * available, where the limit is and what to do. What cannot be read (no
 * /proc, no cgroup2) limits nothing: the derivation goes ahead as before.
 * The parsers work on the files' text and the walk on a given cgroup2
 * mount (the unit test's seam); nothing in this file logs. */
#ifndef SVD_SECRETS_MEMFIT_H
#define SVD_SECRETS_MEMFIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_errors;
struct svd_config;

/* Above the memory cost: the derivation thread's stack, libsodium's own
 * allocations, and what svd's loop allocates meanwhile. */
#define SECRETS_MEMFIT_MARGIN ((uint64_t)16 << 20)

/* The tightest limit found: bytes available (UINT64_MAX: none known) and
 * where ("MemAvailable in /proc/meminfo", "memory.max of the cgroup /a
 * (200 MiB, 50 MiB in use)"). */
struct memfit {
        uint64_t avail;
        char where[512];
};

/* Parsers of the files' text: /proc/meminfo's MemAvailable (bytes), a
 * memory.max or memory.current ("max": UINT64_MAX), a "key value" line of
 * memory.stat; -ENOENT without the line, -EINVAL for a malformed value. */
int memfit_meminfo_available(const char *text, uint64_t *ret);
int memfit_parse_limit(const char *text, uint64_t *ret);
int memfit_stat_key(const char *text, const char *key, uint64_t *ret);

/* The seam: meminfo's text (NULL: unknown), the cgroup2 mount and svd's
 * cgroup in it ("/a/b"; either NULL: unknown), walked up to the root. */
void memfit_assess(const char *meminfo, const char *mount, const char *own, struct memfit *f);

/* The same from /proc/meminfo, the cgroup2 mount and /proc/self/cgroup. */
void memfit_assess_now(struct memfit *f);

/* Whether Argon2id over mem_kib KiB fits now: 0, or -ENOMEM with why
 * ("it needs N MiB (Argon2id over M MiB and a 16 MiB margin), only A MiB
 * is available: WHERE; ADVICE"). new_store: the cost is secrets_kdf's
 * (the advice is a lower level), else a store's header's. */
int secrets_memfit_check(uint32_t mem_kib, bool new_store, char *why, size_t wl);

/* svd --check and reload: a warning on secrets_kdf (with secrets_key:
 * passphrase) when its level does not fit now. */
void secrets_memfit_warn(const struct svd_config *c, struct cfg_errors *errs);

#endif
