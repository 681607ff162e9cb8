#!/usr/bin/env bash
# The whole test suite as `make check` runs it: `swift test --skip-build`, guarded by a deadline.
#
# A run takes about 2.5 minutes on 2 cores, up to three times that on a slow or busy machine.
# If it still runs after BATCH_TEST_BUDGET seconds (default 1800), this prints what it was doing
# (the processes under it, every thread's stack in the test process, and last the tests that
# started and never ended), ends every process under it, and fails: a hung test is a failing
# test, and it is named, instead of a run that silently eats the rest of a CI job's time.
#
# Output is line-buffered (stdbuf), so what is printed is what has happened, even into a pipe.
# Extra arguments go to `swift test` (e.g. --filter ChaosTests).
set -uo pipefail
cd "$(dirname "$0")/.."

budget=${BATCH_TEST_BUDGET:-1800}
swift=${SWIFT:-swift}
log=$(mktemp "${TMPDIR:-/tmp}/batch-test-suite.XXXXXX")
trap 'rm -f "$log"' EXIT

# Every descendant of pid $1, parents before their children.
descendants() {
    local c
    for c in $(ps -o pid= --ppid "$1"); do
        echo "$c"
        descendants "$c"
    done
}

# The tests (and parameterized cases) that started and never ended, from Swift Testing's output.
unfinished() {
    awk '
        / Test [^ ]+\(.*\) started\.$/ { name = $0; sub(/.* Test /, "", name); sub(/ started\.$/, "", name); open[name] = 1; order[++n] = name }
        / Test [^ ]+\(.*\) (passed|failed)/ { name = $0; sub(/.* Test /, "", name); sub(/ (passed|failed|with [0-9]+ test cases).*/, "", name); delete open[name] }
        END { for (i = 1; i <= n; i++) if (order[i] in open) { print "  " order[i]; delete open[order[i]] } }
    ' "$log"
}

diagnose() {
    local pids
    pids=$(descendants "$1")
    echo
    echo "test-suite: still running after ${budget} s (BATCH_TEST_BUDGET); what it was doing:"
    echo "--- processes under swift test"
    # shellcheck disable=SC2086
    [ -n "$pids" ] && ps -o pid,ppid,stat,etime,args -p "$(echo $pids | tr ' ' ',')" | cut -c1-200
    for p in $pids; do
        case "$(ps -o args= -p "$p")" in
        *PackageTests.xctest*)
            echo "--- threads of the test process $p that run a test"
            if command -v gdb >/dev/null; then
                timeout 120 gdb -p "$p" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 40' 2>/dev/null \
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
            ;;
        esac
    done
    echo "--- tests that started and never ended"
    unfinished
}

setsid stdbuf -oL -eL "$swift" test --skip-build "$@" < /dev/null > "$log" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$log" &
tailer=$!

deadline=$((SECONDS + budget))
while kill -0 "$pid" 2>/dev/null && [ "$(awk '{ print $3 }' /proc/"$pid"/stat 2>/dev/null)" != Z ]; do
    if (( SECONDS >= deadline )); then
        kill "$tailer" 2>/dev/null
        diagnose "$pid"
        pids=$(descendants "$pid")
        # shellcheck disable=SC2086
        kill -KILL -- -"$pid" $pids 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "test-suite: FAILED: the run was ended after ${budget} s"
        exit 1
    fi
    sleep 2
done
wait "$pid"
rc=$?
wait "$tailer" 2>/dev/null
exit "$rc"
