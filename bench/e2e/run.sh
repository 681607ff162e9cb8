#!/usr/bin/env bash
# End-to-end benchmark: batch (one gateway, two workers, builtin `noop` job) next to Celery,
# Dramatiq and RQ (each with 2 worker processes) and Sidekiq (2 processes of `-c 10`, Debian's
# ruby-sidekiq, jobs pushed with perform_async from 4 client threads, each job one INCR), all on
# one loopback Redis, results stored.
#
#   throughput: 20,000 no-op jobs, from the first trigger to the last stored result
#               (the others: enqueued by 4 producer processes, connected before the clock starts)
#               (ours: one POST per job over HTTP on 32 keep-alive connections, driven from one thread
#               with epoll and one request at a time per connection, as wrk does; done = all `succeeded`)
#   latency:    500 sequential trigger-to-result round trips (ours: POST ...?wait=), p50 and p99,
#               and for ours where the time goes, hop by hop (e2e-bench latency --trace)
#   memory:     peak RSS (VmHWM) of every daemon of ours, and of the others' worker processes
#
# Every system is measured in each of BENCH_ROUNDS rounds (3 by default), the systems taking turns
# within a round, so a slow spell of the machine (a shared 2-core VM: the same binaries measure up to
# 30% apart minutes apart) falls on all of them alike. Each round's figures are printed; the verdict
# is on the median of the rounds, the same statistic for every system. Every system starts each
# round with fresh workers on an emptied Redis database.
#
#   bench/e2e/run.sh                 # BENCH_JOBS=20000 BENCH_COUNT=500 BENCH_ROUNDS=3 by default
#   BENCH_VENV=/path/venv bench/e2e/run.sh   # reuse a virtual environment that has the three
#   BENCH_STATIC=1 bench/e2e/run.sh          # our daemons linked with the Swift libraries statically
#   BENCH_BASELINE=REV bench/e2e/run.sh      # also the daemons of git revision REV (built in a worktree),
#                                            # as one more system in every round: before and after a change
#   BENCH_OTHERS="sidekiq" bench/e2e/run.sh  # only these of the others ("" for none: ours, and the baseline)
#
# The Python packages are installed with pip into a virtual environment in the run's temporary
# folder (unless BENCH_VENV names one). Every process started here is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
here="$PWD/bench/e2e"
jobs="${BENCH_JOBS:-20000}"
count="${BENCH_COUNT:-500}"
rounds="${BENCH_ROUNDS:-3}"
connections="${BENCH_CONNECTIONS:-32}"

need_tools e2e redis-server redis-cli curl python3

build=(swift build -c release)
linking="Swift libraries linked dynamically"
if [[ "${BENCH_STATIC:-0}" == 1 ]]; then
    # The installed build (make install), which shares .build/static.
    build=(scripts/release-build.sh)
    linking="Swift libraries linked statically, as installed (BENCH_STATIC=1)"
fi
echo "building batch-gateway, batch-worker, e2e-bench (release; $linking)..."
for p in batch-gateway batch-worker e2e-bench; do "${build[@]}" --product "$p" 2>&1 | tail -1; done
bin="$("${build[@]}" --show-bin-path)"

