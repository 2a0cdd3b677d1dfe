#!/bin/bash
# svctl_logs_select: --since and --stream select lines by their timestamp
# and stream; a service whose log has no timestamps (logging.timestamps:
# false) has neither, so instead of leaving out all its lines without a
# word svctl says so on stderr, naming the service and the option, shows
# the other services' lines and exits 1; without those options its lines
# are shown (exit 0).
. "$(dirname "$0")/lib.sh"

service plain <<'YAML'
command: ["sh", "-c", "echo plain-out; echo plain-err >&2; exec sleep 100000"]
logging: { timestamps: false }
YAML
service stamped <<'YAML'
command: ["sh", "-c", "echo stamped-out; exec sleep 100000"]
YAML
start_svd
wait_for grep -q plain-err "$T/log/plain.log"
wait_for grep -q plain-out "$T/log/plain.log"
wait_for grep -q stamped-out "$T/log/stamped.log"

svctl logs plain > "$T/o" || fail "logs plain: exit $?"
grep -qx plain-out "$T/o" && grep -qx plain-err "$T/o" || fail "logs plain: $(cat "$T/o")"

for opts in "--since 1h" "--stream err" "-n 5 --since 1h" "-n 5 --stream out"; do
        rc=0
        # shellcheck disable=SC2086 # words on purpose
        svctl logs plain $opts > "$T/o" 2> "$T/e" || rc=$?
        [ "$rc" = 1 ] || fail "logs plain $opts: exit $rc (want 1): $(cat "$T/o" "$T/e")"
        [ -s "$T/o" ] && fail "logs plain $opts printed: $(cat "$T/o")"
        grep -q "^svctl: plain: its log files have no timestamps (logging.timestamps: false): --s.* cannot select" "$T/e" ||
                fail "logs plain $opts: $(cat "$T/e")"
        rc=0
        # shellcheck disable=SC2086
        svctl logs $opts > "$T/o" 2> "$T/e" || rc=$?
        [ "$rc" = 1 ] || fail "logs $opts: exit $rc (want 1): $(cat "$T/o" "$T/e")"
        grep -q "^svctl: plain: its log files have no timestamps" "$T/e" || fail "logs $opts: $(cat "$T/e")"
        [ "$(grep -c . "$T/e")" = 1 ] || fail "logs $opts: $(cat "$T/e")"
        case "$opts" in
        *err*) [ -s "$T/o" ] && fail "logs $opts: $(cat "$T/o")" ;;
        *) grep -q "^stamped .* out stamped-out$" "$T/o" || fail "logs $opts: $(cat "$T/o")" ;;
        esac
done
echo ok
