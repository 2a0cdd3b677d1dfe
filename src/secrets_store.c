/* secrets_store: the encrypted store file, the host key and the table of
 * values in memory (format in secrets_store.h). The plaintext records are
 * only ever assembled in sodium memory, and wiped with it. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl_sodium.h"
#include "safedir.h"

#include "secrets_store.h"

/* v1: magic | mode | salt | nonce; v2: magic | mode | ops | mem | salt | nonce */
#define HDR1_LEN (8 + 1 + SECRETS_SALT_BYTES + crypto_secretbox_NONCEBYTES)
#define HDR_LEN  (8 + 1 + 4 + 4 + SECRETS_SALT_BYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define TAG_LEN  crypto_aead_xchacha20poly1305_ietf_ABYTES
#define MAX_FILE (16u << 20)

void secrets_table_clear(struct secrets_table *t)
{
        for (size_t i = 0; i < t->n; i++) {
                free(t->v[i].name);
                secrets_buf_free(&t->v[i].value);
        }
        free(t->v);
        t->v = NULL;
        t->n = 0;
}

struct secrets_entry *secrets_table_find(struct secrets_table *t, const char *name)
{
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->v[i].name, name) == 0)
                        return &t->v[i];
        return NULL;
}

int secrets_table_put(struct secrets_table *t, const char *name, uint64_t created, struct secrets_buf *value)
{
        struct secrets_entry *e = secrets_table_find(t, name), *nv;

        if (strlen(name) > 255)
                return -EINVAL;
        if (!e) {
                char *n = strdup(name);

                if (!n || !(nv = realloc(t->v, (t->n + 1) * sizeof *nv))) {
                        free(n);
                        return -ENOMEM;
                }
                t->v = nv;
                e = &t->v[t->n++];
                *e = (struct secrets_entry){ .name = n };
        }
        secrets_buf_free(&e->value);
        e->value = *value;
        e->created = created;
        *value = (struct secrets_buf){ 0 };
        return 0;
}

void secrets_table_remove(struct secrets_table *t, const char *name)
{
        struct secrets_entry *e = secrets_table_find(t, name);

        if (!e)
                return;
        free(e->name);
        secrets_buf_free(&e->value);
        *e = t->v[--t->n];
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
        for (int i = bytes - 1; i >= 0; i--, v >>= 8)
                p[i] = (unsigned char)v;
}

static uint64_t get_be(const unsigned char *p, int bytes)
{
        uint64_t v = 0;

        for (int i = 0; i < bytes; i++)
                v = v << 8 | p[i];
        return v;
}

void secrets_pending_clear(struct secrets_pending *p)
{
        free(p->secret);
        free(p->job);
        secrets_table_clear(&p->old);
        *p = (struct secrets_pending){ 0 };
}

#define PENDING_ROT "pending:rotation"
#define PENDING_OLD "pending:old:"

static size_t record_len(size_t name_len, size_t value_len)
{
        return 1 + name_len + 8 + 4 + value_len;
}

static unsigned char *put_record(unsigned char *p, const char *prefix, const char *name, uint64_t created,
                                 const void *value, size_t vl)
{
        size_t pl = strlen(prefix), nl = strlen(name);

        *p++ = (unsigned char)(pl + nl);
        memcpy(p, prefix, pl);
        memcpy(p + pl, name, nl);
        p += pl + nl;
        put_be(p, created, 8);
        p += 8;
        put_be(p, vl, 4);
        p += 4;
        if (vl)
                memcpy(p, value, vl);
        return p + vl;
}

