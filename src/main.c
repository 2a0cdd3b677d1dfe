/* main: svd's entry point. Parses the command line, loads and validates the
 * configuration, then either prints the check result (--check) or builds the
 * manager and runs the loop until every service has stopped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/close_range.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <ev.h>

#include "config.h"
#include "emergency.h"
#include "graph.h"
#include "dynlib.h"
#include "log.h"
#include "log_watch.h"
#include "init.h"
#include "nofile.h"
#include "profile.h"
#include "reexec.h"
#include "reexec_result.h"
#include "secrets_memfit.h"
#include "snapshot.h"
#include "statefile.h"
#include "statejournal.h"
#include "statereserve.h"
#include "svd.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static void usage(FILE *f) {
        fprintf(f,
                "Usage: svd [OPTIONS]\n"
                "Native process supervisor: starts services in dependency order, restarts them\n"
                "by policy and answers svctl on its control socket.\n\n"
                "  -c, --config FILE   main configuration file (default %s/svd/svd.yaml)\n"
                "      --check         validate the configuration, print the start order, exit\n"
                "      --profile NAME  run the services of this profile or profile set\n"
                "                      (repeatable; overrides profiles: in the main file)\n"
                "  -v, --verbose       log debug messages\n"
                "  -h, --help          show this help\n"
                "  -V, --version       print the version\n",
                SYSCONFDIR);
}

/* The state a daemon-reexec left in fd (a memfd); NULL (and a fresh boot's
 * behaviour for anything it does not name) if it is unreadable or of another
 * format. */
