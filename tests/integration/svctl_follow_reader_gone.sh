#!/bin/bash
# svctl_follow_reader_gone: "svctl logs -f | head -n 1" and "svctl events -f
# | head -n 1" end as soon as head has its line and exits, also when nothing
# new arrives: a quiet service, no state changes. svctl only noticed the
# closed pipe at its next write, so it sat in the follow, holding svd's
# stream, until the service wrote again (maybe never). It ends as that write
# would have ended it (SIGPIPE, exit status 141), with nothing on stderr.
. "$(dirname "$0")/lib.sh"

service quiet <<'YAML'
command: ["sh", "-c", "echo only-line; exec sleep 100000"]
YAML
start_svd
wait_state quiet running
wait_for grep -q only-line "$T/log/quiet.log"

# follow_head ARGS...: svctl ARGS | head -n 1; its exit status in $T/rc, its
# stderr in $T/e, what head printed in $T/o. The timeout only bounds a hang.
follow_head() {
        local rc
        set +e
        timeout 60 "$SVCTL" -s "$SOCK" "$@" 2> "$T/e" | head -n 1 > "$T/o"
        rc=${PIPESTATUS[0]}
        set -e
        [ "$rc" != 124 ] || fail "svctl $*: still following 60 s after its reader had gone"
        [ "$rc" = 141 ] || fail "svctl $*: exit $rc, want 141 (SIGPIPE): $(cat "$T/e")"
        [ ! -s "$T/e" ] || fail "svctl $*: wrote to stderr: $(cat "$T/e")"
}

# (the past: exactly one line, so svctl writes it before head exits and only
# the follow can notice the reader is gone)
follow_head logs -f -n 1 quiet
grep -q 'only-line$' "$T/o" || fail "logs -f: head got: $(cat "$T/o")"
follow_head events -f -n 1
[ -s "$T/o" ] || fail "events -f: head got nothing"
# (and svd is still there, serving)
svctl status quiet > /dev/null || fail "svd not answering after the follows"
echo ok