int secrets_store_seal(const struct secrets_table *t, const struct secrets_pending *pd,
                       const unsigned char *key, unsigned char **ret, size_t *ret_len)
{
        _cleanup_(freep) char *rot = NULL;
        struct secrets_buf plain;
        unsigned char *blob, *p;
        size_t len = 0, blen;
        int r;

        for (size_t i = 0; i < t->n; i++)
                len += record_len(strlen(t->v[i].name), t->v[i].value.len);
        if (pd && pd->secret && pd->job) {
                if (!(rot = strdup_printf("%s\n%s", pd->secret, pd->job)))
                        return -ENOMEM;
                len += record_len(strlen(PENDING_ROT), strlen(rot));
                for (size_t i = 0; i < pd->old.n; i++) {
                        if (strlen(PENDING_OLD) + strlen(pd->old.v[i].name) > 255)
                                return -EINVAL;
                        len += record_len(strlen(PENDING_OLD) + strlen(pd->old.v[i].name),
                                          pd->old.v[i].value.len);
                }
        }
        /* never a store secrets_file_read would refuse to read back (nor
         * one whose KDF parameters it would refuse) */
        if (t->mode && (t->kdf_ops < 1 || t->kdf_ops > SECRETS_KDF_OPS_MAX ||
                        t->kdf_mem_kib < SECRETS_KDF_MEM_KIB_MIN || t->kdf_mem_kib > SECRETS_KDF_MEM_KIB_MAX))
                return -EINVAL;
        if (len > MAX_FILE - HDR_LEN - TAG_LEN)
                return -EFBIG;
        if ((r = secrets_buf_alloc(&plain, len)) < 0)
                return r;
        p = plain.p;
        for (size_t i = 0; i < t->n; i++)
                p = put_record(p, "", t->v[i].name, t->v[i].created, t->v[i].value.p, t->v[i].value.len);
        if (rot) {
                p = put_record(p, PENDING_ROT, "", pd->started, rot, strlen(rot));
                for (size_t i = 0; i < pd->old.n; i++)
                        p = put_record(p, PENDING_OLD, pd->old.v[i].name, pd->old.v[i].created,
                                       pd->old.v[i].value.p, pd->old.v[i].value.len);
        }
        blen = HDR_LEN + TAG_LEN + len;
        if (!(blob = malloc(blen))) {
                secrets_buf_free(&plain);
                return -ENOMEM;
        }
        memcpy(blob, SECRETS_MAGIC, 8);
        blob[8] = t->mode;
        put_be(blob + 9, t->mode ? t->kdf_ops : 0, 4);
        put_be(blob + 13, t->mode ? t->kdf_mem_kib : 0, 4);
        memcpy(blob + 17, t->salt, SECRETS_SALT_BYTES);
        randombytes_buf(blob + 17 + SECRETS_SALT_BYTES, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
        /* the header is the associated data: every byte of it is under the MAC */
        crypto_aead_xchacha20poly1305_ietf_encrypt(blob + HDR_LEN, NULL, plain.p, len, blob, HDR_LEN, NULL,
                                                   blob + 17 + SECRETS_SALT_BYTES, key);
        secrets_buf_free(&plain);
        *ret = blob;
        *ret_len = blen;
        return 0;
}

/* The header of either version: its length, and the nonce's offset. */
static int header(const unsigned char *blob, size_t len, struct secrets_table *t, size_t *ret_hlen,
                  size_t *ret_nonce)
{
        if (len >= HDR1_LEN + crypto_secretbox_MACBYTES && memcmp(blob, SECRETS_MAGIC_V1, 8) == 0 && blob[8] <= 1) {
                t->version = 1;
                t->mode = blob[8];
                memcpy(t->salt, blob + 9, SECRETS_SALT_BYTES);
                /* what secrets_key_derive used before the parameters were stored */
                t->kdf_ops = t->mode ? crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE : 0;
                t->kdf_mem_kib = t->mode ? crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024 : 0;
                *ret_hlen = HDR1_LEN;
                *ret_nonce = 9 + SECRETS_SALT_BYTES;
                return 0;
        }
        if (len < HDR_LEN + TAG_LEN || memcmp(blob, SECRETS_MAGIC, 8) != 0 || blob[8] > 1)
                return -EBADMSG;
        uint32_t ops = (uint32_t)get_be(blob + 9, 4), mem = (uint32_t)get_be(blob + 13, 4);
        if (blob[8] ? ops < 1 || ops > SECRETS_KDF_OPS_MAX || mem < SECRETS_KDF_MEM_KIB_MIN ||
                              mem > SECRETS_KDF_MEM_KIB_MAX
                    : ops || mem)
                return -EBADMSG;
        t->version = 2;
        t->mode = blob[8];
        t->kdf_ops = ops;
        t->kdf_mem_kib = mem;
        memcpy(t->salt, blob + 17, SECRETS_SALT_BYTES);
        *ret_hlen = HDR_LEN;
        *ret_nonce = 17 + SECRETS_SALT_BYTES;
        return 0;
}

int secrets_store_peek(const unsigned char *blob, size_t len, struct secrets_table *t)
{
        struct secrets_table h = { 0 };
        size_t hl, nonce;
        int r = header(blob, len, &h, &hl, &nonce);

        if (r < 0)
                return r;
        t->version = h.version;
        t->mode = h.mode;
        t->kdf_ops = h.kdf_ops;
        t->kdf_mem_kib = h.kdf_mem_kib;
        memcpy(t->salt, h.salt, SECRETS_SALT_BYTES);
        return 0;
}

/* "pending:rotation"'s value: SECRET "\n" JOB, both non-empty. */
static int pending_names(struct secrets_pending *p, const unsigned char *v, size_t vl)
{
        const unsigned char *nl = memchr(v, '\n', vl);

        if (!nl || nl == v || nl == v + vl - 1 || memchr(v, 0, vl) ||
            memchr(nl + 1, '\n', (size_t)(v + vl - nl - 1)))
                return -EPROTO;
        free(p->secret);
        free(p->job);
        p->secret = strndup((const char *)v, (size_t)(nl - v));
        p->job = strndup((const char *)nl + 1, (size_t)(v + vl - nl - 1));
        return p->secret && p->job ? 0 : -ENOMEM;
}

/* One record into nt, np or nowhere (a name with ':' this svd does not know). */
static int take_record(struct secrets_table *nt, struct secrets_pending *np, const char *name,
                       uint64_t created, const unsigned char *v, size_t vl)
{
        struct secrets_buf b;
        int r;

        if (strcmp(name, PENDING_ROT) == 0) {
                np->started = created;
                return pending_names(np, v, vl);
        }
        if (strncmp(name, PENDING_OLD, strlen(PENDING_OLD)) == 0 && name[strlen(PENDING_OLD)]) {
                nt = &np->old;
                name += strlen(PENDING_OLD);
        } else if (strchr(name, ':'))
                return 0;
        if ((r = secrets_buf_dup(&b, v, vl)) < 0)
                return r;
        if ((r = secrets_table_put(nt, name, created, &b)) < 0)
                secrets_buf_free(&b);
        return r;
}

int secrets_store_open(const unsigned char *blob, size_t len, const unsigned char *key,
                       struct secrets_table *t, struct secrets_pending *p)
{
        struct secrets_table nt = { 0 };
        struct secrets_pending np = { 0 };
        struct secrets_buf plain;
        size_t plen, off = 0, hl, nonce;
        int r;

        if ((r = header(blob, len, &nt, &hl, &nonce)) < 0)
                return r;
        plen = len - hl - (nt.version == 1 ? crypto_secretbox_MACBYTES : TAG_LEN);
        if ((r = secrets_buf_alloc(&plain, plen)) < 0)
                return r;
        if (nt.version == 1 ? crypto_secretbox_open_easy(plain.p, blob + hl, len - hl, blob + nonce, key) != 0
                            : crypto_aead_xchacha20poly1305_ietf_decrypt(plain.p, NULL, NULL, blob + hl, len - hl,
                                                                         blob, hl, blob + nonce, key) != 0) {
                secrets_buf_free(&plain);
                return -EKEYREJECTED;
        }
        while (off < plen) {
                char name[256];
                size_t nl = plain.p[off++], vl;
                uint64_t created;

                r = -EPROTO;
                if (nl == 0 || off + nl + 12 > plen)
                        goto fail;
                memcpy(name, plain.p + off, nl);
                name[nl] = 0;
                off += nl;
                created = get_be(plain.p + off, 8);
                vl = (size_t)get_be(plain.p + off + 8, 4);
                off += 12;
                if (vl > plen - off || memchr(name, 0, nl))
                        goto fail;
                if ((r = take_record(&nt, &np, name, created, plain.p + off, vl)) < 0)
                        goto fail;
                off += vl;
        }
        secrets_buf_free(&plain);
        /* previous values without the rotation they belong to mean nothing */
        if (!p || !np.secret)
                secrets_pending_clear(&np);
        secrets_table_clear(t);
        *t = nt;
        if (p) {
                secrets_pending_clear(p);
                *p = np;
        }
        return 0;
fail:
        secrets_buf_free(&plain);
        secrets_table_clear(&nt);
        secrets_pending_clear(&np);
        return r;
}

static int read_whole(int fd, unsigned char **ret, size_t *ret_len)
{
        unsigned char *buf;
        struct stat st;
        size_t off = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t)st.st_size > MAX_FILE)
                return -EFBIG;
        if (!(buf = malloc((size_t)st.st_size + 1)))
                return -ENOMEM;
        while (off < (size_t)st.st_size) {
                ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;

                        /* what was read may be a secret's first bytes
                         * (explicit_bzero: libsodium need not be loaded) */
                        explicit_bzero(buf, off);
                        free(buf);
                        return -e;
                }
                off += (size_t)n;
        }
        *ret = buf;
        *ret_len = off;
        return 0;
}

