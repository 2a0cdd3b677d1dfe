#!/bin/bash
# A reload whose switch cannot allocate the new generation's scheduling
# tables (tests/helpers/failcalloc.so fails the second allocation of one
# size_t per service: the first is the switch's service array) keeps the
# running configuration, and what it stopped runs again, as for any other
# allocation of the switch. Before, the tables were allocated after the
# switch had replaced the configuration: the failure was only logged
# ("rebuilding the schedule") and svd, without its queue, crashed at the
# next state change.
OOM_SIZE=8 OOM_SKIP=1
OOM_EXTRA=''
. "$(dirname "$0")/reload_switch_oom.inc"
