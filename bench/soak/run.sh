#!/usr/bin/env bash
# Soak: the whole system under steady load for a long time, with faults every few minutes;
# checks that no daemon's memory grows and that Redis' memory follows retention.
#
#   bench/soak/run.sh                         # 30 minutes at half the measured throughput
#   SOAK_MINUTES=6 SOAK_RATE=1500 bench/soak/run.sh
#
# Fleet: Redis (appendonly, everysec), one gateway, two workers (builtin noop, max-attempts 3),
# one scheduler firing a schedule every second; retention keeps 20,000 executions / 2 minutes.
# Load: `e2e-bench steady` POSTs at SOAK_RATE per second (default: half of a short throughput
# run's figure) over 8 keep-alive connections.
# Faults, one every SOAK_FAULT_MINUTES (3) in turn: kill -9 of worker w1 (restarted at once),
# SIGSTOP of w2 for 10 s, a Redis restart (SHUTDOWN, start again from its AOF), SIGHUP reload of
# the gateway and the workers. SOAK_FAULTS picks some of them, in that order (e.g.
# SOAK_FAULTS="stop-w2" to look at a stopped worker alone).
# Every 30 s: RSS of each daemon, Redis used_memory and the executions retained. At the end:
# each daemon's RSS growth from the end of warm-up (the first sixth of the run, at least 2 min) to
# the end (target: under 10%; w1 is measured from its last restart), Redis memory against the
# retained count, requests by answer, and executions left unfinished after the drain (target 0).
# Every process started here is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
minutes="${SOAK_MINUTES:-30}"
fault_minutes="${SOAK_FAULT_MINUTES:-3}"

need_tools soak redis-server redis-cli curl python3
release_products batch-gateway batch-worker batch-scheduler e2e-bench

dir="$(mktemp -d /tmp/batch-soak.XXXXXX)"
declare -A pid_of=()
extra_pids=()
cleanup() {
    local p
    # A stopped worker cannot act on SIGTERM: let it go on first.
    for p in "${pid_of[@]}" "${extra_pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; done
    stop_pids "${pid_of[@]}" "${extra_pids[@]}"
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "-"; }

port="$(free_port)"
start_redis() {
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec \
        --save '' --daemonize no --logfile "$dir/redis.log" &
    pid_of[redis]=$!
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
    echo "bench/soak: redis-server did not start; see $dir/redis.log" >&2; exit 1
}
start_redis
redis_url="redis://127.0.0.1:$port/0"
ns="soak-$$"

cat > "$dir/batch.conf" <<CONF
[worker]
slots = 64
[log]
level = warning
[retention]
count = 20000
age = 2m
interval = 10s
events-max = 50000
[job "noop"]
kind = builtin
builtin = noop
max-attempts = 3
[schedule "tick"]
job = noop
fixed-rate = 1s
CONF

declare -A port_of=()
start_daemon() {  # name program
    [[ -n "${port_of[$1]:-}" ]] || port_of[$1]="$(free_port)"
    "$bin/$2" --config "$dir/batch.conf" --redis "$redis_url" --namespace "$ns" --id "$1" \
        --listen "127.0.0.1:${port_of[$1]}" 2>>"$dir/$1.log" &
    pid_of[$1]=$!
}
start_daemon w1 batch-worker
start_daemon w2 batch-worker
start_daemon g1 batch-gateway
start_daemon s1 batch-scheduler
gateway="http://127.0.0.1:${port_of[g1]}"
for _ in $(seq 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data '{"jobType":"noop"}' "$gateway/api/orchestration/execute?wait=5" || true)"
    [[ "$code" == 200 ]] && break
    sleep 0.1
done
[[ "$code" == 200 ]] || { echo "bench/soak: the gateway never ran a noop; see $dir/*.log" >&2; exit 1; }

rate="${SOAK_RATE:-}"
if [[ -z "$rate" ]]; then
    tp="$("$bin/e2e-bench" throughput --gateway "$gateway" --redis "$redis_url" --namespace "$ns" --jobs 10000 --connections 32)"
    per="$(sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$tp")"
    rate=$(( per / 2 ))
    echo "measured: $tp; soaking at half: $rate/s"
fi
echo "soak: $minutes min at $rate/s, a fault every $fault_minutes min; load average $(cut -d' ' -f1-3 /proc/loadavg)"

seconds=$(( minutes * 60 ))
"$bin/e2e-bench" steady --gateway "$gateway" --rate "$rate" --seconds "$seconds" --threads 8 --report 30 > "$dir/load.log" &
extra_pids+=($!)
load_pid=$!

warmup=$(( seconds / 6 > 120 ? seconds / 6 : 120 ))
declare -A base=()
w1_restarted_at=0
read -r -a faults <<<"${SOAK_FAULTS:-kill-w1 stop-w2 restart-redis reload}"
for f in "${faults[@]}"; do
    case "$f" in kill-w1|stop-w2|restart-redis|reload) ;; *) echo "bench/soak: SOAK_FAULTS: unknown fault \"$f\" (kill-w1, stop-w2, restart-redis, reload)" >&2; exit 2 ;; esac