int secrets_file_read(const char *path, unsigned char **ret, size_t *ret_len)
{
        /* O_NONBLOCK: a FIFO there would hold the open (and svd) until a
         * writer came; a regular file's reads ignore it */
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

        if (fd < 0)
                return -errno;
        return read_whole(fd, ret, ret_len);
}

int secrets_from_file_read(const char *path, unsigned char **ret, size_t *ret_len)
{
        _cleanup_(safedir_closep) struct safedir d = SAFEDIR_NONE;
        const char *base;
        int r = safedir_open_parent(path, false, 0755, &d, &base);

        if (r < 0)
                return r;
        _cleanup_(closep) int fd = safedir_open_file(&d, base, O_RDONLY | O_NONBLOCK, 0, NULL);
        if (fd < 0)
                return fd;
        return read_whole(fd, ret, ret_len);
}

static int write_all(int fd, const void *data, size_t len)
{
        const unsigned char *p = data;

        while (len) {
                ssize_t n = write(fd, p, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int secrets_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
        _cleanup_(freep) char *tmp = strdup_printf("%s.tmp", path);
        _cleanup_(freep) char *dir = strdup(path);
        _cleanup_(closep) int dfd = -1;
        int fd, r;

        if (!tmp || !dir)
                return -ENOMEM;
        (void)unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        if ((r = write_all(fd, data, len)) < 0 || (fchmod(fd, mode) < 0 && (r = -errno)) ||
            (fsync(fd) < 0 && (r = -errno))) {
                close(fd);
                unlink(tmp);
                return r;
        }
        close(fd);
        if (rename(tmp, path) < 0) {
                r = -errno;
                unlink(tmp);
                return r;
        }
        /* From here the new file is in place: whatever happens to the sync of
         * the directory, the next reader gets the new contents, so the write
         * has happened and the caller must keep what it wrote. */
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                return errno ? errno : EIO;
        return 0;
}

/* Whether uid owns path's directory too: whoever owns it can replace the
 * file anyway, so a key of theirs trusts no one new (a state_dir on NFS
 * with root squashed: nobody owns both, and svd's euid is 0). */
static bool owns_dir(const char *path, uid_t uid)
{
        _cleanup_(freep) char *dir = strdup(path);
        struct stat st;

        return dir && stat(dirname(dir), &st) == 0 && st.st_uid == uid;
}

int secrets_key_load(const char *path, bool create, struct secrets_buf *ret_key)
{
        struct secrets_buf k;
        struct stat st;
        int fd, r;

        if ((r = secrets_buf_alloc(&k, SECRETS_KEY_BYTES)) < 0)
                return r;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK); /* (as secrets_file_read) */
        if (fd < 0 && errno == ENOENT && create) {
                randombytes_buf(k.p, SECRETS_KEY_BYTES);
                r = secrets_file_write_atomic(path, k.p, SECRETS_KEY_BYTES, 0400);
                if (r < 0) {
                        secrets_buf_free(&k);
                        return r;
                }
                *ret_key = k;
                return 0;
        }
        if (fd < 0) {
                r = -errno;
                secrets_buf_free(&k);
                return r;
        }
        r = 0;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode) || st.st_size != SECRETS_KEY_BYTES)
                r = -EBADMSG;
        else if ((st.st_mode & 0077) || (st.st_uid != geteuid() && !owns_dir(path, st.st_uid)))
                r = -EPERM; /* readable by others (its owner, too): not a key to trust */
        else if (read(fd, k.p, SECRETS_KEY_BYTES) != SECRETS_KEY_BYTES)
                r = -EIO;
        close(fd);
        if (r < 0) {
                secrets_buf_free(&k);
                return r;
        }
        *ret_key = k;
        return 0;
}

