/* svctl_metrics: svctl commands with options of their own: `metrics`
 * (Prometheus text exposition), `events [-f] [-n N] [--json]` (state and
 * health changes) and the hidden `__complete WHAT` helper for shell
 * completion. Each parses its own argv and returns svctl's exit code. */
#ifndef SVD_SVCTL_METRICS_H
#define SVD_SVCTL_METRICS_H

int svctl_metrics_main(int argc, char **argv);
int svctl_events_main(int argc, char **argv);
int svctl_complete_main(int argc, char **argv);

#endif
