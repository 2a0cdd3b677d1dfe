/* dl_seccomp: libseccomp: building and checking syscall filters, loaded on demand (dynlib.h).
 * Include instead of seccomp.h: its function names then call through
 * the loaded table. */
#ifndef SVD_DL_SECCOMP_H
#define SVD_DL_SECCOMP_H

#include <seccomp.h>

#include "dynlib.h"

#define DL_SECCOMP_FUNCS(X) \
        X(seccomp_init) \
        X(seccomp_release) \
        X(seccomp_attr_set) \
        X(seccomp_rule_add) \
        X(seccomp_export_bpf) \
        X(seccomp_syscall_resolve_name)

DYNLIB_DECLARE(seccomp, DL_SECCOMP_FUNCS)

#ifndef DL_LIBS_IMPL
#define seccomp_init (dl_seccomp_get()->seccomp_init)
#define seccomp_release (dl_seccomp_get()->seccomp_release)
#define seccomp_attr_set (dl_seccomp_get()->seccomp_attr_set)
#define seccomp_rule_add (dl_seccomp_get()->seccomp_rule_add)
#define seccomp_export_bpf (dl_seccomp_get()->seccomp_export_bpf)
#define seccomp_syscall_resolve_name (dl_seccomp_get()->seccomp_syscall_resolve_name)
#endif

#endif
