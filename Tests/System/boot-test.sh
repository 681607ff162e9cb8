#!/usr/bin/env bash
# The installed system, booted under a real systemd: Debian 12 in systemd-nspawn
# (see README, "Building and installing", and PLATFORM notes). Installs batch
# into a debootstrap root exactly as the README says, enables Redis, the gateway,
# the scheduler and two workers, boots, and checks: all units active; a job runs;
# reload adds a job type without a restart; a 45 s Redis outage restarts nothing;
# stopping a worker with a job on it is clean; `systemd-analyze security` at 2.0
# or below; a config mistake fails once, clearly, without a restart loop.
#
#   Tests/System/boot-test.sh            (as root; `make check` runs it)
#
# Environment: BOOT_TEST_CACHE (default /var/cache/batch-boot-test) keeps the
# debootstrap root between runs, keyed by its package list; BOOT_TEST_KEEP=1
# leaves the temporary root in place for a post-mortem.
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then exec sudo -n --preserve-env=PATH,BOOT_TEST_CACHE,BOOT_TEST_KEEP "$0" "$@"; fi
    echo "FAIL setup: needs root (or sudo without a password) to debootstrap and boot a container"
    echo "0 passed, 1 failed"
    exit 1
fi

suite=bookworm
packages=systemd,systemd-sysv,dbus,redis-server,libhiredis0.14,libncursesw6,tzdata,procps,curl
units=(redis-server.service batch-gateway.service batch-scheduler.service batch-worker@20190.service batch-worker@20191.service)
batch_units=("${units[@]:1}")
cache=${BOOT_TEST_CACHE:-/var/cache/batch-boot-test}
key=$(printf '%s|minbase|%s\n' "$suite" "$packages" | sha256sum | cut -c1-16)

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
note() { echo "boot-test: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

work="" nspawn_pid="" init_pid="" cgroup_name=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        [ -n "$init_pid" ] && timeout 20 nsenter -t "$init_pid" -a systemctl poweroff >/dev/null 2>&1
        for _ in $(seq 1 300); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$nspawn_pid" 2>/dev/null; then
            note "the container did not power off in 30 s; terminating systemd-nspawn ($nspawn_pid)"
            kill -TERM "$nspawn_pid" 2>/dev/null
            for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$nspawn_pid" 2>/dev/null
        fi
        wait "$nspawn_pid" 2>/dev/null
    fi
    if [ -n "$cgroup_name" ]; then
        # The run's cgroup in the cgroup2 tree (mounted nowhere on the host),
        # deepest first; one with a process left in it stays, and says so.
        mkdir -p "$work/cgroup2"
        unshare -m --propagation private sh -c 'mount -t cgroup2 none "$1" || exit 0
            [ -d "$1/$2" ] || exit 0
            find "$1/$2" -depth -type d -exec rmdir {} + 2>/dev/null || echo "boot-test: cgroup $2 not empty; left in place" >&2' \
            sh "$work/cgroup2" "$cgroup_name"
    fi
    if [ -n "$work" ] && [ -d "$work" ]; then
        if [ "${BOOT_TEST_KEEP:-0}" = 1 ]; then note "kept $work"
        elif findmnt -rn -o TARGET | grep -q "^$work"; then note "mounts remain under $work; left in place"
        else rm -rf --one-file-system "$work"; fi
    fi
    # Whatever ended the run (the last check, a setup failure, a signal).
    echo "$passed passed, $failed failed"
    [ "$failed" -gt 0 ] && [ "$rc" -eq 0 ] && rc=1
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- what the host needs ------------------------------------------------------
scripts/deps.sh boot || { fail "setup: cannot install debootstrap and systemd-container"; exit 1; }

# --- the Debian root, cached by its package list ----------------------------
base="$cache/$suite-$key"
if [ ! -x "$base/root/lib/systemd/systemd" ]; then
    note "building the Debian $suite root (debootstrap, a few minutes) into $base"
    mkdir -p "$cache"
    # A folder of this run's own: two runs at once each build one, the first done keeps it.
    tmp="$base.tmp.$$"
    rm -rf --one-file-system "$tmp"
    mkdir -p "$tmp"
    if ! timeout 1200 debootstrap --variant=minbase --include="$packages" "$suite" "$tmp/root" >"$tmp.log" 2>&1; then
        tail -n 20 "$tmp.log" >&2
        rm -rf --one-file-system "$tmp"
        fail "setup: debootstrap of $suite failed (log in $tmp.log)"
        exit 1
    fi
    rm -f "$tmp/root/var/cache/apt/archives/"*.deb "$tmp.log"
    if [ -x "$base/root/lib/systemd/systemd" ]; then rm -rf --one-file-system "$tmp"
    else rm -rf --one-file-system "$base"; mv "$tmp" "$base"; fi
fi
work=$(mktemp -d /var/tmp/batch-boot-test.XXXXXX)
root="$work/root"
cp -a "$base/root" "$root" || { fail "setup: cannot copy the cached root"; exit 1; }

# --- install, exactly as the README says -----------------------------------
# (README "Building and installing": make install; the example jobs and
# schedules into /etc/batch; enable the units.)
if ! make --no-print-directory install DESTDIR="$root" >"$work/install.log" 2>&1; then
    tail -n 30 "$work/install.log" >&2
    fail "setup: make install DESTDIR=$root failed"
    exit 1
fi
cp "$root/usr/local/share/doc/batch/examples/jobs.conf" "$root/etc/batch/jobs.d/"
cp "$root/usr/local/share/doc/batch/examples/schedules.conf" "$root/etc/batch/schedules.d/"
systemctl --root="$root" enable "${units[@]}" >/dev/null 2>&1 || { fail "setup: systemctl enable"; exit 1; }
# Of the container, not of batch: no login prompts; and its network is a
# loopback only, which systemd-networkd-wait-online would wait on for 2 minutes
# before network-online.target (that the units want) is reached.
systemctl --root="$root" mask console-getty.service getty@tty1.service systemd-networkd-wait-online.service >/dev/null 2>&1
rm -f "$root/etc/machine-id"

# --- boot ----------------------------------------------------------------------
# The host's cgroup v1 tree confuses nspawn: a cgroup2 tree in a private mount
# namespace, and a cgroup of this run's own so that runs side by side never
# share one. A private network: the container's loopback is its own (Redis on
# 6379 and the daemons' ports collide with nothing on the host).
cgroup_name="batch-boot-test-$$"
booted=$(now)
unshare -m --propagation private sh -c '
    umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 1
    mkdir -p "/sys/fs/cgroup/$1" && echo $$ > "/sys/fs/cgroup/$1/cgroup.procs" || exit 1
    exec systemd-nspawn -D "$2" --register=no --keep-unit --private-network --console=read-only -b' \
    sh "$cgroup_name" "$root" </dev/null >"$work/console.log" 2>&1 &
nspawn_pid=$!

# The container's init: systemd, the child of the systemd-nspawn process (not
# the short-lived children of the shell before it execs systemd-nspawn).
for _ in $(seq 1 300); do
    if [ "$(cat "/proc/$nspawn_pid/comm" 2>/dev/null)" = systemd-nspawn ]; then
        for c in $(pgrep -P "$nspawn_pid"); do
            [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] && init_pid=$c
        done
    fi
    [ -n "$init_pid" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$init_pid" ]; then
    tail -n 30 "$work/console.log" >&2
    fail "boot: systemd-nspawn started no init in 30 s"
    exit 1
fi

# Runs a command inside the container.
ct() { timeout "${CT_TIMEOUT:-60}" nsenter -t "$init_pid" -a env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
prop() { ct systemctl show -P "$2" "$1" 2>/dev/null; }
# wait_for SECONDS COMMAND...: true once COMMAND succeeds, false at the deadline.
wait_for() {
    local deadline=$(( $(date +%s) + $1 )); shift
    while true; do
        "$@" >/dev/null 2>&1 && return 0
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}
all_active() { for u in "$@"; do [ "$(prop "$u" ActiveState)" = active ] || return 1; done; }
restarts() { for u in "$@"; do printf '%s=%s ' "$u" "$(prop "$u" NRestarts)"; done; }
pids() { for u in "$@"; do printf '%s=%s ' "$u" "$(prop "$u" MainPID)"; done; }
states() { for u in "$@"; do printf '%s=%s ' "$u" "$(prop "$u" ActiveState)"; done; }
journal() { ct journalctl --no-pager -o cat -n "${2:-30}" -u "$1"; }
batchctl() { ct batchctl "$@"; }
# A systemd time span ("1min 30s", "40s", "500ms") in seconds.
seconds() { echo "$1" | awk '{ t = 0; for (i = 1; i <= NF; i++) { v = $i + 0; u = $i; sub(/^[0-9.]+/, "", u)
    t += (u == "min") ? v * 60 : (u == "h") ? v * 3600 : (u == "ms") ? v / 1000 : (u == "us") ? v / 1e6 : v }; print t }'; }

# 1. Every unit active after boot, none restarted.
if wait_for 120 all_active "${units[@]}"; then
    wall=$(since "$booted")
    # systemd's own clock: from the container manager's start to the last unit active.
    start=$(ct systemctl show -P UserspaceTimestampMonotonic)
    last=0
    for u in "${units[@]}"; do t=$(prop "$u" ActiveEnterTimestampMonotonic); [ "$t" -gt "$last" ] && last=$t; done
    figure=$(awk -v a="$start" -v b="$last" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
    r=$(restarts "${units[@]}")
    if [[ "$r" =~ =[1-9] ]]; then fail "boot: all units active but some restarted: $r"
    else pass "boot: all ${#units[@]} units active in ${figure} s after systemd started (${wall} s from systemd-nspawn), NRestarts 0"; fi
else
    fail "boot: not all units active after 120 s: $(states "${units[@]}")"
    for u in "${batch_units[@]}"; do journal "$u" 10 | sed "s/^/  $u: /"; done
fi

# 2. A job runs end to end. Right after boot the gateway may not have read the
#    workers' registrations yet and answers 503 (unavailable): retried for 30 s.
t0=$(now) ok="" out=""
deadline=$(( $(date +%s) + 30 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
    if out=$(CT_TIMEOUT=90 batchctl trigger report --param date=2026-11-24 --wait 2>&1); then ok=yes; break; fi
    case "$out" in *unavailable*) sleep 0.2 ;; *) break ;; esac
done
if [ -n "$ok" ]; then
    pass "trigger: batchctl trigger report --param date=2026-11-24 --wait exited 0, $(since "$t0") s after all units were active"
else
    fail "trigger: batchctl trigger report --wait failed: $(echo "$out" | tail -n 3)"
fi

# 3. Reload: a new [job] file, then `systemctl reload`; the new type runs, nothing restarted.
reloaded=(batch-gateway.service batch-worker@20190.service batch-worker@20191.service)
before_pids=$(pids "${reloaded[@]}") before_restarts=$(restarts "${reloaded[@]}")
cat >"$root/etc/batch/jobs.d/reload-test.conf" <<'JOB'
[job "hello-reload"]
description = Added while the daemons run, then reloaded
kind = builtin
builtin = echo
param.message = string, max-length 100, default reloaded
JOB
t0=$(now)
if ! ct systemctl reload "${reloaded[@]}" >"$work/reload.out" 2>&1; then
    fail "reload: systemctl reload failed: $(tr '\n' ' ' <"$work/reload.out")"
else
    reload_s=$(since "$t0")
    if wait_for 30 batchctl trigger hello-reload --wait; then
        ran_s=$(since "$t0")
        if [ "$(pids "${reloaded[@]}")" = "$before_pids" ] && [ "$(restarts "${reloaded[@]}")" = "$before_restarts" ]; then
            pass "reload: systemctl reload took ${reload_s} s; the new job type ran ${ran_s} s after it; MainPIDs unchanged, NRestarts 0"
        else
            fail "reload: the new job type ran, but the daemons were restarted: $(pids "${reloaded[@]}") (before: $before_pids)"
        fi
    else
        fail "reload: job type hello-reload not runnable 30 s after systemctl reload: $(batchctl trigger hello-reload 2>&1 | tail -n 1)"
        for u in "${reloaded[@]}"; do journal "$u" 5 | sed "s/^/  $u: /"; done
    fi
fi

# 4. Redis down for 45 s: nothing restarts, and jobs run again within 10 s of its return.
wait_for 30 all_active "${units[@]}"
before_pids=$(pids "${batch_units[@]}") before_restarts=$(restarts "${batch_units[@]}")
if ct systemctl stop redis-server.service; then
    t0=$(now)
    # The outage itself lasts 45 s by design; meanwhile watch that nothing dies.
    while awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a < 45) }'; do sleep 1; done
    during=$(states "${batch_units[@]}")
    ct systemctl start redis-server.service
    t1=$(now)
    back=""
    deadline=$(( $(date +%s) + 30 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if CT_TIMEOUT=20 batchctl trigger noop --wait >/dev/null 2>&1; then back=$(since "$t1"); break; fi
        sleep 0.2
    done
    after_pids=$(pids "${batch_units[@]}") after_restarts=$(restarts "${batch_units[@]}")
    if [ "$after_pids" != "$before_pids" ] || [ "$after_restarts" != "$before_restarts" ]; then
        fail "redis outage: daemons restarted: $after_restarts; MainPIDs $after_pids (before: $before_pids); during the outage: $during; a job ended ${back:-never (30 s)} s after Redis returned"
        for u in "${batch_units[@]}"; do journal "$u" 6 | sed "s/^/  $u: /"; done
    elif [ -z "$back" ]; then
        fail "redis outage: no job ended within 30 s of Redis' return"
    elif awk -v s="$back" 'BEGIN { exit !(s <= 10) }'; then
        pass "redis outage: 45 s down, no daemon restarted (same MainPIDs, NRestarts 0); a job triggered after Redis returned ended ${back} s after it"
    else
        fail "redis outage: a job ended only ${back} s after Redis returned (limit 10 s)"
    fi
else
    fail "redis outage: systemctl stop redis-server failed"
fi

# 5. Stopping a worker while a job runs on it: a clean stop within its timeout,
#    and the job ends in exactly one terminal state.
ns_key() { echo "batch:{default}:$1"; }
hget() { ct redis-cli --raw HGET "$(ns_key "exec:$1")" "$2" 2>/dev/null; }
# Terminal transitions of an execution in the event stream.
terminal_events() {
    ct redis-cli --raw XRANGE "$(ns_key events)" - + 2>/dev/null | awk -v id="$1" '
        function flush() { if (f["id"] == id && f["state"] ~ /^(succeeded|failed|timed_out|cancelled)$/) n++; delete f; k = "" }
        /^[0-9]+-[0-9]+$/ && k == "" { flush(); next }
        { if (k == "") k = $0; else { f[k] = $0; k = "" } }
        END { flush(); print n + 0 }'
}
is_terminal() { case "$(hget "$1" state)" in succeeded|failed|timed_out|cancelled) return 0 ;; *) return 1 ;; esac; }
is_running() { [ "$(hget "$1" state)" = running ]; }
wait_for 30 all_active "${units[@]}"
# Right after the outage above, a refusal that says "try again" (unavailable, a worker still
# registering its job types again) is retried for a while, as a client would.
id="" err=""
deadline=$(( $(date +%s) + 30 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
    out=$(CT_TIMEOUT=30 batchctl trigger sleep --param seconds=20 2>&1) && { id=$(printf '%s\n' "$out" | head -n 1); break; }
    err=$out
    sleep 0.5
done
if [ -z "$id" ]; then
    fail "worker stop: could not trigger a sleep job in 30 s: ${err:-no output}"
elif ! wait_for 30 is_running "$id"; then
    fail "worker stop: execution $id not running after 30 s (state $(hget "$id" state))"
else
    worker=$(hget "$id" worker)
    unit="batch-worker@${worker##*-}.service"
    timeout_s=$(seconds "$(prop "$unit" TimeoutStopUSec)")
    t0=$(now)
    CT_TIMEOUT=120 ct systemctl stop "$unit"
    stop_s=$(since "$t0")
    result=$(prop "$unit" Result) state=$(prop "$unit" ActiveState)
    ended=no; wait_for 90 is_terminal "$id" && ended=yes
    final=$(hget "$id" state) n=$(terminal_events "$id")
    if [ "$state" != inactive ] || [ "$result" != success ]; then
        fail "worker stop: $unit is $state (result $result) after systemctl stop (${stop_s} s)"
        journal "$unit" 8 | sed "s/^/  $unit: /"
    elif awk -v s="$stop_s" -v t="$timeout_s" 'BEGIN { exit !(t > 0 && s >= t) }'; then
        fail "worker stop: $unit took ${stop_s} s, not under its TimeoutStopSec (${timeout_s} s)"
    elif [ "$ended" != yes ] || [ "$n" != 1 ]; then
        fail "worker stop: execution $id is $final with $n terminal events (want exactly 1)"
    else
        pass "worker stop: $unit stopped cleanly in ${stop_s} s (TimeoutStopSec ${timeout_s} s) with a 20 s job on it; the job ended $final, exactly 1 terminal event"
    fi
    ct systemctl start "$unit"
fi

# 6. systemd-analyze security of every installed batch unit.
worst=0 scores=""
for u in "${batch_units[@]}"; do
    score=$(ct systemd-analyze security --no-pager "$u" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    scores="$scores $u=${score:-?}"
    if [ -z "$score" ] || awk -v s="$score" 'BEGIN { exit !(s > 2.0) }'; then worst=1; fi
done
if [ "$worst" = 0 ]; then pass "security: systemd-analyze security at 2.0 or below:$scores"
else fail "security: systemd-analyze security above 2.0 (or unreadable):$scores"; fi

# 6b. The daemons' own view of the process under that hardening (/proc limited
#     to their own pid): process_start_time_seconds in /metrics is today's.
bad="" seen=""
for port in 20200 20290 20190 20191; do
    v=$(ct curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null | awk '$1 == "process_start_time_seconds" { print $2 }')
    seen="$seen $port=${v:-none}"
    awk -v v="${v:-0}" -v now="$(date +%s)" 'BEGIN { exit !(v > now - 86400 && v <= now + 60) }' || bad=yes
done
if [ -z "$bad" ]; then pass "metrics: process_start_time_seconds of every daemon is within the last day:$seen"
else fail "metrics: process_start_time_seconds not within the last day (now $(date +%s)):$seen"; fi

# 7. A config mistake: the unit fails once, says where, and is not restarted in a loop.
unit=batch-worker@20191.service
wait_for 30 all_active "$unit"
printf '[job "broken"]\nkind = builtin\nthis line is not a setting\n' >"$root/etc/batch/jobs.d/zz-broken.conf"
# A reload first: refused (the unit checks the configuration before SIGHUP), the worker runs on.
pid=$(prop "$unit" MainPID)
if CT_TIMEOUT=60 ct systemctl reload "$unit" >/dev/null 2>&1; then
    fail "config mistake: systemctl reload of $unit succeeded with a broken jobs.d file"
elif [ "$(prop "$unit" ActiveState)" != active ] || [ "$(prop "$unit" MainPID)" != "$pid" ]; then
    fail "config mistake: a refused reload left $unit $(prop "$unit" ActiveState), MainPID $(prop "$unit" MainPID) (was $pid)"
else
    pass "config mistake: systemctl reload of $unit refused, the worker runs on (MainPID $pid)"
fi
CT_TIMEOUT=60 ct systemctl restart "$unit" >/dev/null 2>&1
failed_unit() { [ "$(prop "$unit" ActiveState)" = failed ]; }
if ! wait_for 30 failed_unit; then
    fail "config mistake: $unit is $(prop "$unit" ActiveState) 30 s after a restart with a broken jobs.d file"
else
    t0=$(now)
    # Three RestartSec periods (2 s each): a loop would have restarted it by now.
    while awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a < 7) }'; do sleep 0.5; done
    nr=$(prop "$unit" NRestarts) st=$(prop "$unit" ActiveState) code=$(prop "$unit" ExecMainStatus)
    line=$(journal "$unit" 40 | grep -m 1 'zz-broken.conf:3')
    if [ "$st" != failed ] || [ "$nr" != 0 ]; then
        fail "config mistake: $unit restarted in a loop: $st, NRestarts $nr"
    elif [ -z "$line" ]; then
        fail "config mistake: the journal of $unit names no zz-broken.conf:3 (exit $code): $(journal "$unit" 3 | tr '\n' ' ')"
    else
        pass "config mistake: $unit failed once (exit $code), NRestarts 0 after 7 s; journal: $line"
    fi
fi
rm -f "$root/etc/batch/jobs.d/zz-broken.conf"
# The summary line and the exit status come from cleanup.