static cJSON *read_state(int fd) {
        char *buf = read_fd_all(fd, 64 << 20);
        cJSON *j = buf ? cJSON_Parse(buf) : NULL;
        free(buf);
        close(fd);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "format"), *v = cJSON_GetObjectItemCaseSensitive(j, "version");
        if (!j || !cJSON_IsString(f) || strcmp(f->valuestring, REEXEC_STATE_FORMAT) != 0 || !cJSON_IsNumber(v) ||
            v->valuedouble != REEXEC_STATE_VERSION) {
                log_err("daemon-reexec: the previous instance's state is unreadable or of another format; "
                        "services it ran are not taken over");
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

/* Descriptors svd inherited must not reach its services. After
 * daemon-reexec that is every descriptor the previous instance kept open for
 * us (sockets, log pipes, the state and secrets-key memfds): a process
 * started before the module owning it takes it back (svd-fdstore, when it
 * has to be started again) would get a copy. On any other start it is what
 * svd's own starter left open (a shell, a container runtime, an initramfs).
 * All of them become close-on-exec at once; owners keep using theirs. */
static void inherited_fds_cloexec(void) {
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return;
        DIR *d = opendir("/proc/self/fd"); /* kernels before 5.11 */
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (fd > 2 && fd != dirfd(d))
                        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        closedir(d);
}

/* The descriptors open now above 2, but skip; -1 ended. NULL if none or
 * out of memory. */
static int *open_fds(int skip) {
        DIR *d = opendir("/proc/self/fd");
        int *v = NULL;
        size_t n = 0;
        struct dirent *de;
        while (d && (de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (fd <= 2 || fd == skip || fd == dirfd(d))
                        continue;
                int *nv = realloc(v, (n + 2) * sizeof(*v));
                if (!nv)
                        break;
                v = nv;
                v[n++] = fd;
                v[n] = -1;
        }
        if (d)
                closedir(d);
        return v;
}

static void print_order(const struct svd_config *cfg) {
        unsigned *wave = calloc(cfg->n_svcs ? cfg->n_svcs : 1, sizeof(unsigned));
        if (!wave)
                return;
        int n = graph_waves(cfg, wave);
        printf("start order (services on one line start in parallel):\n");
        for (int w = 0; w < n; w++) {
                printf("  %d:", w + 1);
                for (size_t i = 0; i < cfg->n_svcs; i++)
                        if (wave[i] == (unsigned)w)
                                printf(" %s%s", cfg->svcs[i].name, cfg->svcs[i].enabled ? "" : " (disabled)");
                printf("\n");
        }
        free(wave);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},
                {"check", no_argument, NULL, 'C'},
                {"profile", required_argument, NULL, 'P'},
                {"verbose", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'V'},
                {"state-format", no_argument, NULL, 'F'},  /* daemon-reexec's compatibility check */
                {"restore-fd", required_argument, NULL, 'R'}, /* set by daemon-reexec only */
                {0},
        };
        usec_t main_mono = now_mono();
        /* No fastbins: a small chunk freed beyond the per-size cache merges
         * with its free neighbours at once. Loading the configuration frees
         * thousands of small YAML nodes between the strings it keeps; in
         * fastbins they stayed unmerged holes that nothing later fits, for
         * good (~40 KiB at 500 services with health checks). svd allocates
         * rarely once running, so the fast path it gives up costs nothing. */
        mallopt(M_MXFAST, 0);
        /* The process's CPU time so far (the execve keeps it; as PID 1 it
         * holds the kernel's boot): the boot figures count svd's own from here */
        usec_t main_cpu = 0, main_cpu_sys = 0;
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0) {
                main_cpu_sys = (usec_t)ru.ru_stime.tv_sec * USEC_PER_SEC + (usec_t)ru.ru_stime.tv_usec;
                main_cpu = (usec_t)ru.ru_utime.tv_sec * USEC_PER_SEC + (usec_t)ru.ru_utime.tv_usec + main_cpu_sys;
        }
        const char *config_file = SYSCONFDIR "/svd/svd.yaml";
        bool check = false;
        int restore_fd = -1;
        char **profiles = NULL; /* --profile, in order */
        /* As PID 1 the kernel hands svd every word of its command line it
         * does not know (single, splash, what follows --), and exiting for
         * any of them would panic it: argument trouble is reported and the
         * boot goes on. Only options that make sense at boot take effect. */
        bool as_init = getpid() == 1;
        if (as_init) {
                init_crash_install(); /* a crash must not end PID 1: a kernel panic */
                reexec_block_signals(); /* (see there) */
                opterr = 0; /* reported below, with what happens instead */
        }
        int c, idx = -1;
        while ((c = getopt_long(argc, argv, "c:vhV", opts, &idx)) != -1) {
                if (as_init && c != 'c' && c != 'P' && c != 'v' && c != 'R') {
                        char name[64];
                        if (idx >= 0)
                                snprintf(name, sizeof(name), "--%s", opts[idx].name);
                        else if (c != '?')
                                snprintf(name, sizeof(name), "-%c", c);
                        else if (optopt)
                                snprintf(name, sizeof(name), "-%c", optopt);
                        else
                                snprintf(name, sizeof(name), "%s", argv[optind - 1]);
                        fprintf(stderr, "svd: ignoring %s option %s (running as PID 1)\n",
                                c == '?' ? "unknown or incomplete" : "inapplicable", name);
                        idx = -1;
                        continue;
                }
                idx = -1;
                switch (c) {
                case 'c':
                        config_file = optarg;
                        break;
                case 'C':
                        check = true;
                        break;
                case 'P':
                        if (strv_push(&profiles, optarg) < 0) {
                                if (!as_init)
                                        return 1;
                                fprintf(stderr, "svd: out of memory: ignoring --profile %s\n", optarg);
                        }
                        break;
                case 'v':
                        log_set_level(LOG_LVL_DEBUG);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("svd %s\n", SVD_VERSION);
                        return 0;
                case 'F':
                        printf("%s %d\n%s\n%s\n", REEXEC_STATE_FORMAT, REEXEC_STATE_VERSION, REEXEC_CAP_KEY_FD,
                               REEXEC_CAP_SECRETS_RESTART);
                        return 0;
                case 'R':
                        restore_fd = atoi(optarg);
                        break;
                default:
                        fprintf(stderr, "svd: see 'svd --help'\n");
                        return 2;
                }
        }
        if (optind < argc && as_init) {
                for (int i = optind; i < argc; i++)
                        fprintf(stderr, "svd: ignoring argument '%s' (running as PID 1)\n", argv[i]);
        } else if (optind < argc) {
                fprintf(stderr, "svd: unexpected argument '%s'; see 'svd --help'\n", argv[optind]);
                return 2;
        }
        /* what a daemon-reexec handed over, for an emergency to hand on */
        int *handed = as_init && restore_fd >= 0 ? open_fds(restore_fd) : NULL;
        inherited_fds_cloexec();

        bool pid1 = !check && init_is_pid1();
        if (pid1)
                init_early_start(); /* a thread, while the configuration is read */
        else if (!check)
                (void)log_nonblocking_start(NULL); /* see log.h; drained once the loop runs */

        struct svd_config *cfg = NULL;
        struct cfg_errors errs = {0};
        int r = config_load(config_file, &cfg, &errs);
        if (r >= 0 && (r = profile_select(cfg, profiles, &errs)) < 0) {
                config_free(cfg);
                cfg = NULL;
        }
        if (r >= 0 && check) /* (a level that cannot fit now: an unlock would be refused) */
                secrets_memfit_warn(cfg, &errs);
        if (pid1)
                init_early_join(); /* single-threaded again, console on 1 and 2 */
        for (size_t i = 0; i < errs.n_warns; i++) {
                if (check)
                        fprintf(stderr, "%s\n", errs.warns[i]);
                else
                        log_warn("config: %s", errs.warns[i]);
        }
        cJSON *restore = restore_fd >= 0 ? read_state(restore_fd) : NULL;
        struct emergency_recovery rec = {
                .config_file = config_file, .profiles = profiles, .argv = argv, .inherited_fds = handed,
        };
        if (r < 0) {
                for (size_t i = 0; i < errs.n; i++)
                        fprintf(stderr, "%s\n", errs.msgs[i]);
                if (errs.n == 0)
                        fprintf(stderr, "svd: %s: %s\n", config_file, strerror(-r));
                else
                        fprintf(stderr, "svd: %s: %zu error%s\n", config_file, errs.n, errs.n == 1 ? "" : "s");
                if (pid1) { /* PID 1 must never exit: that panics the kernel */
                        char why[1024];
                        if (errs.n)
                                snprintf(why, sizeof(why), "the configuration does not load (%zu error%s; first: %s)",
                                         errs.n, errs.n == 1 ? "" : "s", errs.msgs[0]);
                        else
                                snprintf(why, sizeof(why), "the configuration does not load: %s: %s", config_file,
                                         strerror(-r));
                        struct svd_config *ecfg = NULL;
                        (void)config_load_main_only(config_file, &ecfg);
                        rec.restore = restore; /* its services run on: handed on once the file is fixed */
                        emergency_run(ecfg, why, errs.msgs, errs.n, &rec);
                }
                cJSON_Delete(restore);
                free(handed);
                strv_free(profiles);
                cfg_errors_free(&errs);
                return 1;
        }
        cfg_errors_free(&errs);

        if (check) {
                cJSON_Delete(restore);
                free(handed);
                printf("%s: OK, %zu service%s, %zu slice%s\n", config_file, cfg->n_svcs,
                       cfg->n_svcs == 1 ? "" : "s", cfg->n_slices, cfg->n_slices == 1 ? "" : "s");
                /* where svctl has to look (its own default: PROTO_DEFAULT_SOCKET) */
                printf("control socket: %s\n", cfg->control_socket);
                printf("state: %s, logs: %s, runtime files: %s\n", cfg->state_dir, cfg->log_dir, cfg->run_dir);
                print_order(cfg);
                profile_print_check(cfg, stdout);
                config_free(cfg);
                strv_free(profiles);
                return 0;
        }

        if (pid1)
                init_early_config(cfg);

        struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
        if (!loop) {
                fprintf(stderr, "svd: cannot initialise the event loop\n");
                if (pid1) {
                        rec.restore = restore;
                        emergency_run(cfg, "cannot initialise the event loop", NULL, 0, &rec);
                }
                cJSON_Delete(restore);
                free(handed);
                config_free(cfg);
                strv_free(profiles);
                return 1;
        }
        log_watch_attach(loop);
        dynlib_set_loop(loop);
        /* svd was killed, or a re-exec's state is unreadable: take the
         * services over from the state file (by PID and start time) */
        if (!restore && !pid1 && (restore = statefile_load_orphaned(cfg))) {
                cJSON_AddTrueToObject(restore, "adopt");
                if (restore_fd >= 0)
                        log_warn("daemon-reexec: falling back to %s/state.json", cfg->run_dir);
        }
        nofile_raise(restore); /* before svd_init: svd-fdstore inherits it */
        struct svd m;
        r = svd_init(&m, loop, cfg, restore);
        m.cli_profiles = profiles; /* reloads select the same profiles */
        m.argv = argv;
        if (r < 0) {
                /* the cause, as svd_init logged it */
                char why[600];
                snprintf(why, sizeof(why), "startup failed: %s", *log_last_error() ? log_last_error() : strerror(-r));
                log_err("startup failed: %s", strerror(-r));
                svd_done(&m); /* (with the state, if one was given) */
                if (pid1) {
                        rec.restore_lost = restore_fd >= 0;
                        nofile_lower(); /* a new start from the emergency must find what svd found */
                        emergency_run(cfg, why, NULL, 0, &rec);
                }
                free(handed);
                config_free(cfg);
                return 1;
        }
        free(handed);
        reexec_result_init(&m.reexec_result, restore_fd >= 0); /* (the exec happened) */
        m.main_mono = main_mono;
        m.main_cpu_usec = main_cpu;
        m.main_cpu_sys_usec = main_cpu_sys;
        /* A child that exited while the previous instance was executing us
         * (daemon-reexec: its svd-probe, for one) raised a SIGCHLD nobody
         * handled: reap now, not at the next child's exit. */
        ev_feed_signal(SIGCHLD);
        log_info("svd %s: %zu services from %s, control socket %s", SVD_VERSION, cfg->n_svcs, config_file,
                 cfg->control_socket);
        /* what a killed svd started after its last state write (before
         * anything starts here) */
        statereserve_open(&m); /* (first: the journal's header may need it) */
        statejournal_open(&m);
        if (m.restore) {
                snapshot_restore(&m);
                cJSON_Delete(m.restore);
                m.restore = NULL;
        } else
                svd_boot(&m);
        /* Loading the configuration parsed every file into node trees that
         * are gone now: give those pages back, svd lives for months. */
        malloc_trim(0);
        ev_run(loop, 0);
        /* No loop drains svd's lines any more: from here to the reboot(2)
         * or the exit they may wait for a slow console, 3 s in all. */
        log_watch_detach(3000);
        int action = m.shutdown_action;
        bool for_good = m.shutting_down; /* (the loop ends only for a shutdown) */
        cfg = m.cfg; /* a reload may have replaced it */
        svd_done(&m);
        config_free(cfg);
        strv_free(profiles);
        ev_loop_destroy(loop);
        if (pid1)
                init_finish(action); /* does not return */
        if (for_good)
                init_end_children(); /* svd-fdstore was told to quit (svd_done) */
        log_info("svd exiting");
        return 0;
}
