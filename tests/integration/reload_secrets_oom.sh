#!/bin/bash
# A reload whose switch cannot allocate the secrets' per-service table (the
# marks of a rotation's restarts; tests/helpers/failcalloc.so fails the
# second allocation of one byte per service: the first is the switch's own)
# keeps the running configuration, and what it stopped runs again. Before,
# the table was allocated after the switch had replaced the configuration:
# the failure was only logged ("rebuilding the schedule"), the reload went
# on, and the table of the previous reload, sized for fewer services, was
# indexed by the new generation's (out of bounds).
OOM_SIZE=1 OOM_SKIP=1
OOM_EXTRA='secrets:
  tok: { generate: hex, bytes: 16 }'
. "$(dirname "$0")/reload_switch_oom.inc"
