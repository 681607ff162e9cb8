#!/usr/bin/env bash
# Run later: how late a scheduled execution is queued after its due time, both read from
# Redis' clock (the execution's `due` and `queued` fields), with BENCH_GATEWAYS gateways
# (2 by default) promoting and one worker running them.
#
#   burst:   BENCH_JOBS executions (1000) due at the same instant, 3 s after they are sent
#   spread:  BENCH_JOBS executions each with its own delay, spread over 5 s
#
# Prints, for each phase, the lateness (queued - due) p50, p99 and max in ms, and checks that
# every execution ran once and none was queued before its time.
#
#   bench/run-later/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
jobs="${BENCH_JOBS:-1000}"
gateways="${BENCH_GATEWAYS:-2}"
need_tools run-later redis-server redis-cli curl python3
release_products batch-gateway batch-worker

dir="$(mktemp -d /tmp/batch-run-later.XXXXXX)"
pids=()
cleanup() { stop_pids "${pids[@]}"; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

port="$(free_port)"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no --daemonize no --logfile "$dir/redis.log" &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
ns="run-later-$$"
cat > "$dir/batch.conf" <<CONF
[redis]
url = redis://127.0.0.1:$port/0
namespace = $ns
[worker]
# More slots than a phase has executions: a dispatch refused by a full worker would be retried
# and queued again, and its `queued` time would no longer be its promotion's.
slots = 2048
[log]
level = warning
[job "noop"]
kind = builtin
builtin = noop
CONF
"$bin/batch-worker" --config "$dir/batch.conf" --id w1 --listen "127.0.0.1:$(free_port)" 2>"$dir/w1.log" &
pids+=($!)
urls=()
for g in $(seq "$gateways"); do
    gp="$(free_port)"
    "$bin/batch-gateway" --config "$dir/batch.conf" --id "g$g" --listen "127.0.0.1:$gp" 2>"$dir/g$g.log" &
    pids+=($!)
    urls+=("http://127.0.0.1:$gp")
done
for url in "${urls[@]}"; do
    ok=""
    for _ in $(seq 200); do
        code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data '{"jobType":"noop"}' "$url/api/orchestration/execute?wait=5" || true)"
        [[ "$code" == 200 ]] && { ok=1; break; }
        sleep 0.1
    done
    [[ -n "$ok" ]] || { echo "bench/run-later: $url never ran a noop" >&2; tail -n 20 "$dir"/*.log >&2; exit 1; }
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $gateways gateways, 1 worker, $jobs executions a phase"

# Sends one phase (a JSON body of execute requests made by python) to the first gateway; prints the ids.
send() {  # body-file
    curl -s -H 'Content-Type: application/json' --data-binary @"$1" "${urls[0]}/api/orchestration/executions:batch" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; bad=[x for x in r if x["status"]!=202]
assert not bad, bad[:3]
print("\n".join(x["executionId"] for x in r))'
}
# Waits until every id of a phase has ended, then prints the lateness figures.
measure() {  # name ids-file
    local name="$1" ids="$2" n
    n="$(wc -l <"$ids")"
    for _ in $(seq 600); do
        [[ "$(redis-cli -p "$port" zcard "batch:{$ns}:by-state:succeeded")" -ge "$(( n + ${done_before:-0} + gateways ))" ]] && break
        sleep 0.1
    done
    done_before=$(( ${done_before:-0} + n ))
    sed "s/^/HMGET batch:{$ns}:exec:/; s/$/ due queued state runs/" "$ids" | redis-cli -p "$port" >"$dir/$name.fields"
    python3 - "$name" "$dir/$name.fields" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
v = open(path).read().split("\n")
rows = [v[i:i + 4] for i in range(0, len(v) - 3, 4)]
late = sorted(int(q) - int(d) for d, q, s, r in rows)
bad = [r for r in rows if r[2] != "succeeded" or r[3] != "1"]
early = [x for x in late if x < 0]
pick = lambda p: late[min(len(late) - 1, int(p * len(late)))]
print(f"{name:7s} {len(rows)} executions: queued after due p50 {pick(0.5)} ms, p99 {pick(0.99)} ms, max {late[-1]} ms; "
      f"early {len(early)}, not run exactly once {len(bad)}")
PY
}

now_ms() { redis-cli -p "$port" time | python3 -c 'import sys; s,u=sys.stdin.read().split(); print(int(s)*1000+int(u)//1000)'; }
at="$(python3 -c "import datetime; print(datetime.datetime.fromtimestamp(($(now_ms) + 3000) / 1000, datetime.timezone.utc).isoformat(timespec='milliseconds'))")"
python3 -c "import json; print(json.dumps({'executions': [{'jobType': 'noop', 'notBefore': '$at'}] * $jobs}))" >"$dir/burst.json"
send "$dir/burst.json" >"$dir/burst.ids"
measure burst "$dir/burst.ids"

python3 -c "import json, random; print(json.dumps({'executions': [{'jobType': 'noop', 'delay': f'{random.randint(200, 5000)}ms'} for _ in range($jobs)]}))" >"$dir/spread.json"
send "$dir/spread.json" >"$dir/spread.ids"
measure spread "$dir/spread.ids"
