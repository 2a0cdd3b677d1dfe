/* secrets_store: the on-disk form of the secrets, <state_dir>/secrets.
 *
 *   "SVDSEC02" | mode u8 (0 host key, 1 passphrase) |
 *   kdf_ops u32be | kdf_mem_kib u32be (Argon2id passes and memory in KiB of
 *   a passphrase key; both 0 with the host key) | salt[16] | nonce[24] |
 *   crypto_aead_xchacha20poly1305_ietf(records), with the 57 header bytes
 *   before it as associated data: a changed byte anywhere in the file
 *   (version, mode, KDF parameters, salt, nonce) fails the MAC.
 *   record: name_len u8 | name | created u64be | value_len u32be | value
 *
 * The format before it, still read (and written as the one above at the
 * next write):
 *   "SVDSEC01" | mode u8 | salt[16] | nonce[24] |
 *   crypto_secretbox_easy(records)   (XSalsa20-Poly1305: the header not
 *                                     covered; Argon2id interactive limits)
 * KDF parameters are bounded before any key is derived with them (a
 * header nobody authenticated yet must not make svd allocate without
 * limit): 1 to 16 passes, 8 KiB to 1 GiB.
 *
 * A rotation waiting for its on_rotate job (secrets_pending) is kept in the
 * same records under names no secret can have (secret names have no ':'),
 * written with the new values in one atomic write and dropped when the
 * rotation ends, so a crash during the job cannot lose the previous values:
 *   "pending:rotation"   created: when it began (the new values' created),
 *                        value: SECRET "\n" JOB
 *   "pending:old:NAME"   NAME's previous value and created
 * A store without them (an older svd's) is simply one with no rotation
 * pending; other names with a ':' are skipped (a newer svd's), and an older
 * svd keeps these as values nobody asks for.
 *
 * The key is 256 bits: a host key file (<state_dir>/secrets.key, 0400) or
 * crypto_pwhash(passphrase, salt) with the store's KDF parameters. A fresh
 * nonce per write. Decryption fails the same way for a wrong key and for a
 * flipped byte (the MAC decides), and
 * nothing here ever rewrites a file it could not read. Writes are atomic:
 * temp file, fsync, rename, fsync of the directory (a
 * failure of that last step does not undo the write: see below). Values and keys live in
 * sodium memory (secrets_buf). Returns -errno; nothing here logs. */
#ifndef SVD_SECRETS_STORE_H
#define SVD_SECRETS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "secrets_gen.h"

#define SECRETS_KEY_BYTES  32
#define SECRETS_SALT_BYTES 16
#define SECRETS_MAGIC_V1   "SVDSEC01"
#define SECRETS_MAGIC      "SVDSEC02"
/* Argon2id limits (libsodium's argon2id presets), secrets_kdf in svd.yaml */
#define SECRETS_KDF_OPS_MAX     16u
#define SECRETS_KDF_MEM_KIB_MIN 8u
#define SECRETS_KDF_MEM_KIB_MAX (1u << 20)

struct secrets_entry {
        char *name;
        uint64_t created; /* unix seconds */
        struct secrets_buf value;
        bool unsaved; /* in memory only: the store file does not hold this value yet */
};

struct secrets_table {
        struct secrets_entry *v;
        size_t n;
        uint8_t mode; /* 0 host key, 1 passphrase */
        unsigned char salt[SECRETS_SALT_BYTES];
        /* passphrase: the key's Argon2id passes and memory (KiB); 0 with a host key */
        uint32_t kdf_ops, kdf_mem_kib;
        uint8_t version; /* of the file it was read from (1, 2), 0: none */
};

/* A rotation whose on_rotate job has not ended yet, as stored. */
struct secrets_pending {
        char *secret, *job;       /* NULL: none */
        uint64_t started;         /* unix seconds: the new values' created */
        struct secrets_table old; /* the previous values (only mode and salt unused) */
};

void secrets_table_clear(struct secrets_table *t);
void secrets_pending_clear(struct secrets_pending *p);
struct secrets_entry *secrets_table_find(struct secrets_table *t, const char *name);
/* Replaces (or adds) name's value; takes ownership of *value (emptied). */
int secrets_table_put(struct secrets_table *t, const char *name, uint64_t created,
                      struct secrets_buf *value);
/* Drops the entry name, if there is one. */
void secrets_table_remove(struct secrets_table *t, const char *name);

/* Encrypts t (and p's rotation, when p and p->secret are set) under key
 * into a malloc'd blob (ciphertext only, no secret). -EFBIG: it would be
 * larger than secrets_file_read takes (16 MiB). */
int secrets_store_seal(const struct secrets_table *t, const struct secrets_pending *p,
                       const unsigned char *key, unsigned char **ret, size_t *ret_len);
/* Decrypts blob into *t and the pending rotation into *p (both cleared
 * first; p NULL: a pending rotation is dropped). -EBADMSG: not a store (bad
 * magic or truncated); -EKEYREJECTED: wrong key or tampered; -EPROTO: bad
 * records. On error *t and *p are left as they were. */
int secrets_store_open(const unsigned char *blob, size_t len, const unsigned char *key,
                       struct secrets_table *t, struct secrets_pending *p);
/* Reads the header's version, mode, salt and KDF parameters into t's
 * (nothing else of t is touched) without a key: not authenticated yet, but
 * bounded (-EBADMSG). */
int secrets_store_peek(const unsigned char *blob, size_t len, struct secrets_table *t);

/* Whole-file helpers. read: -ENOENT if missing, -EINVAL if not a regular
 * file (never waits on a FIFO); bounded at 16 MiB (-EFBIG). */
int secrets_file_read(const char *path, unsigned char **ret, size_t *ret_len);
/* The same for a secret's from_file, an operator's file: a symbolic link
 * is followed where only root (or svd's user) can have made it, such as
 * certbot's live/ names, and refused (-ENOLINK) in a directory another
 * user can change (safedir.h); -EBADFD there for what is not a regular
 * file with one link. */
int secrets_from_file_read(const char *path, unsigned char **ret, size_t *ret_len);
/* < 0: nothing was replaced (path holds what it held). 0: written and
 * durable. > 0: written (renamed over path, so every reader now gets the new
 * contents) but the directory could not be opened or synced: the value is
 * that errno, and a power cut could still bring back the old file. */
int secrets_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Host key: loads path (exactly 32 bytes, owned by svd's user or by its
 * directory's owner, not readable by group or others, else -EPERM) or,
 * when create is set and it does not exist, makes a new one (0400).
 * *ret_key: sodium_malloc'd SECRETS_KEY_BYTES. */
int secrets_key_load(const char *path, bool create, struct secrets_buf *ret_key);
/* Passphrase key: crypto_pwhash (Argon2id, ops passes over mem_kib KiB)
 * into key (SECRETS_KEY_BYTES). Allocates nothing and touches no state of
 * svd's: safe in a thread of its own (secrets_unlock.c), while libsodium
 * is held. -EINVAL: parameters out of bounds; -ENOMEM. */
int secrets_key_derive_into(const void *pass, size_t pass_len, const unsigned char *salt, uint32_t ops,
                            uint32_t mem_kib, unsigned char *key);
/* The same into a new sodium buffer. */
int secrets_key_derive(const void *pass, size_t pass_len, const unsigned char *salt, uint32_t ops,
                       uint32_t mem_kib, struct secrets_buf *ret_key);

#endif
