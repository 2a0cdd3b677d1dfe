#!/bin/bash
# Health checks at their edges (each case a bug once):
# - a tcp/http timeout svd-probe would refuse (over 1h) is a config error;
# - a daemon-reexec while a notify service reloads: its READY=1 afterwards
#   runs its check (svd used to crash: the restored service had no watchers);
# - start_timeout bounds the wait for the first "healthy" only: a service
#   that was healthy and turns unhealthy (on_unhealthy: none) keeps running;
# - a second READY=1 (end of a reload) does not make an unhealthy service
#   healthy: its check decides;
# - an exec check leaves no process behind, even one it put in the background;
# - a stuck svd-probe (alive, not answering) is noticed, killed and restarted;
#   its overdue checks count against no service.
. "$(dirname "$0")/lib.sh"

# --- a tcp timeout over 1h: refused at load, with file:line:col and key
service long <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: 127.0.0.1:1
  timeout: 2h
EOF
out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) && fail "timeout 2h accepted: $out"
echo "$out" | grep -q "services/long.yaml:4:12: healthcheck.timeout: must be at most 1h for tcp and http checks" ||
        fail "no positioned error for timeout 2h: $out"
rm "$T/services/long.yaml"

# --- an http check whose request, every field within its limit, would not
# fit svd-probe's 64 KiB packet once JSON-escaped (32 headers of 1 KiB of
# '"', two bytes each): refused at load with file:line:col and key, not
# accepted and then failed at every probe; 31 such headers fit
big_check() { # N: a service file with N such headers
        local v
        v=$(printf '"%.0s' $(seq 1019))
        printf 'command: [sleep, "1000"]\nhealthcheck:\n  http:\n    url: http://127.0.0.1:1/\n    headers:\n'
        for i in $(seq -w 1 "$1"); do printf "      H$i: '%s'\n" "${v//\'/\'\'}"; done
}
big_check 32 > "$T/services/big.yaml"
out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) && fail "an http check over the packet size accepted"
echo "$out" | grep -q "services/big.yaml:4:5: healthcheck.http: the request to svd-probe would be [0-9]* bytes, over its limit of 65536" ||
        fail "no positioned error for an http check over the packet size: $out"
big_check 31 > "$T/services/big.yaml"
out=$("$SVD" --check -c "$T/etc/svd.yaml" 2>&1) || fail "31 headers of 1 KiB refused: $out"
rm "$T/services/big.yaml"

PORT=$(free_port)
touch "$T/out/ok" "$T/out/ok2"
mkfifo "$T/out/n.fifo" "$T/out/n2.fifo"
notify_service() { # NAME FILE INTERVAL [MORE]: notifier.py driven through $T/out/NAME.fifo
        printf 'type: notify\ncommand: [python3, %s/tests/helpers/notifier.py, %s/out/%s.fifo]\n' "$TOP_SRCDIR" "$T" "$1"
        printf 'healthcheck:\n  exec: [test, -f, %s/out/%s]\n  start_interval: 100ms\n  interval: %s\n%s' "$T" "$2" "$3" "${4:-}"
}
notify_service n ok 30s | service n
notify_service n2 ok2 300ms "  retries: 1
  on_unhealthy: none
" | service n2
service p <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [test, -f, $T/out/ok]
  start_interval: 100ms
  interval: 200ms
  retries: 1
  start_timeout: 3s
  on_unhealthy: none
EOF
service bg <<EOF
command: [sleep, "1000"]
healthcheck:
  exec: [/bin/sh, -c, 'sleep 7777 & exit 0']
  start_interval: 100ms
  interval: 100ms
EOF
service listener <<EOF
command: [python3, -c, 'import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", $PORT)); s.listen(64); time.sleep(1000)']
EOF
for i in 1 2 3; do
        service t$i <<EOF
command: [sleep, "1000"]
depends_on: [listener]
healthcheck:
  tcp: 127.0.0.1:$PORT
  timeout: 100ms
  start_interval: 100ms
  interval: 1s
  retries: 1
EOF
done
start_svd
t0=$(date +%s.%N)
wait_health() { wait_field "$1" health "$2"; }
for s in n n2 p bg t1 t2 t3; do wait_health $s healthy; done

