/* dynlib: libraries svd uses only now and then, loaded while they are needed.
 *
 * libyaml is needed while a configuration is read, libseccomp while a filter
 * is built (once per distinct sandbox; sandbox_seccomp.c caches the result)
 * and libsodium for re-exec snapshots and secrets. Linked
 * normally, their code and relocated data would stay mapped for svd's whole
 * life: about 600 KiB of PSS, more than the rest of svd with 200 services.
 * Each is dlopen()ed by its soname (found by configure) on first use and
 * dlclose()d once nobody holds it, just before the event loop next sleeps (a
 * burst of uses loads it once; the whole config load before the loop runs,
 * once). Without a loop it stays until dynlib_unload_idle().
 *
 * Holders call dynlib_acquire()/dynlib_release() around work that can fail
 * cleanly; dl_*.h redirect the library's function names to the loaded table
 * and load on use as a safety net (dynlib_need(): a load failure there is
 * fatal, so every entry point acquires first). */
#ifndef SVD_DYNLIB_H
#define SVD_DYNLIB_H

#include <stddef.h>

struct ev_loop;

struct dynlib {
        const char *soname;
        const char *const *names; /* symbols, NULL-terminated */
        void **fns;               /* one slot per name */
        int (*on_load)(void);     /* after the symbols are resolved; < 0 fails the load */
        void *handle;
        unsigned refs;
        struct dynlib *next;      /* registered (loaded at least once) */
};

/* A library's table of functions, from its X-macro list FUNCS(X): struct
 * dl_NAME_fns, the dynlib dl_NAME, and dl_NAME_get() (loads on use). */
#define DYNLIB_FIELD_(f) __typeof__(f) *f;
#define DYNLIB_DECLARE(name, FUNCS)                                     \
        struct dl_##name##_fns {                                        \
                FUNCS(DYNLIB_FIELD_)                                    \
        };                                                              \
        extern struct dynlib dl_##name;                                 \
        extern struct dl_##name##_fns dl_##name##_fns;                  \
        static inline struct dl_##name##_fns *dl_##name##_get(void) {   \
                if (!dl_##name.handle)                                  \
                        dynlib_need(&dl_##name);                        \
                return &dl_##name##_fns;                                \
        }

/* The definitions that go with DYNLIB_DECLARE (in one .c file). */
#define DYNLIB_NAME_(f) #f,
#define DYNLIB_DEFINE(name, FUNCS, soname_, on_load_)                   \
        struct dl_##name##_fns dl_##name##_fns;                         \
        static const char *const dl_##name##_names[] = { FUNCS(DYNLIB_NAME_) NULL }; \
        struct dynlib dl_##name = { .soname = soname_, .names = dl_##name##_names, \
                                    .fns = (void **)&dl_##name##_fns, .on_load = on_load_ }

/* Loads l if needed and holds it. 0, or -errno with why set. */
int dynlib_acquire(struct dynlib *l, char *why, size_t wl);
/* Drops a hold; the library goes once no hold is left (see above). */
void dynlib_release(struct dynlib *l);
/* Loads l (no hold) or exits with a message: for the redirected calls. */
void dynlib_need(struct dynlib *l);
/* Unloads happen when this loop next sleeps (NULL: only dynlib_unload_idle()). */
void dynlib_set_loop(struct ev_loop *loop);
/* Unloads every library nobody holds, now. */
void dynlib_unload_idle(void);

#endif