done
next_fault=$(( fault_minutes * 60 ))
fault_i=0
printf '%6s %8s %8s %8s %8s %10s %9s  %s\n' t g1_MB w1_MB w2_MB s1_MB redis_MB retained event
t=0
samples=()
while (( t < seconds )); do
    sleep 10
    t=$(( t + 10 ))
    event=""
    if (( t >= next_fault && t < seconds - 60 )); then
        f="${faults[$(( fault_i % ${#faults[@]} ))]}"
        fault_i=$(( fault_i + 1 ))
        next_fault=$(( next_fault + fault_minutes * 60 ))
        case "$f" in
            kill-w1) kill -9 "${pid_of[w1]}"; wait "${pid_of[w1]}" 2>/dev/null || true; start_daemon w1 batch-worker
                     w1_restarted_at=$t; base[w1]="" ;;
            stop-w2) kill -STOP "${pid_of[w2]}"; sleep 10; kill -CONT "${pid_of[w2]}" ;;
            restart-redis) redis-cli -p "$port" shutdown >/dev/null 2>&1 || true; wait "${pid_of[redis]}" 2>/dev/null || true; start_redis ;;
            reload) kill -HUP "${pid_of[g1]}" "${pid_of[w1]}" "${pid_of[w2]}" "${pid_of[s1]}" ;;
        esac
        event="fault:$f"
    fi
    (( t % 30 == 0 )) || [[ -n "$event" ]] || continue
    used="$(redis-cli -p "$port" info memory 2>/dev/null | awk -F: '/^used_memory:/ { printf "%.1f", $2 / 1048576 }')"
    kept="$(redis-cli -p "$port" zcard "batch:{$ns}:recent" 2>/dev/null || echo -)"
    line="$(printf '%6s %8s %8s %8s %8s %10s %9s  %s' "$t" "$(rss_mb "${pid_of[g1]}")" "$(rss_mb "${pid_of[w1]}")" \
        "$(rss_mb "${pid_of[w2]}")" "$(rss_mb "${pid_of[s1]}")" "${used:--}" "${kept:--}" "$event")"
    echo "$line"
    samples+=("$line")
    if (( t >= warmup )) && [[ -z "${base[g1]:-}" ]]; then
        for d in g1 w2 s1; do base[$d]="$(rss_mb "${pid_of[$d]}")"; done
        base[redis]="${used:-0}"
    fi
    # w1 is measured from two minutes after its last restart.
    if (( t >= warmup && t - w1_restarted_at >= 120 )) && [[ -z "${base[w1]:-}" ]]; then base[w1]="$(rss_mb "${pid_of[w1]}")"; fi
done
wait "$load_pid" 2>/dev/null || true
tail -n 1 "$dir/load.log"

# Drain: nothing accepted may stay unfinished.
left=""
for _ in $(seq 120); do
    left="$(redis-cli -p "$port" eval "local n=0 for _,s in ipairs({'queued','running','retrying','cancelling'}) do n=n+redis.call('zcard',KEYS[1]..s) end n=n+redis.call('zcard',KEYS[2]) return n" 2 "batch:{$ns}:by-state:" "batch:{$ns}:leases")"
    [[ "$left" == 0 ]] && break
    sleep 1
done

echo
echo "== soak: $minutes min at $rate/s, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
for d in g1 w1 w2 s1; do
    now="$(rss_mb "${pid_of[$d]}")"
    b="${base[$d]:-}"
    if [[ -n "$b" && "$b" != "-" ]]; then
        growth="$(python3 -c "print(f'{($now - $b) / $b * 100:+.1f}%')")"
        verdict="$(python3 -c "print('ok' if ($now - $b) / $b < 0.10 else 'GROWS')")"
        echo "$d RSS after warm-up ${b} MB, at the end ${now} MB: $growth $verdict"
    else
        echo "$d RSS at the end ${now} MB (restarted too late to measure growth)"
    fi
done
echo "redis used_memory after warm-up ${base[redis]:-?} MB, at the end $(redis-cli -p "$port" info memory | awk -F: '/^used_memory:/ { printf "%.1f", $2 / 1048576 }') MB, retained $(redis-cli -p "$port" zcard "batch:{$ns}:recent") executions (retention: 20,000 / 2 min)"
echo "requests: $(tail -n 1 "$dir/load.log" | sed 's/^steady t=[0-9]*s //')"
echo "unfinished after the drain: $left $([[ "$left" == 0 ]] && echo ok || echo FAIL)"
alive=""
for d in g1 w1 w2 s1; do kill -0 "${pid_of[$d]}" 2>/dev/null && alive+="$d " || alive+="$d(DIED) "; done
echo "daemons at the end: $alive"
[[ "$left" == 0 && "$alive" != *DIED* ]]