dir="$(mktemp -d /tmp/batch-e2e-bench.XXXXXX)"
pids=()
cleanup() {
    stop_pids "${pids[@]}"
    [[ -d "$dir/baseline-src" ]] && git worktree remove --force "$dir/baseline-src" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# The baseline: the same daemons at another revision, built (release) in a worktree of its own.
baseline="${BENCH_BASELINE:-}"
if [[ -n "$baseline" ]]; then
    rev="$(git rev-parse --short "$baseline")"
    echo "building batch-gateway, batch-worker at $rev (release, in a worktree)..."
    git worktree add --detach "$dir/baseline-src" "$rev" >/dev/null
    for p in batch-gateway batch-worker; do (cd "$dir/baseline-src" && swift build -c release --product "$p" 2>&1 | tail -1); done
    base_bin="$(cd "$dir/baseline-src" && swift build -c release --show-bin-path)"
fi

peak_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

port="$(free_port)"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --daemonize no --logfile "$dir/redis.log" &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$port" ping >/dev/null || { echo "bench/e2e: redis-server did not answer on port $port" >&2; exit 1; }
redis_url="redis://127.0.0.1:$port/0"

others=(${BENCH_OTHERS-celery dramatiq rq sidekiq})
needs() { [[ " ${others[*]} " == *" $1 "* ]]; }
venv="${BENCH_VENV:-$dir/venv}"
if (needs celery || needs dramatiq || needs rq) && [[ ! -x "$venv/bin/python" ]]; then
    echo "installing celery, dramatiq, rq into $venv (pip)..."
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check celery dramatiq rq redis packaging
fi
if needs celery || needs dramatiq || needs rq; then
    "$venv/bin/python" -c 'import importlib.metadata as m; print("versions: " + ", ".join(f"{p} {m.version(p)}" for p in ["celery", "dramatiq", "rq", "redis"]))'
fi
# Sidekiq from Debian's ruby-sidekiq (Ruby 3.1).
if needs sidekiq && { ! command -v sidekiq >/dev/null || ! ruby -e 'require "sidekiq"' 2>/dev/null; }; then
    echo "installing ruby-sidekiq (apt)..."
    sudo=""; [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends ruby-sidekiq >/dev/null
fi
needs sidekiq && echo "versions: sidekiq $(ruby -e 'require "sidekiq"; print Sidekiq::VERSION'), ruby $(ruby -e 'print RUBY_VERSION')"

# --- ours -------------------------------------------------------------------------------
cat > "$dir/batch.conf" <<CONF
[worker]
slots = 64
[log]
level = warning
[job "noop"]
kind = builtin
builtin = noop
CONF

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# One round of ours (or of the baseline's daemons): fresh daemons on a fresh namespace of an
# emptied database 0, measured with this revision's e2e-bench.
run_ours() {  # round [system daemons-dir]
    local round="$1" system="${2:-batch}" daemons="${3:-$bin}" ns="bench-$$-$1" d
    redis-cli -p "$port" -n 0 flushdb >/dev/null
    start_daemon() {  # program id port
        "$daemons/$1" --config "$dir/batch.conf" --redis "$redis_url" --namespace "$ns" --id "$2" \
            --listen "127.0.0.1:$3" 2>"$dir/$2-$round.log" &
        pids+=($!)
        echo $! > "$dir/$2.pid"
    }
    local gw_port; gw_port="$(free_port)"
    start_daemon batch-worker w1 "$(free_port)"
    start_daemon batch-worker w2 "$(free_port)"
    start_daemon batch-gateway g1 "$gw_port"
    local gateway="http://127.0.0.1:$gw_port" ready="" code
    # Ready when the gateway admits a noop (it has seen a worker serving it); then let it finish.
    for _ in $(seq 200); do
        code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            --data '{"jobType":"noop"}' "$gateway/api/orchestration/execute?wait=5" || true)"
        [[ "$code" == 200 ]] && { ready=1; break; }
        sleep 0.1
    done
    [[ -n "$ready" ]] || { echo "bench/e2e: the gateway never ran a noop; logs:" >&2; tail -n 20 "$dir"/*-"$round".log >&2; exit 1; }
    # Both workers up before measuring.
    for _ in $(seq 100); do
        [[ "$(redis-cli -p "$port" zcard "batch:{$ns}:daemons")" -ge 3 ]] && break
        sleep 0.1
    done
    # Warm up as others.py does for the others (20 round trips through the whole system, untimed).
    "$bin/e2e-bench" latency --gateway "$gateway" --count 20 >/dev/null
    echo "round $round, load average before $system: $(cut -d' ' -f1-3 /proc/loadavg)"
    tp[$system,$round]="$("$bin/e2e-bench" throughput --gateway "$gateway" --redis "$redis_url" --namespace "$ns" --jobs "$jobs" --connections "$connections")"
    lat[$system,$round]="$("$bin/e2e-bench" latency --gateway "$gateway" --count "$count" --trace)"
    local r="" peak=0 mb
    for d in g1 w1 w2; do
        mb="$(peak_mb "$(cat "$dir/$d.pid")")"
        r+="$d=${mb}MB "
    done
    rss[$system,$round]="$r"
    for d in g1 w1 w2; do kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; done
    for d in g1 w1 w2; do
        for _ in $(seq 100); do kill -0 "$(cat "$dir/$d.pid")" 2>/dev/null || break; sleep 0.05; done
    done
}

# --- the others ---------------------------------------------------------------------------
run_other() {  # system round
    local system="$1" round="$2" out r
    echo "round $round, load average before $system: $(cut -d' ' -f1-3 /proc/loadavg)"
    local runner=("$venv/bin/python" "$here/others.py" "$system")
    [[ "$system" == sidekiq ]] && runner=(ruby "$here/sidekiq_bench.rb")
    out="$(BENCH_LOG_DIR="$dir" "${runner[@]}" --redis-port "$port" --jobs "$jobs" --count "$count")" || {
        echo "bench/e2e: $system failed; its workers' log:" >&2; tail -n 30 "$dir/$system-workers.log" >&2; exit 1; }
    tp[$system,$round]="$(grep '^throughput' <<<"$out")"
    lat[$system,$round]="$(grep '^latency' <<<"$out")"
    r="$(grep '^rss' <<<"$out")"
    rss[$system,$round]="$(field peak_total_mb "$r")MB in $(field processes "$r") processes (largest $(field peak_max_mb "$r")MB)"
}

# Rounds interleave the systems, so a slow spell of the machine falls on all of them alike.
declare -A tp lat rss
ours=(batch)
[[ -n "$baseline" ]] && ours+=("batch@$rev")
systems=("${ours[@]}" "${others[@]}")
for round in $(seq "$rounds"); do
    run_ours "$round"
    [[ -n "$baseline" ]] && run_ours "$round" "batch@$rev" "$base_bin"
    for system in "${others[@]}"; do run_other "$system" "$round"; done
done

# The median of the rounds' values of one figure (the lower middle one for an even count).
median() {  # system figure-array-name key
    local system="$1" key="$3" round
    local -n arr="$2"
    for round in $(seq "$rounds"); do field "$key" "${arr[$system,$round]}"; done | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo
echo "end-to-end, $jobs no-op jobs for throughput, $count sequential round trips for latency, 2 workers each"
echo "ours: one gateway, two workers, $connections client connections; $linking"
if (( rounds > 1 )); then
    echo
    echo "each round:"
    printf '%-22s %6s %12s %10s %10s\n' system round "jobs/s" "p50 ms" "p99 ms"
    for system in "${systems[@]}"; do
        for round in $(seq "$rounds"); do
            printf '%-22s %6s %12s %10s %10s\n' "$system" "$round" "$(field per_second "${tp[$system,$round]}")" \
                "$(field p50_ms "${lat[$system,$round]}")" "$(field p99_ms "${lat[$system,$round]}")"
        done
    done
    echo
    echo "median of the $rounds rounds (peak RSS: ours, each daemon's highest of the rounds; the others, their last round):"
fi
echo
echo "where a round trip's time goes (ours, the last round; means of Redis' millisecond times):"
for system in "${ours[@]}"; do
    echo "$system:"
    grep '^trace' <<<"${lat[$system,$rounds]}" | sed 's/^trace /  /'
done
declare -A m_tp m_p50 m_p99
for system in "${systems[@]}"; do
    m_tp[$system]="$(median "$system" tp per_second)"
    m_p50[$system]="$(median "$system" lat p50_ms)"
    m_p99[$system]="$(median "$system" lat p99_ms)"
done
# Peak RSS of ours (and of the baseline): each daemon's highest over the rounds.
declare -A peak_rss
for system in "${ours[@]}"; do
    for d in g1 w1 w2; do
        peak_rss[$system]+="$d=$(for round in $(seq "$rounds"); do field "$d" "${rss[$system,$round]}"; done | sed 's/MB$//' | sort -g | tail -1)MB "
    done
done
ours_rss="${peak_rss[batch]}"
printf '%-22s %12s %10s %10s   %s\n' system "jobs/s" "p50 ms" "p99 ms" "peak RSS"
for system in "${systems[@]}"; do
    name="$system"; [[ "$system" == rq ]] && name="rq (SimpleWorker)"
    if [[ -n "${peak_rss[$system]:-}" ]]; then r="${peak_rss[$system]}"; else r="${rss[$system,$rounds]}"; fi
    printf '%-22s %12s %10s %10s   %s\n' "$name" "${m_tp[$system]}" "${m_p50[$system]}" "${m_p99[$system]}" "$r"
done

# The verdict: each figure of ours against the best of the others on that figure.
best_tp=0; best_tp_name=""; best_p50=""; best_p50_name=""; best_p99=""; best_p99_name=""
for system in "${others[@]}"; do
    t="${m_tp[$system]}"; p="${m_p50[$system]}"; q="${m_p99[$system]}"
    (( t > best_tp )) && { best_tp=$t; best_tp_name=$system; }
    if [[ -z "$best_p50" ]] || awk "BEGIN { exit !($p < $best_p50) }"; then best_p50=$p; best_p50_name=$system; fi
    if [[ -z "$best_p99" ]] || awk "BEGIN { exit !($q < $best_p99) }"; then best_p99=$q; best_p99_name=$system; fi
done
ours_t="${m_tp[batch]}"; ours_p50="${m_p50[batch]}"; ours_p99="${m_p99[batch]}"
echo
if [[ -n "$baseline" ]]; then
    awk -v o="$ours_t" -v b="${m_tp[batch@$rev]}" -v p="$ours_p50" -v q="${m_p50[batch@$rev]}" -v r="$rev" \
        'BEGIN { printf "against %s: throughput %.2fx, p50 %.2f ms vs %.2f ms\n", r, o / b, p, q }'
fi
if (( ${#others[@]} > 0 )); then
awk -v o="$ours_t" -v b="$best_tp" -v n="$best_tp_name" 'BEGIN { printf "throughput: %.1fx the best of the others (%s, target 3x): %s\n", o / b, n, (o >= 3 * b ? "met" : "NOT met") }'
awk -v o="$ours_p50" -v b="$best_p50" -v n="$best_p50_name" 'BEGIN { printf "latency p50: ours %.2f ms vs the best p50 %.2f ms (%s, target below): %s\n", o, b, n, (o < b ? "met" : "NOT met") }'
awk -v o="$ours_p99" -v b="$best_p99" -v n="$best_p99_name" 'BEGIN { printf "latency p99: ours %.2f ms vs the best p99 %.2f ms (%s, target below): %s\n", o, b, n, (o < b ? "met" : "NOT met") }'
fi
over="$(tr ' ' '\n' <<<"$ours_rss" | awk -F= 'NF == 2 { v = $2; sub("MB", "", v); if (v + 0 >= 30) print $1 }' | xargs)"
echo "memory: every daemon under 30 MB peak RSS: $([[ -z "$over" ]] && echo met || echo "NOT met ($over)")"
