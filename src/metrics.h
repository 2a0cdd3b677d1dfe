/* metrics: Prometheus text exposition (format 0.0.4) of every service, built
 * from the same data as `svctl status` (state, health, restarts, OOM kills,
 * cgroup v2 usage, dropped log bytes). One renderer serves both the "metrics"
 * control op (`svctl metrics`) and the metrics.textfile writer, which replaces
 * the file atomically (temp file + rename) every metrics.interval for
 * node_exporter's textfile collector. */
#ifndef SVD_METRICS_H
#define SVD_METRICS_H

#include <cjson/cJSON.h>

struct svd;

/* Room for any text metrics_format_value() writes, the NUL included. */
#define METRICS_VALUE_MAX 32
/* A sample value as the exposition shows it: an integer (below 2^63 in
 * magnitude) in plain digits, any other number in the shortest of %.15g,
 * %.16g and %.17g that strtod() reads back as the same double (7.135849,
 * not 7.1358490000000003), NaN, +Inf, -Inf. Returns buf. */
const char *metrics_format_value(double v, char buf[static METRICS_VALUE_MAX]);

/* malloc'd text, NULL when out of memory. */
char *metrics_render(struct svd *m);
/* "metrics": {"ok":true,"text":"..."} */
cJSON *metrics_op(struct svd *m);
/* Writes <path> atomically (through <path>.tmp, created with O_EXCL in the
 * directory reached by safedir_open, which it creates if missing); 0 or
 * -errno (safedir_strerror). */
int metrics_write_file(struct svd *m, const char *path);

/* Starts the textfile timer when metrics.textfile is set. */
int metrics_start(struct svd *m);
/* Stops it and removes the file (stale "up" values must not outlive svd). */
void metrics_stop(struct svd *m);
/* After a reload switched m->cfg: the same file goes on (at the new
 * interval); a file the new configuration no longer names is removed, and
 * the one it names (if any) is written from now on. */
int metrics_reload(struct svd *m);

#endif
