#!/bin/sh
# bench/scheduler: what the scheduler issue asks to measure.
#  1. next-fire computations per second (the schedule engine, release build);
#  2. one release-built batch-scheduler with 10,000 schedules: idle CPU while none
#     fires, then p99 lateness of fires (20 of them every second by default) as a
#     fake gateway receives them, and the scheduler's own lateness histogram;
#  3. the acceptance run: three schedulers, 20 schedules every second for 120 s,
#     the leader kill -9'd and restarted: every (schedule, second) exactly once.
# Knobs (environment): BATCH_SCHEDULER_BENCH_SCHEDULES (10000), BATCH_SCHEDULER_BENCH_FIRING (20),
# BATCH_SCHEDULER_BENCH_IDLE_SECONDS (20), BATCH_SCHEDULER_BENCH_FIRE_SECONDS (30),
# BATCH_SCHEDULER_FLEET_SECONDS (120), BATCH_SCHEDULER_FLEET_SCHEDULES (20).
# Needs redis-server in PATH. Takes about five minutes on two cores.
set -eu
cd "$(dirname "$0")/../.."

echo "== next-fire computations per second"
# The engine's sources alone (the Schedule module, which needs nothing else), -O, as
# bench/scheduler-engine does.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O -swift-version 6 -module-name ScheduleBench \
    Sources/Schedule/*.swift \
    bench/scheduler-engine/main.swift -o "$out/engine"
"$out/engine"

echo "== building"
swift build -c release --product batch-scheduler >/dev/null
swift build --build-tests >/dev/null
bin="$PWD/.build/release/batch-scheduler"

echo "== 10,000 schedules: idle CPU and lateness"
BATCH_SCHEDULER_BENCH=1 BATCH_SCHEDULER_BIN="$bin" \
    swift test --skip-build --filter SchedulerBenchTests 2>&1 \
    | grep -E '^(scheduler bench|  )|✘|✔ Test run' || true

echo "== three schedulers, one killed: exactly once"
BATCH_SCHEDULER_FLEET_SECONDS="${BATCH_SCHEDULER_FLEET_SECONDS:-120}" BATCH_SCHEDULER_BIN="$bin" \
    swift test --skip-build --filter SchedulerFleetTests 2>&1 \
    | grep -E '^scheduler fleet|✘|✔ Test run|kept in' || true
