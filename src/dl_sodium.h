/* dl_sodium: libsodium: re-exec snapshots, secrets, loaded on demand (dynlib.h).
 * Include instead of sodium.h: its function names then call through
 * the loaded table. */
#ifndef SVD_DL_SODIUM_H
#define SVD_DL_SODIUM_H

#include <sodium.h>

#include "dynlib.h"

#define DL_SODIUM_FUNCS(X) \
        X(sodium_init) \
        X(sodium_malloc) \
        X(sodium_free) \
        X(sodium_mlock) \
        X(sodium_memzero) \
        X(sodium_memcmp) \
        X(sodium_bin2hex) \
        X(sodium_bin2base64) \
        X(sodium_base642bin) \
        X(randombytes_buf) \
        X(randombytes_uniform) \
        X(crypto_auth_hmacsha256_init) \
        X(crypto_auth_hmacsha256_update) \
        X(crypto_auth_hmacsha256_final) \
        X(crypto_pwhash) \
        X(crypto_secretbox_easy) \
        X(crypto_secretbox_open_easy) \
        X(crypto_aead_xchacha20poly1305_ietf_encrypt) \
        X(crypto_aead_xchacha20poly1305_ietf_decrypt)

DYNLIB_DECLARE(sodium, DL_SODIUM_FUNCS)

#ifndef DL_LIBS_IMPL
#define sodium_init (dl_sodium_get()->sodium_init)
#define sodium_malloc (dl_sodium_get()->sodium_malloc)
#define sodium_free (dl_sodium_get()->sodium_free)
#define sodium_mlock (dl_sodium_get()->sodium_mlock)
#define sodium_memzero (dl_sodium_get()->sodium_memzero)
#define sodium_memcmp (dl_sodium_get()->sodium_memcmp)
#define sodium_bin2hex (dl_sodium_get()->sodium_bin2hex)
#define sodium_bin2base64 (dl_sodium_get()->sodium_bin2base64)
#define sodium_base642bin (dl_sodium_get()->sodium_base642bin)
#define randombytes_buf (dl_sodium_get()->randombytes_buf)
#define randombytes_uniform (dl_sodium_get()->randombytes_uniform)
#define crypto_auth_hmacsha256_init (dl_sodium_get()->crypto_auth_hmacsha256_init)
#define crypto_auth_hmacsha256_update (dl_sodium_get()->crypto_auth_hmacsha256_update)
#define crypto_auth_hmacsha256_final (dl_sodium_get()->crypto_auth_hmacsha256_final)
#define crypto_pwhash (dl_sodium_get()->crypto_pwhash)
#define crypto_secretbox_easy (dl_sodium_get()->crypto_secretbox_easy)
#define crypto_secretbox_open_easy (dl_sodium_get()->crypto_secretbox_open_easy)
#define crypto_aead_xchacha20poly1305_ietf_encrypt (dl_sodium_get()->crypto_aead_xchacha20poly1305_ietf_encrypt)
#define crypto_aead_xchacha20poly1305_ietf_decrypt (dl_sodium_get()->crypto_aead_xchacha20poly1305_ietf_decrypt)
#endif

#endif
