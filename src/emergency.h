/* emergency: svd as PID 1 when it cannot run its services: the configuration
 * does not load, or the manager fails to initialise. PID 1 must never exit
 * (that panics the kernel), and an operator must be able to see why and get
 * the machine back. So the emergency state keeps a loop that reaps every
 * child, answers the control socket (status shows the emergency and its
 * cause; poweroff, reboot and halt work for administrators; every other
 * operation is refused with the cause), runs emergency_shell on the console
 * and starts it again when it ends, and treats SIGTERM, SIGUSR2, SIGPWR and SIGINT
 * (Ctrl-Alt-Del) as in normal operation. svctl reload (and SIGHUP) loads
 * the configuration again and, once it loads, executes svd again to boot as
 * it should have (emergency_reload.c). */
#ifndef SVD_EMERGENCY_H
#define SVD_EMERGENCY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "proto.h"

struct svd;
struct svd_config;
struct control_peer;

/* At most this many details (e.g. configuration errors) are kept. */
#define EMERGENCY_MAX_DETAILS 50

/* What leaving the emergency state needs: main()'s own. */
struct emergency_recovery {
        const char *config_file; /* loaded again by svctl reload and SIGHUP */
        char **profiles;         /* the --profile selection, NULL for none */
        char **argv;             /* svd's, for the exec */
        /* A daemon-reexec's state that this instance could not take over
         * (the configuration did not load): its services run on, and the
         * exec hands it on (owned by the emergency). */
        cJSON *restore;
        int *inherited_fds; /* the previous instance's descriptors, -1 ended; owned */
        /* A daemon-reexec's state was given and is gone (taken, then the
         * manager failed): a new start could run its services twice, so
         * svctl reload refuses. */
        bool restore_lost;
};

/* Never returns. cfg (may be NULL: built-in defaults) gives the control
 * socket, admin group, emergency shell and Ctrl-Alt-Del action; it is owned
 * by the emergency from here on. reason is one line; details are extra lines
 * (copied). rec (may be NULL: no svctl reload) is copied; what it points to
 * is owned by the emergency from here on. A poweroff/reboot/halt request
 * ends in init_finish(). */
void emergency_run(struct svd_config *cfg, const char *reason, char *const *details, size_t n_details,
                   const struct emergency_recovery *rec) __attribute__((noreturn));

/* control_handle() routes every request but version here while m->emergency
 * is set. */
cJSON *emergency_op(struct svd *m, enum proto_op op, const cJSON *req, const struct control_peer *peer);

#endif