# --- daemon-reexec while n reloads, then READY=1
echo "send RELOADING=1" > "$T/out/n.fifo"
wait_state n reloading
svctl daemon-reexec > /dev/null || fail "daemon-reexec"
wait_for svctl version
echo "send READY=1" > "$T/out/n.fifo"
wait_state n running
wait_health n healthy
kill -0 "$SVD_PID" 2>/dev/null || fail "svd died after READY=1 following a daemon-reexec"
sleep 0.3
kill -0 "$SVD_PID" 2>/dev/null || fail "svd died after READY=1 following a daemon-reexec"
rm "$T/out/ok2"
wait_health n2 unhealthy
# --- n2: a second READY=1 does not clear "unhealthy"
echo "send READY=1" > "$T/out/n2.fifo"
sleep 1
grep -q "n2: health unhealthy -> healthy" "$T/svd.out" && fail "READY=1 made unhealthy n2 healthy without a passing check"
assert_eq "$(field n2 health)" unhealthy "n2 health after READY=1"
touch "$T/out/ok2"
wait_health n2 healthy

# --- p: healthy, then unhealthy within start_timeout; kept past it
rm "$T/out/ok"
wait_health p unhealthy
while python3 -c "import sys, time; sys.exit(0 if time.time() < $t0 + 4.5 else 1)"; do sleep 0.1; done
assert_eq "$(field p state)" running "p's state after its start_timeout, healthy once"
grep -q "not healthy within start_timeout" "$T/svd.out" && fail "start_timeout failed p, which had been healthy"
touch "$T/out/ok"

# --- bg: its checks' background children do not pile up
leftovers() { pgrep -f "^sleep 7777$" | wc -l; }
for _ in $(seq 10); do
        [ "$(leftovers)" -le 1 ] || fail "exec check leftovers: $(leftovers) 'sleep 7777' processes"
        sleep 0.2
done
svctl stop bg > /dev/null
wait_state bg stopped
no_leftovers() { [ "$(leftovers)" = 0 ]; }
wait_for no_leftovers

# --- a stuck svd-probe: killed after 3 overdue checks, restarted; nobody blamed
live_prober() { for p in $(pgrep -P "$SVD_PID" -x svd-probe); do grep -q '^State:.*Z' /proc/$p/status || echo $p; done; }
old=$(live_prober)
[ -n "$old" ] || fail "no svd-probe"
kill -STOP "$old"
wait_for grep -q "svd-probe (pid $old) answered none of the last 3 overdue checks: killing it" "$T/svd.out"
new_prober() { p=$(live_prober); [ -n "$p" ] && [ "$p" != "$old" ]; }
wait_for new_prober
grep -q "no reply from svd-probe" "$T/svd.out" || fail "overdue checks not logged"
restarted=$(date +%s.%N)
# checks run again through the new svd-probe, and pass
probe_ok() {
        case "$(field "$1" last_probe)" in
        connected*) python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
                            "$restarted" "$(field "$1" last_probe_at)" ;;
        *) return 1 ;;
        esac
}
for i in 1 2 3; do
        wait_for probe_ok t$i
        assert_eq "$(field t$i health)" healthy "t$i health after svd-probe was stuck"
        assert_eq "$(field t$i state)" running "t$i state"
done
grep -Eq "t[123]: health healthy -> unhealthy" "$T/svd.out" && fail "a stuck svd-probe was blamed on a service"

# --- a re-exec leaves no zombie: the old svd-probe exits as the old instance
# executes the new one, whose SIGCHLD handler is not there yet; it reaps at
# start. (Alone: no other child may exit meanwhile and reap it by chance.)
stop_svd || true
find "$T/services" -name '*.yaml' ! -name listener.yaml -delete
service solo <<EOF
command: [sleep, "1000"]
healthcheck:
  tcp: 127.0.0.1:$PORT
  start_interval: 100ms
  interval: 1h
EOF
start_svd
wait_health solo healthy
svctl daemon-reexec > /dev/null || fail "daemon-reexec (solo)"
wait_for svctl version
sleep 1
zombies=$(ps --ppid "$SVD_PID" -o pid=,stat=,comm= | awk '$2 ~ /Z/' || true)
[ -z "$zombies" ] || fail "zombie children after daemon-reexec: $zombies"
echo "ok"
