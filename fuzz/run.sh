#!/usr/bin/env bash
# fuzz/run.sh SECONDS: builds the request-parser fuzz target with libFuzzer and
# AddressSanitizer and runs it for SECONDS (default 60) in one process,
# starting from the seed corpus in fuzz/corpus; prints the execution count.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
OUT=.build/fuzz
mkdir -p "$OUT/work" "$OUT/artifacts"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    Sources/HTTP/HTTPHeaders.swift Sources/HTTP/HTTPRequestParser.swift Sources/HTTP/HTTPRequestParser+Head.swift \
    fuzz/FuzzEntry.swift -o "$OUT/parser-fuzz" 2>&1 | grep -v "Cannot export local symbol" || true
test -x "$OUT/parser-fuzz" || { echo "fuzz/run.sh: build failed" >&2; exit 1; }
# New inputs go to the work corpus; fuzz/corpus stays the checked-in seed set.
"$OUT/parser-fuzz" "$OUT/work" fuzz/corpus -max_total_time="$SECONDS_TO_RUN" -max_len=1024 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 2>&1 | tee "$OUT/last-run.log" | grep -E "^#[0-9]+ *(DONE|pulse)|stat::|ERROR|SUMMARY|Test unit written" || true
status=${PIPESTATUS[0]}
runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$OUT/last-run.log")
echo "executions: ${runs:-unknown}  (log: $OUT/last-run.log)"
exit "$status"
