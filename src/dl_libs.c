/* dl_libs: the tables of the libraries dynlib.h loads on demand. */
#include <stddef.h>

#define DL_LIBS_IMPL
#include "dl_sodium.h"
#include "dl_yaml.h"
#include "dl_seccomp.h"

struct dl_sodium_fns dl_sodium_fns;
static const char *const sodium_names[] = {
#define DL_X(f) #f,
        DL_SODIUM_FUNCS(DL_X)
#undef DL_X
        NULL
};

/* Idempotent; picks the implementations. A failure (no entropy source yet,
 * early at boot) does not fail the load: digests do not need randomness,
 * and secrets_gen_init() checks sodium_init() itself. */
static int sodium_loaded(void) {
        int r = dl_sodium_fns.sodium_init();
        (void)r;
        return 0;
}
struct dynlib dl_sodium = { .soname = SODIUM_SONAME, .names = sodium_names, .fns = (void **)&dl_sodium_fns, .on_load = sodium_loaded };

struct dl_yaml_fns dl_yaml_fns;
static const char *const yaml_names[] = {
#define DL_X(f) #f,
        DL_YAML_FUNCS(DL_X)
#undef DL_X
        NULL
};
struct dynlib dl_yaml = { .soname = YAML_SONAME, .names = yaml_names, .fns = (void **)&dl_yaml_fns, .on_load = NULL };

struct dl_seccomp_fns dl_seccomp_fns;
static const char *const seccomp_names[] = {
#define DL_X(f) #f,
        DL_SECCOMP_FUNCS(DL_X)
#undef DL_X
        NULL
};
struct dynlib dl_seccomp = { .soname = SECCOMP_SONAME, .names = seccomp_names, .fns = (void **)&dl_seccomp_fns, .on_load = NULL };
