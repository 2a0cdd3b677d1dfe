/* dl_libs: the tables of the libraries dynlib.h loads on demand. */
#include <stddef.h>

#define DL_LIBS_IMPL
#include "dl_sodium.h"
#include "dl_yaml.h"
#include "dl_seccomp.h"

/* Idempotent; picks the implementations. A failure (no entropy source yet,
 * early at boot) does not fail the load: base64 does not need randomness,
 * and secrets_gen_init() checks sodium_init() itself. */
static int sodium_loaded(void) {
        int r = dl_sodium_fns.sodium_init();
        (void)r;
        return 0;
}

DYNLIB_DEFINE(sodium, DL_SODIUM_FUNCS, SODIUM_SONAME, sodium_loaded);
DYNLIB_DEFINE(yaml, DL_YAML_FUNCS, YAML_SONAME, NULL);
DYNLIB_DEFINE(seccomp, DL_SECCOMP_FUNCS, SECCOMP_SONAME, NULL);
