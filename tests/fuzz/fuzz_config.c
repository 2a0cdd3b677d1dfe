/* fuzz_config: libFuzzer target for the YAML config loader. Each input is
 * written as a service file (services/fz.yaml) beside a fixed service the
 * input may depend on (db.yaml) and a minimal main file, then the whole
 * generation is loaded with config_load() and everything is freed, so ASan's
 * leak check covers the error paths too. An input whose first line is
 * "# fuzz: main" replaces the main file instead, and "# fuzz: slice" becomes a
 * slice file (cgroups/fz.yaml): the three kinds of file share the parser but
 * not the key tables. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[64];
static char main_path[128], svc_path[128], slice_path[128];

static const char main_yaml[] = "services_dir: services\n"
                                "slices_dir: cgroups\n"
                                "state_dir: state\n"
                                "log_dir: log\n"
                                "run_dir: run\n"
                                "defaults:\n"
                                "  backoff: { initial: 100ms, max: 2s }\n";

static void write_file(const char *path, const uint8_t *data, size_t size)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                abort();
        while (size > 0) {
                ssize_t n = write(fd, data, size);
                if (n <= 0)
                        abort();
                data += n;
                size -= (size_t)n;
        }
        close(fd);
}

static void cleanup(void)
{
        char p[192];
        const char *files[] = {"services/fz.yaml", "services/db.yaml", "cgroups/fz.yaml", "svd.yaml"};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
                unlink(p);
        }
        snprintf(p, sizeof(p), "%s/services", dir);
        rmdir(p);
        snprintf(p, sizeof(p), "%s/cgroups", dir);
        rmdir(p);
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *tmp = getenv("TMPDIR");
        char p[192];
        snprintf(dir, sizeof(dir), "%s/svd-fuzz.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
        if (!mkdtemp(dir))
                abort();
        snprintf(p, sizeof(p), "%s/services", dir);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/cgroups", dir);
        mkdir(p, 0755);
        snprintf(main_path, sizeof(main_path), "%s/svd.yaml", dir);
        snprintf(svc_path, sizeof(svc_path), "%s/services/fz.yaml", dir);
        snprintf(slice_path, sizeof(slice_path), "%s/cgroups/fz.yaml", dir);
        snprintf(p, sizeof(p), "%s/services/db.yaml", dir);
        static const char db[] = "command: [sleep, \"1000\"]\nsecrets:\n  db_pass: { generate: password }\n";
        write_file(p, (const uint8_t *)db, sizeof(db) - 1);
        atexit(cleanup);
        return 0;
}

static bool starts_with(const uint8_t *data, size_t size, const char *prefix)
{
        size_t l = strlen(prefix);
        return size >= l && memcmp(data, prefix, l) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint8_t empty[1];
        /* Reset the three files, then put the input in its place. */
        write_file(main_path, (const uint8_t *)main_yaml, sizeof(main_yaml) - 1);
        unlink(svc_path);
        unlink(slice_path);
        if (starts_with(data, size, "# fuzz: main"))
                write_file(main_path, data, size);
        else if (starts_with(data, size, "# fuzz: slice"))
                write_file(slice_path, data, size);
        else
                write_file(svc_path, size ? data : empty, size);

        struct svd_config *cfg = NULL;
        struct cfg_errors errs = {0};
        int r = config_load(main_path, &cfg, &errs);
        if (r >= 0 && !cfg)
                abort(); /* success must hand out a generation */
        if (r < 0 && cfg)
                abort(); /* out-params untouched on failure */
        if (r == -EINVAL && errs.n == 0)
                abort(); /* an invalid config always says why */
        for (size_t i = 0; i < errs.n; i++)
                if (!errs.msgs[i] || strchr(errs.msgs[i], '\n'))
                        abort(); /* each error is one line */
        config_free(cfg);
        cfg_errors_free(&errs);
        return 0;
}
