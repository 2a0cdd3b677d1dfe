/* secrets_prompt: see secrets_prompt.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "secrets.h"
#include "secrets_prompt.h"
#include "spawn.h"
#include "svd.h"
#include "util.h"

#define PROMPT_RETRY_S 1.0

const char *secrets_prompt_console(const struct svd *m) {
        const char *c = m->cfg->secrets_console;
        if (c)
                return strcmp(c, "none") == 0 ? NULL : c;
        return getpid() == 1 ? "/dev/console" : NULL;
}

/* svctl next to svd (a build tree, or both in one directory), else the
 * installed one. */
static char *svctl_path(void) {
        char *p = svd_helper_path("svctl");
        if (p && access(p, X_OK) == 0)
                return p;
        free(p);
        return strdup(BINDIR "/svctl");
}

static bool still_locked(const struct svd *m) {
        return m->cfg->secrets_passphrase && m->secrets && secrets_status(m) == SECRETS_LOCKED &&
               !m->shutting_down;
}

static void spawn_prompt(struct svd *m) {
        const char *tty = secrets_prompt_console(m);
        if (!tty || m->prompt_pid > 0 || !still_locked(m))
                return;
        _cleanup_(freep) char *path = svctl_path();
        int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (!path || fd < 0) {
                log_warn("secrets: cannot ask for the passphrase on %s: %s; use 'svctl unlock'", tty,
                         strerror(path ? errno : ENOMEM));
                if (fd >= 0)
                        close(fd);
                return;
        }
        if (!isatty(fd)) {
                log_warn("secrets: %s is not a terminal; use 'svctl unlock'", tty);
                close(fd);
                return;
        }
        char *argv[] = { "svctl", "-s", m->cfg->control_socket, "unlock", NULL };
        char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
        struct spawn_req req = {
                .path = path,
                .argv = argv,
                .envp = envp,
                .stdin_fd = fd,
                .stdout_fd = fd,
                .stderr_fd = fd,
                .extra_fd = -1,
                .cgroup_procs_fd = -1,
                .cgroup_fd = -1,
        };
        struct spawn_error se = { 0 };
        pid_t pid;
        int r = spawn_start(&req, &pid, &se);
        close(fd);
        if (r < 0) {
                log_warn("secrets: cannot run %s on %s: %s: %s; use 'svctl unlock'", path, tty,
                         spawn_stage_name(se.stage), strerror(se.err ? se.err : -r));
                return;
        }
        m->prompt_pid = pid;
        log_info("secrets: asking for the passphrase on %s", tty);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        spawn_prompt(w->data);
}

void secrets_prompt_start(struct svd *m) {
        ev_timer_init(&m->prompt_retry, retry_cb, PROMPT_RETRY_S, 0.);
        m->prompt_retry.data = m;
        spawn_prompt(m);
}

void secrets_prompt_stop(struct svd *m) {
        if (m->prompt_retry.data)
                ev_timer_stop(m->loop, &m->prompt_retry);
        if (m->prompt_pid > 0)
                kill(m->prompt_pid, SIGTERM); /* reaped by child_cb, which then asks no more */
}

void secrets_prompt_unlocked(struct svd *m, pid_t by) {
        if (m->prompt_pid > 0 && m->prompt_pid == by) {
                ev_timer_stop(m->loop, &m->prompt_retry);
                return; /* it prints "secrets unlocked" and exits */
        }
        secrets_prompt_stop(m);
}

bool secrets_prompt_child_exited(struct svd *m, pid_t pid, int status) {
        if (pid <= 0 || pid != m->prompt_pid)
                return false;
        m->prompt_pid = 0;
        if (!still_locked(m))
                return true;
        /* a wrong passphrase (svctl said so on the terminal), an empty line
         * or end of input: ask again, not in a tight loop */
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                log_info("secrets: the console prompt ended (%s %d); asking again",
                         WIFEXITED(status) ? "exit" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        ev_timer_stop(m->loop, &m->prompt_retry);
        ev_timer_set(&m->prompt_retry, PROMPT_RETRY_S, 0.);
        ev_timer_start(m->loop, &m->prompt_retry);
        return true;
}
