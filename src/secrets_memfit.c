/* secrets_memfit: the memory check before an Argon2id derivation (see
 * secrets_memfit.h): the parsers of /proc/meminfo and of a cgroup's
 * memory.max, memory.current and memory.stat, the walk from svd's cgroup up
 * to the root for the tightest limit, the message of a refusal, and the
 * warning of svd --check and reload for a secrets_kdf level that does not
 * fit now. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "config.h"
#include "dl_sodium.h"
#include "secrets_memfit.h"
#include "util.h"

#define MIB ((uint64_t)1 << 20)

/* secrets_kdf's levels, by their memory cost (config_main.c's order) */
static const struct {
        const char *name;
        uint64_t mem;
} levels[] = {
        { "interactive", crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE },
        { "moderate", crypto_pwhash_argon2id_MEMLIMIT_MODERATE },
        { "sensitive", crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE },
};

/* the number at s (after blanks), in ret; its end in *end */
static int parse_u64(const char *s, uint64_t *ret, const char **end)
{
        char *e;

        s += strspn(s, " \t");
        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &e, 10);
        if (errno == ERANGE)
                return -EINVAL;
        *ret = v;
        *end = e;
        return 0;
}

/* the value after "key" at the start of a line of text (key includes its
 * separator: "MemAvailable:", "inactive_file "), or NULL */
static const char *line_value(const char *text, const char *key)
{
        size_t kl = strlen(key);

        for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (strncmp(l, key, kl) == 0)
                        return l + kl;
        return NULL;
}

int memfit_meminfo_available(const char *text, uint64_t *ret)
{
        const char *v = line_value(text, "MemAvailable:"), *end;
        uint64_t kb;

        if (!v)
                return -ENOENT; /* (before Linux 3.14) */
        if (parse_u64(v, &kb, &end) < 0 || strncmp(end, " kB", 3) != 0 || kb > UINT64_MAX / 1024)
                return -EINVAL;
        *ret = kb * 1024;
        return 0;
}

int memfit_parse_limit(const char *text, uint64_t *ret)
{
        const char *end;

        if (strcmp(text, "max") == 0 || strcmp(text, "max\n") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (parse_u64(text, ret, &end) < 0 || (*end && strcmp(end, "\n") != 0))
                return -EINVAL;
        return 0;
}

int memfit_stat_key(const char *text, const char *key, uint64_t *ret)
{
        char k[64];
        const char *v, *end;

        snprintf(k, sizeof k, "%s ", key);
        if (!(v = line_value(text, k)))
                return -ENOENT;
        if (parse_u64(v, ret, &end) < 0 || (*end && *end != '\n'))
                return -EINVAL;
        return 0;
}

/* path's text into buf (NUL-terminated); its length or -errno */
static ssize_t read_text(const char *path, char *buf, size_t len)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, len - 1);
        if (n < 0)
                n = -errno;
        close(fd);
        if (n >= 0)
                buf[n] = 0;
        return n;
}

/* what the cgroup at dir leaves for more, when it has a memory.max: its
 * limit less its use, with its inactive page cache counted as free (the
 * kernel reclaims it before it OOM-kills); false without a limit */
static bool cgroup_room(const char *dir, uint64_t *room, uint64_t *max, uint64_t *used)
{
        char path[8256], buf[8192]; /* (dir: up to 8191) */
        uint64_t inactive = 0;

        snprintf(path, sizeof path, "%s/memory.max", dir);
        if (read_text(path, buf, sizeof buf) < 0 || memfit_parse_limit(buf, max) < 0 || *max == UINT64_MAX)
                return false;
        snprintf(path, sizeof path, "%s/memory.current", dir);
        if (read_text(path, buf, sizeof buf) < 0 || memfit_parse_limit(buf, used) < 0 || *used == UINT64_MAX)
                *used = 0; /* (the limit alone still bounds the derivation) */
        snprintf(path, sizeof path, "%s/memory.stat", dir);
        if (read_text(path, buf, sizeof buf) >= 0 && memfit_stat_key(buf, "inactive_file", &inactive) == 0)
                *used -= inactive < *used ? inactive : *used;
        *room = *max > *used ? *max - *used : 0;
        return true;
}

