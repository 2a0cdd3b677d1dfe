/* profile: which services belong to this run, and which can run on this
 * host. Profiles select optional parts of a stack: a service that declares
 * profiles: is in the run only when one of them is selected (main file
 * profiles:, or svd --profile, which wins); a service without profiles is
 * always in. A selected name may be a profile set (profile_sets:, with the
 * built-in minimal, recommended and full), and a set's list may name a set. A service that declares profiles:
 * or install_hint: and whose program is not installed is "disabled", not a
 * crash loop; its dependents are blocked with the reason. */
#ifndef SVD_PROFILE_H
#define SVD_PROFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

struct svc;

/* Expands the selection (cli, NULL-terminated, overrides c->profiles) and
 * marks every service not in it (svc_config.not_in_profile). An unknown name
 * is an error in errs, with the known names; one from cli is named as svd's
 * command line's (it is kept for reloads), not as the main file's. A member
 * of one of the main file's profile_sets that names nothing known is a
 * warning in errs (whether or not the set is selected). -EINVAL or -ENOMEM. */
int profile_select(struct svd_config *c, char *const *cli, struct cfg_errors *errs);

/* Why cfg cannot run here ("disabled: not in profile ...", "disabled: PATH not
 * installed ..."), written to why; false if it can. Looks at cfg only. */
bool profile_unavailable(const struct svd_config *c, const struct svc_config *cfg, char *why, size_t len);

/* For svc_dispatch: true (with s->reason set) when s must not start, because
 * it or a dependency (transitively) is unavailable. */
bool profile_blocked(struct svc *s);

/* The same question without touching s: the reason goes to why (a status
 * shows it for a scheduled job that cannot run). Without memory to walk the
 * dependencies, false (as profile_blocked). */
bool profile_blocked_why(const struct svc *s, char *why, size_t len);

/* svd --check: what each profile set would run on this host. */
void profile_print_check(const struct svd_config *c, FILE *f);

#endif
