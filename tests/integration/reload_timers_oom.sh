#!/bin/bash
# A reload whose switch cannot allocate the new generation's scheduled
# jobs table (tests/helpers/failcalloc.so fails the fifth allocation of one
# pointer per service: the switch's service array and the scheduling
# tables come first) keeps the running configuration, and what it stopped
# runs again. Before, the table was allocated after the switch had replaced
# the configuration: the failure was only logged, and the half-made table
# (its size set, no array) crashed svd at its next look at a job.
OOM_SIZE=8 OOM_SKIP=4
OOM_EXTRA=''
. "$(dirname "$0")/reload_switch_oom.inc"
