/* config_metrics: the main file's metrics: mapping. svd writes the Prometheus
 * text exposition (the same text as `svctl metrics`) to `textfile` every
 * `interval`, for node_exporter's textfile collector. */
#include <string.h>

#include "config_parse.h"

static const char *const metrics_keys[] = { "textfile", "interval", NULL };

void cp_metrics(struct cload *l, const struct ynode *n)
{
        struct svd_config *c = l->c;
        const struct ynode *v;

        c->metrics_interval = 15 * USEC_PER_SEC;
        if (!n || ynode_is_null(n) || cp_expect_map(l, n, "metrics") < 0)
                return;
        cp_check_keys(l, n, "metrics", metrics_keys);
        if ((v = ynode_get(n, "interval")))
                cp_duration_in(l, v, "metrics.interval", USEC_PER_SEC, CP_DAY, false, &c->metrics_interval);
        if ((v = ynode_get(n, "textfile")) && cp_path(l, v, "metrics.textfile", &c->metrics_textfile) >= 0) {
                size_t len = strlen(c->metrics_textfile);
                /* node_exporter reads only *.prom files */
                if (len < 5 || strcmp(c->metrics_textfile + len - 5, ".prom") != 0)
                        cp_err(l, v, "metrics.textfile", "expected a file name ending in .prom");
        }
}
