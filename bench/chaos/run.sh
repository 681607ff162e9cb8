#!/usr/bin/env bash
# bench/chaos: the chaos suite's long run. Real processes (release builds of the daemons),
# one fault at a time; each scenario prints one line: accepted, terminal by state, lost,
# overlapping attempts, duplicate fires, recovery time. Lost, overlapping and duplicate
# must be 0 (and are, or the test fails).
#   bench/chaos/run.sh                 # scale 5: e.g. 750 jobs running when a worker is killed, Redis frozen 45 s
#   BATCH_CHAOS_SCALE=1 bench/chaos/run.sh   # the short run `make check` does (a few minutes)
#   bench/chaos/run.sh workerKilled    # one scenario (a --filter on the test names)
#   CHAOS_BUILD=debug SCRATCH=.build-dev bench/chaos/run.sh   # the debug daemons of an existing build
# Needs redis-server in PATH. Takes about 15-25 minutes on two cores at scale 5.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE="${BATCH_CHAOS_SCALE:-5}"
FILTER="ChaosTests${1:+.*$1}"

SCRATCH="${SCRATCH:-.build}"
if [ "${CHAOS_BUILD:-release}" = debug ]; then
    # The debug daemons the tests are built with (quicker to build; slower to run).
    echo "== building (debug, $SCRATCH)"
    swift build --build-tests --scratch-path "$SCRATCH" >/dev/null
    bindir=()
else
    echo "== building (release daemons, debug tests)"
    for p in batch-gateway batch-worker batch-scheduler; do scripts/release-build.sh --product "$p" >/dev/null; done
    swift build --build-tests --scratch-path "$SCRATCH" >/dev/null
    bindir=(BATCH_BUILD_DIR="$(scripts/release-build.sh --show-bin-path)")
fi

echo "== chaos, scale $SCALE"
start=$(date +%s)
set +e
env "${bindir[@]}" BATCH_CHAOS_SCALE="$SCALE" swift test --skip-build --scratch-path "$SCRATCH" --filter "$FILTER" >.build/chaos.log 2>&1
status=$?
set -e
grep -E '^chaos |✘|✔ Test run|✘ Test run' .build/chaos.log || true
echo "== $(( $(date +%s) - start )) s, exit $status (full log: .build/chaos.log)"
exit "$status"