int secrets_key_derive_into(const void *pass, size_t pass_len, const unsigned char *salt, uint32_t ops,
                            uint32_t mem_kib, unsigned char *key)
{
        if (ops < 1 || ops > SECRETS_KDF_OPS_MAX || mem_kib < SECRETS_KDF_MEM_KIB_MIN ||
            mem_kib > SECRETS_KDF_MEM_KIB_MAX)
                return -EINVAL;
        if (crypto_pwhash(key, SECRETS_KEY_BYTES, pass, pass_len, salt, ops, (size_t)mem_kib * 1024,
                          crypto_pwhash_ALG_ARGON2ID13) != 0)
                return -ENOMEM; /* the only failure: the memory limit could not be met */
        return 0;
}

int secrets_key_derive(const void *pass, size_t pass_len, const unsigned char *salt, uint32_t ops,
                       uint32_t mem_kib, struct secrets_buf *ret_key)
{
        struct secrets_buf k;
        int r;

        if ((r = secrets_buf_alloc(&k, SECRETS_KEY_BYTES)) < 0)
                return r;
        if ((r = secrets_key_derive_into(pass, pass_len, salt, ops, mem_kib, k.p)) < 0) {
                secrets_buf_free(&k);
                return r;
        }
        *ret_key = k;
        return 0;
}
