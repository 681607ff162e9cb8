#!/usr/bin/env bash
# Runs the whole system on this machine: a private Redis, a gateway, two
# workers and a scheduler on the demo configuration, and batchtop in front.
# Everything runs from a temporary folder and stops when batchtop quits.
#   scripts/demo.sh [--no-console]     (--no-console: start, print how to reach it, wait for Ctrl-C)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# make demo builds into .build/static (scripts/release-build.sh); a plain swift build also works.
bin="$root/.build/static/release"
[ -x "$bin/batch-gateway" ] || bin="$root/.build/release"
[ -x "$bin/batch-gateway" ] || bin="$root/.build/debug"
for p in batch-gateway batch-worker batch-scheduler batchctl batchtop; do
  [ -x "$bin/$p" ] || { echo "demo: $bin/$p is missing; run 'make demo' (it builds first)" >&2; exit 1; }
done
console=1
[ "${1:-}" = "--no-console" ] && console=0

run=$(mktemp -d /tmp/batch-demo.XXXXXX)
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "demo: stopped; logs were in $run" >&2
}
trap cleanup EXIT
trap "exit 130" INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$run" --save "" --appendonly yes --appendfsync everysec \
  --maxmemory-policy noeviction --daemonize no >"$run/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
export BATCH_REDIS_URL="redis://127.0.0.1:$rport/0"
export BATCH_NAMESPACE=demo
conf="$run/batch.conf"
sed "s#@ROOT@#$root#g" "$root/etc/demo/batch.conf.in" > "$conf"

"$bin/batch-gateway" --config "$conf" --listen 127.0.0.1:20200 2>"$run/gateway.log" & pids+=($!)
"$bin/batch-worker" --config "$conf" --listen 127.0.0.1:20190 --id worker-a 2>"$run/worker-a.log" & pids+=($!)
"$bin/batch-worker" --config "$conf" --listen 127.0.0.1:20191 --id worker-b 2>"$run/worker-b.log" & pids+=($!)
"$bin/batch-scheduler" --config "$conf" --listen 127.0.0.1:20290 2>"$run/scheduler.log" & pids+=($!)

for _ in $(seq 200); do curl -fs http://127.0.0.1:20200/health >/dev/null 2>&1 && break; sleep 0.05; done
echo "demo: Redis $BATCH_REDIS_URL namespace $BATCH_NAMESPACE; gateway http://127.0.0.1:20200; logs in $run" >&2
echo "demo: try: BATCH_REDIS_URL=$BATCH_REDIS_URL BATCH_NAMESPACE=demo $bin/batchctl trigger report --param date=2026-11-24 --wait" >&2
if [ $console = 1 ]; then
  "$bin/batchtop" --config "$conf"
else
  echo "demo: running; Ctrl-C stops everything" >&2
  wait "${pids[1]}"
fi
