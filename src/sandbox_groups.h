/* sandbox_groups: the named system-call groups a service's seccomp: setting
 * may use (@mount, @system-service, ...), defined once as plain data. An
 * entry of a group is a system-call name or another "@group". Names that the
 * running architecture does not have are skipped when a filter is built, so
 * the lists may name calls of any architecture. Pure data: no libseccomp. */
#ifndef SVD_SANDBOX_GROUPS_H
#define SVD_SANDBOX_GROUPS_H

#include <stddef.h>

/* The members of group name ("@mount"), NULL-terminated; NULL if unknown. */
const char *const *sbx_group_get(const char *name);

/* Every group name, NULL-terminated, in table order (for messages). */
const char *const *sbx_group_names(void);

/* The groups the default profile denies, NULL-terminated. */
extern const char *const sbx_default_deny[];

#endif
