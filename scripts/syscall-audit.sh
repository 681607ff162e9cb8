#!/usr/bin/env bash
# Which system calls the release daemons make, and whether the units'
# SystemCallFilter= allows each: every daemon runs under `strace -f` against a
# private redis-server while batchctl triggers command, builtin and long jobs,
# cancels one, the daemons get SIGHUP, Redis goes away and comes back, and
# SIGTERM stops them. Jobs count too: they run under the worker's filter.
#   scripts/syscall-audit.sh            (after `make build`; needs strace, redis-server)
# Prints, per daemon, the calls seen and those the unit's filter refuses; exits 1
# when a daemon made a call its installed unit would refuse.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
bin=$(scripts/release-build.sh --show-bin-path)
work=$(mktemp -d /tmp/batch-syscall-audit.XXXXXX)
pids=()
cleanup() { [ -n "${AUDIT_KEEP:-}" ] && cp -r "$work" "$AUDIT_KEEP"; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { local d=$(( $(date +%s) + $1 )); shift; until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -ge "$d" ] && return 1; sleep 0.2; done; }

rport=$(free_port) gport=$(free_port) wport=$(free_port) sport=$(free_port)
start_redis() { redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 & rpid=$!; pids+=("$rpid"); wait_for 10 redis-cli -p "$rport" ping; }
start_redis
export BATCH_REDIS_URL="redis://127.0.0.1:$rport/0" BATCH_NAMESPACE=audit
{
    sed 's/^include = .*//' etc/batch/batch.conf
    sed "s|/usr/lib/batch/libexec|$PWD/etc/batch/libexec|" etc/batch/jobs.d/examples.conf
    printf '[scheduler]\ngateways = http://127.0.0.1:%s\n' "$gport"
    printf '[schedule "tick"]\njob = noop\nfixed-rate = 1s\n'
} >"$work/batch.conf"
export BATCH_CONFIG="$work/batch.conf"

# As the units run them: an unprivileged user without capabilities (a job run
# as root makes calls, capset for one, that it never makes as the batch user).
chmod 0777 "$work"
trace() { local name=$1; shift; setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
    strace -f -qq -o "$work/$name.trace" "$@" 2>"$work/$name.log" & pids+=("$!"); eval "${name}_pid=$!"; }
trace gateway "$bin/batch-gateway" --listen "127.0.0.1:$gport"
trace worker "$bin/batch-worker" --listen "127.0.0.1:$wport"
trace scheduler "$bin/batch-scheduler" --listen "127.0.0.1:$sport"
ctl() { "$bin/batchctl" --gateway "http://127.0.0.1:$gport" "$@"; }
wait_for 60 ctl trigger noop --wait
ctl trigger report --param date=2026-11-24 --wait >/dev/null
ctl trigger echo --wait >/dev/null
ctl trigger fail --param code=3 --wait >/dev/null || true
id=$(ctl trigger sleep --param seconds=30 | head -n 1 | awk '{ print $1 }')
sleep 1; ctl cancel "$id" >/dev/null || true
# The daemons' own processes (strace's pid is the daemon's parent).
daemon() { pgrep -P "$1" | head -n 1; }
for d in gateway worker scheduler; do p=$(daemon "$(eval echo "\$${d}_pid")"); kill -HUP "$p"; done
wait_for 30 ctl trigger noop --wait
kill -TERM "$rpid"; wait "$rpid" 2>/dev/null || true
sleep 5
start_redis
wait_for 60 ctl trigger report --param date=2026-11-25 --wait
for d in gateway worker scheduler; do p=$(daemon "$(eval echo "\$${d}_pid")"); kill -TERM "$p"; done
for d in gateway worker scheduler; do wait "$(eval echo "\$${d}_pid")" || true; done

# Each unit's filter, expanded from its SystemCallFilter= lines as systemd reads
# them: the first allow list sets the calls, later ones add, "~" lines take away.
expand() {
    systemd-analyze syscall-filter "$1" | sed -n 's/^    \([@a-z0-9_-]*\).*/\1/p' | while read -r s; do
        case "$s" in @*) expand "$s" ;; *) echo "$s" ;; esac; done
}
filter_of() {
    : >"$2"
    grep '^SystemCallFilter=' "$1" | cut -d= -f2- | while read -r line; do
        sign=+; case "$line" in "~"*) sign=-; line=${line#\~} ;; esac
        for item in $line; do case "$item" in @*) expand "$item" ;; *) echo "$item" ;; esac; done | sort -u >"$2.items"
        if [ "$sign" = - ]; then comm -23 "$2" "$2.items" >"$2.next"; else sort -u "$2" "$2.items" >"$2.next"; fi
        mv "$2.next" "$2"
    done
}
filter_of etc/systemd/batch-gateway.service.in "$work/gateway.filter"
filter_of etc/systemd/batch-worker@.service.in "$work/worker.filter"
filter_of etc/systemd/batch-scheduler.service.in "$work/scheduler.filter"
status=0
for d in gateway worker scheduler; do
    sed -n 's/^[0-9][0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$work/$d.trace" | sort -u >"$work/$d.calls"
    refused=$(comm -23 "$work/$d.calls" "$work/$d.filter" | tr '\n' ' ')
    echo "$d: $(wc -l <"$work/$d.calls") system calls: $(tr '\n' ' ' <"$work/$d.calls")"
    if [ -z "$refused" ]; then echo "$d: all allowed by the unit's filter"; continue; fi
    echo "$d: REFUSED by the unit's filter: $refused"; status=1
    for call in $refused; do   # who made it: the first such call, and what that process ran
        line=$(grep -m 1 "^[0-9]* *$call(" "$work/$d.trace"); pid=${line%% *}
        echo "  $line"; grep "^$pid *execve(" "$work/$d.trace" | tail -n 1 | cut -c1-160 | sed 's/^/  ran: /'
    done
done
exit $status