void memfit_assess(const char *meminfo, const char *mount, const char *own, struct memfit *f)
{
        uint64_t v;

        f->avail = UINT64_MAX;
        f->where[0] = 0;
        if (meminfo && memfit_meminfo_available(meminfo, &v) == 0) {
                f->avail = v;
                snprintf(f->where, sizeof f->where, "MemAvailable in /proc/meminfo");
        }
        if (!mount || !own || own[0] != '/')
                return;
        char cg[4096];
        snprintf(cg, sizeof cg, "%s", own);
        /* from svd's cgroup up: an ancestor's limit counts for all below */
        for (;;) {
                char dir[8192];
                uint64_t room, max, used;
                size_t l = strlen(cg);

                while (l > 1 && cg[l - 1] == '/')
                        cg[--l] = 0;
                if (l <= 1)
                        break; /* (the root has no memory.max) */
                snprintf(dir, sizeof dir, "%s%s", mount, cg);
                if (cgroup_room(dir, &room, &max, &used) && room < f->avail) {
                        f->avail = room;
                        snprintf(f->where, sizeof f->where,
                                 "memory.max of the cgroup %s (%" PRIu64 " MiB, %" PRIu64 " MiB in use)", cg,
                                 max / MIB, (used + MIB - 1) / MIB);
                }
                *strrchr(cg, '/') = 0;
                if (!cg[0])
                        break;
        }
}

void memfit_assess_now(struct memfit *f)
{
        char meminfo[16384];
        bool have = read_text("/proc/meminfo", meminfo, sizeof meminfo) > 0;
        _cleanup_(freep) char *mount = cg_find_mount();
        _cleanup_(freep) char *own = cg_own_cgroup();

        memfit_assess(have ? meminfo : NULL, mount, own, f);
}

/* "it needs N MiB (...), only A MiB is available: WHERE" into buf; false
 * when mem fits in f */
static bool shortfall(uint64_t mem, const struct memfit *f, char *buf, size_t len)
{
        uint64_t need = mem + SECRETS_MEMFIT_MARGIN;

        if (need <= f->avail)
                return false;
        snprintf(buf, len,
                 "needs %" PRIu64 " MiB (Argon2id over %" PRIu64 " MiB and a %" PRIu64
                 " MiB margin), only %" PRIu64 " MiB is available: %s",
                 (need + MIB - 1) / MIB, (mem + MIB - 1) / MIB, SECRETS_MEMFIT_MARGIN / MIB, f->avail / MIB,
                 f->where);
        return true;
}

/* the advice: the highest secrets_kdf level below mem that fits, if any */
static void advice(uint64_t mem, const struct memfit *f, const char *what, char *buf, size_t len)
{
        for (size_t i = ELEMENTSOF(levels); i-- > 0;)
                if (levels[i].mem < mem && levels[i].mem + SECRETS_MEMFIT_MARGIN <= f->avail) {
                        snprintf(buf, len, "choose a lower %s (%s: %" PRIu64 " MiB) or raise that limit",
                                 what, levels[i].name, levels[i].mem / MIB);
                        return;
                }
        snprintf(buf, len, "raise that limit or free memory");
}

int secrets_memfit_check(uint32_t mem_kib, bool new_store, char *why, size_t wl)
{
        struct memfit f;
        char short_[800], adv[200];
        uint64_t mem = (uint64_t)mem_kib * 1024;

        memfit_assess_now(&f);
        if (!shortfall(mem, &f, short_, sizeof short_))
                return 0;
        if (new_store)
                advice(mem, &f, "secrets_kdf level", adv, sizeof adv);
        else /* (the store's header sets it: only more memory opens it) */
                snprintf(adv, sizeof adv,
                         "the store was made with this cost: raise that limit or free memory");
        snprintf(why, wl, "it %s; %s", short_, adv);
        return -ENOMEM;
}

void secrets_memfit_warn(const struct svd_config *c, struct cfg_errors *errs)
{
        struct memfit f;
        char short_[800], adv[200];
        size_t lv = c->secrets_kdf >= 0 && (size_t)c->secrets_kdf < ELEMENTSOF(levels)
                            ? (size_t)c->secrets_kdf
                            : 0;

        if (!c->secrets_passphrase)
                return; /* (a host key: nothing is derived) */
        memfit_assess_now(&f);
        if (!shortfall(levels[lv].mem, &f, short_, sizeof short_))
                return;
        advice(levels[lv].mem, &f, "level", adv, sizeof adv);
        struct cfg_pos pos = config_main_pos(c, "secrets_kdf");
        cfg_warn(errs, &pos, "secrets_kdf",
                 "level '%s' %s; an unlock that has to derive a key at this level (a new store's, a "
                 "re-encryption's) is refused: %s",
                 levels[lv].name, short_, adv);
}
