/* secrets_handoff: the passphrase-derived key across `svctl daemon-reexec`.
 * A host key is read again from its file by the new instance; a passphrase
 * key exists only in memory, so without this the store would be locked
 * again after every re-exec. The old instance puts the salt and key in a
 * memfd (never a file: no path, nothing on disk), sealed against growing
 * and shrinking, and names it in the re-exec state ("fds": {"secrets_key"});
 * (only to a binary whose `svd --state-format` lists REEXEC_CAP_KEY_FD);
 * the new instance reads it into sodium memory, overwrites the memfd's bytes
 * and closes it before anything is spawned, and keeps it only if it opens
 * the store. The crash state file (statefile.c) never carries it: an svd
 * that was killed comes back locked.
 *
 *   "SVDKEY01" | salt[16] | key[32]          (Argon2id interactive limits)
 *   "SVDKEY02" | salt[16] | kdf_ops u32be | kdf_mem_kib u32be | key[32]
 *
 * The KDF parameters go along for a store not written yet (only the first
 * write puts them in its header): derived with other ones than secrets_kdf
 * says now, the key would be written under wrong ones. SVDKEY01 is still
 * written for the interactive limits (an older binary takes only it). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl_sodium.h"

#include "log.h"
#include "secrets.h"
#include "secrets_int.h"
#include "secrets_store.h"
#include "svd.h"

#define HANDOFF_MAGIC  "SVDKEY01"
#define HANDOFF_MAGIC2 "SVDKEY02"
#define HANDOFF_LEN    (8 + SECRETS_SALT_BYTES + SECRETS_KEY_BYTES)
#define HANDOFF_LEN2   (HANDOFF_LEN + 8)
#define HANDOFF_SEALS (F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK)

static void put_u32(unsigned char *p, uint32_t v)
{
        p[0] = (unsigned char)(v >> 24);
        p[1] = (unsigned char)(v >> 16);
        p[2] = (unsigned char)(v >> 8);
        p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int write_full(int fd, const unsigned char *p, size_t len, off_t off)
{
        while (len) {
                ssize_t n = pwrite(fd, p, len, off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                p += n;
                off += n;
                len -= (size_t)n;
        }
        return 0;
}

int secrets_handoff_fd(struct svd *m, bool supported)
{
        struct secrets *x = m->secrets;
        struct secrets_buf b = { 0 };
        int fd, r;

        if (!x || !m->cfg->secrets_passphrase || x->status != SECRETS_OK || !x->key.p)
                return -ENOENT;
        if (!supported)
                return -EPROTONOSUPPORT;
        bool v1 = x->t.kdf_ops == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE &&
                  x->t.kdf_mem_kib == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024;
        size_t len = v1 ? HANDOFF_LEN : HANDOFF_LEN2, off = 8 + SECRETS_SALT_BYTES;

        if ((r = secrets_buf_alloc(&b, len)) < 0)
                return r;
        memcpy(b.p, v1 ? HANDOFF_MAGIC : HANDOFF_MAGIC2, 8);
        memcpy(b.p + 8, x->t.salt, SECRETS_SALT_BYTES);
        if (!v1) {
                put_u32(b.p + off, x->t.kdf_ops);
                put_u32(b.p + off + 4, x->t.kdf_mem_kib);
                off += 8;
        }
        memcpy(b.p + off, x->key.p, SECRETS_KEY_BYTES);
        /* close-on-exec until reexec_cb clears it for the execve itself */
        fd = memfd_create("svd-secrets-key", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                r = -errno;
        else if ((r = write_full(fd, b.p, len, 0)) < 0 ||
                 (fcntl(fd, F_ADD_SEALS, HANDOFF_SEALS) < 0 && (r = -errno))) {
                close(fd);
                fd = -1;
        }
        secrets_buf_free(&b);
        if (fd < 0)
                return r;
        secrets_handoff_close(m);
        x->handoff_fd = fd;
        return fd;
}

void secrets_handoff_close(struct svd *m)
{
        struct secrets *x = m->secrets;
        unsigned char zero[HANDOFF_LEN2] = { 0 };
        struct stat st;

        if (!x || x->handoff_fd < 0)
                return;
        /* (sealed against growing: only its own size is written over) */
        if (fstat(x->handoff_fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= sizeof zero)
                (void)write_full(x->handoff_fd, zero, (size_t)st.st_size, 0);
        close(x->handoff_fd);
        x->handoff_fd = -1;
}

int secrets_handoff_take(struct svd *m, struct secrets_buf *ret_key, struct secrets_table *ret)
{
        unsigned char zero[HANDOFF_LEN2] = { 0 };
        struct secrets_buf b = { 0 };
        struct stat st;
        int fd, seals, r = 0;

        if (!m->restore || (fd = svd_inherited_fd(m, "secrets_key")) < 0)
                return -ENOENT;
        /* only the memfd an svd made: sealed, of one of the exact sizes */
        seals = fcntl(fd, F_GET_SEALS);
        if (seals < 0 || (seals & HANDOFF_SEALS) != HANDOFF_SEALS || fstat(fd, &st) < 0 ||
            !S_ISREG(st.st_mode) || (st.st_size != HANDOFF_LEN && st.st_size != HANDOFF_LEN2))
                r = -EBADF;
        else if ((r = secrets_buf_alloc(&b, HANDOFF_LEN2)) >= 0) {
                size_t len = (size_t)st.st_size, off = 8 + SECRETS_SALT_BYTES;
                ssize_t n = pread(fd, b.p, len, 0);
                bool v1 = len == HANDOFF_LEN;

                if (n != (ssize_t)len || memcmp(b.p, v1 ? HANDOFF_MAGIC : HANDOFF_MAGIC2, 8) != 0)
                        r = -EBADMSG;
                else {
                        ret->kdf_ops = v1 ? crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE : get_u32(b.p + off);
                        ret->kdf_mem_kib =
                                v1 ? crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE / 1024 : get_u32(b.p + off + 4);
                        off += v1 ? 0 : 8;
                        if (ret->kdf_ops < 1 || ret->kdf_ops > SECRETS_KDF_OPS_MAX ||
                            ret->kdf_mem_kib < SECRETS_KDF_MEM_KIB_MIN || ret->kdf_mem_kib > SECRETS_KDF_MEM_KIB_MAX)
                                r = -EBADMSG;
                        else if ((r = secrets_buf_dup(ret_key, b.p + off, SECRETS_KEY_BYTES)) >= 0)
                                memcpy(ret->salt, b.p + 8, SECRETS_SALT_BYTES);
                }
                secrets_buf_free(&b);
        }
        /* the key's only copy outside sodium memory goes now */
        if (seals >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= sizeof zero)
                (void)write_full(fd, zero, (size_t)st.st_size, 0);
        close(fd);
        return r;
}
