#!/usr/bin/env bash
# The whole test suite as `make check` runs it (after `swift build --build-tests`), guarded.
#
# - It runs the built test program itself, as `swift test --skip-build` does, with its output
#   into a file that is printed as it grows: nothing waits for the end of an output pipe, which a
#   process the suite left behind would hold open for ever.
# - A run takes about 2.5 minutes on 2 cores, up to three times that on a slow or busy machine.
#   If it still runs after BATCH_TEST_BUDGET seconds (default 1800), this prints what it was doing
#   (the processes the suite started, every thread running a test with its stack, and last the
#   tests that started and never ended), ends every process of the run, and fails: a hung test
#   is a named failure, not a CI job that silently runs out of time.
# - Every process the suite starts inherits BATCH_TEST_RUN in its environment; any still alive
#   after the run is listed as left behind and ended.
#
# Arguments go to the test program (Swift Testing's: --filter NAME, --skip NAME, ...).
set -uo pipefail
cd "$(dirname "$0")/.."

budget=${BATCH_TEST_BUDGET:-1800}
swift=${SWIFT:-swift}
bin=$("$swift" build --show-bin-path) || exit 1
program=$bin/batchPackageTests.xctest
[ -x "$program" ] || { echo "test-suite: $program is missing: run 'swift build --build-tests' first" >&2; exit 1; }

run=$$-$RANDOM$RANDOM
log=$(mktemp "${TMPDIR:-/tmp}/batch-test-suite.XXXXXX")
trap 'rm -f "$log"' EXIT

# The processes of this run: those whose environment carries BATCH_TEST_RUN=$run.
run_processes() {
    local p
    for p in $(grep -lsa "BATCH_TEST_RUN=$run" /proc/[0-9]*/environ | cut -d/ -f3); do
        [ "$p" != $$ ] && [ -d /proc/"$p" ] && echo "$p"
    done
}

show_processes() {
    # shellcheck disable=SC2046
    ps -o pid,ppid,stat,etime,args -p "$(echo "$@" | tr ' ' ',')" | cut -c1-200 | head -60
}

# The tests (and parameterized tests) that started and never ended, from Swift Testing's output.
unfinished() {
    awk '
        / Test [^ ]+\(.*\) started\.$/ { name = $0; sub(/.* Test /, "", name); sub(/ started\.$/, "", name); open[name] = 1; order[++n] = name }
        / Test [^ ]+\(.*\) (passed|failed)/ { name = $0; sub(/.* Test /, "", name); sub(/ (passed|failed|with [0-9]+ test cases).*/, "", name); delete open[name] }
        END { for (i = 1; i <= n; i++) if (order[i] in open) { print "  " order[i]; delete open[order[i]] } }
    ' "$log"
}

diagnose() {
    local test_pid=$1 pids
    pids=$(run_processes)
    echo
    echo "test-suite: still running after ${budget} s (BATCH_TEST_BUDGET); what it was doing:"
    echo "--- the processes of the run"
    # shellcheck disable=SC2086
    [ -n "$pids" ] && show_processes $pids
    echo "--- threads of the test process $test_pid that run a test"
    if command -v gdb >/dev/null; then
        timeout 120 gdb -p "$test_pid" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 40' 2>/dev/null \
            | { if command -v swift-demangle >/dev/null; then swift-demangle --simplified; else cat; fi; } \
            | awk '
                function flush() { if (inTest) { print header; for (i = 1; i <= n; i++) print "    " frames[i] } }
                /^Thread / { flush(); header = $0; n = 0; inTest = 0; next }
                /^#/ { if ($0 ~ / at \/.*\/Tests\//) inTest = 1
                       if (n < 12 && ($0 ~ /^#[01] / || $0 ~ / at \//)) frames[++n] = substr($0, 1, 220) }
                END { flush() }'
    else
        echo "(gdb is not installed: no stacks)"
    fi
    echo "--- tests that started and never ended"
    unfinished
}

end_run() {
    local pids
    pids=$(run_processes)
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
}
trap 'end_run; exit 130' INT TERM

BATCH_TEST_RUN=$run NO_COLOR=1 "$program" --testing-library swift-testing "$@" < /dev/null > "$log" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$log" &
tailer=$!

deadline=$((SECONDS + budget))
while [ "$(awk '{ print $3 }' /proc/"$pid"/stat 2>/dev/null || echo Z)" != Z ]; do
    if (( SECONDS >= deadline )); then
        kill "$tailer" 2>/dev/null
        diagnose "$pid"
        end_run
        wait "$pid" 2>/dev/null
        echo "test-suite: FAILED: the run was ended after ${budget} s"
        exit 1
    fi
    sleep 1
done
wait "$pid"
rc=$?
wait "$tailer" 2>/dev/null

# What the suite left running: every test stops what it starts, so give stragglers (a lease
# reaper that saw its pipe close, a daemon in its drain) a moment, then list and end the rest.
for _ in $(seq 1 20); do
    [ -z "$(run_processes)" ] && break
    sleep 0.5
done
left=$(run_processes)
if [ -n "$left" ]; then
    echo "test-suite: processes the suite left behind (ended now):"
    # shellcheck disable=SC2086
    show_processes $left
    end_run
fi
exit "$rc"
