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
 *   "SVDKEY01" | salt[16] | key[32]                                     */
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

#define HANDOFF_MAGIC "SVDKEY01"
#define HANDOFF_LEN   (8 + SECRETS_SALT_BYTES + SECRETS_KEY_BYTES)
#define HANDOFF_SEALS (F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK)

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
        if ((r = secrets_buf_alloc(&b, HANDOFF_LEN)) < 0)
                return r;
        memcpy(b.p, HANDOFF_MAGIC, 8);
        memcpy(b.p + 8, x->t.salt, SECRETS_SALT_BYTES);
        memcpy(b.p + 8 + SECRETS_SALT_BYTES, x->key.p, SECRETS_KEY_BYTES);
        /* close-on-exec until reexec_cb clears it for the execve itself */
        fd = memfd_create("svd-secrets-key", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                r = -errno;
        else if ((r = write_full(fd, b.p, HANDOFF_LEN, 0)) < 0 ||
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
        unsigned char zero[HANDOFF_LEN] = { 0 };

        if (!x || x->handoff_fd < 0)
                return;
        (void)write_full(x->handoff_fd, zero, sizeof zero, 0);
        close(x->handoff_fd);
        x->handoff_fd = -1;
}

int secrets_handoff_take(struct svd *m, struct secrets_buf *ret_key, unsigned char *ret_salt)
{
        unsigned char zero[HANDOFF_LEN] = { 0 };
        struct secrets_buf b = { 0 };
        struct stat st;
        int fd, seals, r = 0;

        if (!m->restore || (fd = svd_inherited_fd(m, "secrets_key")) < 0)
                return -ENOENT;
        /* only the memfd an svd made: sealed, of the exact size */
        seals = fcntl(fd, F_GET_SEALS);
        if (seals < 0 || (seals & HANDOFF_SEALS) != HANDOFF_SEALS || fstat(fd, &st) < 0 ||
            !S_ISREG(st.st_mode) || st.st_size != HANDOFF_LEN)
                r = -EBADF;
        else if ((r = secrets_buf_alloc(&b, HANDOFF_LEN)) >= 0) {
                ssize_t n = pread(fd, b.p, HANDOFF_LEN, 0);

                if (n != HANDOFF_LEN || memcmp(b.p, HANDOFF_MAGIC, 8) != 0)
                        r = -EBADMSG;
                else if ((r = secrets_buf_dup(ret_key, b.p + 8 + SECRETS_SALT_BYTES, SECRETS_KEY_BYTES)) >= 0)
                        memcpy(ret_salt, b.p + 8, SECRETS_SALT_BYTES);
                secrets_buf_free(&b);
        }
        /* the key's only copy outside sodium memory goes now */
        if (seals >= 0)
                (void)write_full(fd, zero, sizeof zero, 0);
        close(fd);
        return r;
}
