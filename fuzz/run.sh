#!/usr/bin/env bash
# fuzz/run.sh [TARGET] [SECONDS]: builds one fuzz target with libFuzzer and AddressSanitizer
# and runs it for SECONDS (default 60) in one process, starting from the seed corpus in
# fuzz/corpus/TARGET; prints the execution count and rate. TARGET is one of
#   request   HTTP request parser (the server side)         Sources/HTTP/HTTPRequestParser*.swift
#   response  HTTP client response parser                   Sources/HTTP/ClientConnection+Response.swift
#   json      JSON reader                                   Sources/BatchCore/JSON/JSONReader.swift
#   config    configuration parser, loader and builder      Sources/BatchCore/Config
#   cron      cron parser and next-fire computation         Sources/Schedule
#   resp      Redis replies: hiredis' reader into ReplyArena Sources/Redis/ReplyArena.swift
#   all       each of them in turn, SECONDS each
# A bare number as the first argument runs `request` (as this script did before it had targets).
# FUZZ_JOBS=N runs N processes in parallel (libFuzzer -fork); FUZZ_NICE=1 runs at nice 19.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS="request response json config cron resp"
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then set -- request "$1"; fi
TARGET="${1:-request}"
SECONDS_TO_RUN="${2:-60}"
if [ "$TARGET" = all ]; then
    status=0
    for t in $TARGETS; do echo "== $t"; "$0" "$t" "$SECONDS_TO_RUN" || status=$?; done
    exit "$status"
fi
OUT=.build/fuzz
mkdir -p "$OUT/work/$TARGET" "$OUT/artifacts/$TARGET" "fuzz/corpus/$TARGET"
HTTP_CORE="Sources/HTTP/HTTPHeaders.swift Sources/HTTP/HTTPRequestParser.swift Sources/HTTP/HTTPRequestParser+Head.swift"
EXTRA=()
RUNFLAGS=()
# The modules the target's sources import, in build order: each is built as a module of its own
# first (below), with the same sanitizer.
MODULES=()
WATCH=""
case "$TARGET" in
    request)  SOURCES="$HTTP_CORE"; MAXLEN=1024 ;;
    response) SOURCES="$HTTP_CORE Sources/HTTP/ClientConnection.swift Sources/HTTP/ClientConnection+Response.swift Sources/HTTP/HTTPClientError.swift Sources/HTTP/Socket.swift"
              EXTRA=(-I Sources/CSystem); MAXLEN=4096; MODULES=(Platform) ;;
    json)     SOURCES="$(find Sources/BatchCore -name '*.swift' | sort | tr '\n' ' ')"; MAXLEN=4096; MODULES=(Platform Schedule Resilience) ;;
    # Schedule imports nothing of the project: its sources are compiled with the target.
    cron)     SOURCES="$(find Sources/Schedule -name '*.swift' | sort | tr '\n' ' ')"; MAXLEN=4096 ;;
    # Leak detection off: the standard library's regex parser (compiling a parameter's
    # `pattern`) leaks boxes on some patterns, which LeakSanitizer reports as this target's.
    config)   SOURCES="$(find Sources/BatchCore -name '*.swift' | sort | tr '\n' ' ')"; MAXLEN=4096; RUNFLAGS=(-detect_leaks=0); MODULES=(Platform Schedule Resilience)
              # Also at exit, where LeakSanitizer runs on its own.
              export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" ;;
    resp)     SOURCES="Sources/Redis/ReplyArena.swift Sources/Redis/RedisReply.swift"; EXTRA=(-I Sources/CHiredis); MAXLEN=2048 ;;
    *) echo "fuzz/run.sh: unknown target $TARGET (one of: $TARGETS all)" >&2; exit 2 ;;
esac
BIN="$OUT/$TARGET-fuzz"
if [ "${#MODULES[@]}" -gt 0 ]; then
    # Each module (with CSystem's header for Platform), rebuilt when its sources or a module
    # built before it changed; linked in the reverse order, so a library comes before those it uses.
    MODS="$OUT/modules"
    mkdir -p "$MODS"
    LIBS=()
    for m in "${MODULES[@]}"; do
        # shellcheck disable=SC2086
        if [ ! -f "$MODS/lib$m.a" ] || [ -n "$(find "Sources/$m" Sources/CSystem $WATCH -newer "$MODS/lib$m.a" | head -1)" ]; then
            # shellcheck disable=SC2046
            swiftc -sanitize=address -parse-as-library -O -g -module-name "$m" -I Sources/CSystem -I "$MODS" \
                -emit-module -emit-module-path "$MODS/$m.swiftmodule" -emit-library -static -o "$MODS/lib$m.a" \
                $(find "Sources/$m" -name '*.swift' | sort) || { echo "fuzz/run.sh: build of the $m module failed" >&2; exit 1; }
        fi
        LIBS=("-l$m" "${LIBS[@]}")
        WATCH="$WATCH $MODS/lib$m.a"
    done
    EXTRA+=(-I "$MODS" -I Sources/CSystem -L "$MODS" "${LIBS[@]}")
fi
# Rebuilt only when a source or the entry point changed.
# shellcheck disable=SC2086
if [ ! -x "$BIN" ] || [ -n "$(find $SOURCES $WATCH fuzz/common/Check.swift "fuzz/targets/$TARGET.swift" -newer "$BIN" 2>/dev/null | head -1)" ]; then
    rm -f "$BIN"
    # shellcheck disable=SC2086
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz_$TARGET" "${EXTRA[@]}" \
        $SOURCES fuzz/common/Check.swift "fuzz/targets/$TARGET.swift" -o "$BIN" 2>&1 | grep -v "Cannot export local symbol" || true
fi
test -x "$BIN" || { echo "fuzz/run.sh: build of $TARGET failed" >&2; exit 1; }
NICE=()
if [ "${FUZZ_NICE:-0}" = 1 ]; then NICE=(nice -n 19); fi
FORK=()
if [ -n "${FUZZ_JOBS:-}" ]; then FORK=(-fork="$FUZZ_JOBS" -ignore_crashes=0); fi
# New inputs go to the work corpus; fuzz/corpus/TARGET stays the checked-in seed set.
start=$(date +%s)
set +e
SWIFT_BACKTRACE=enable=no "${NICE[@]}" "$BIN" "${FORK[@]}" "${RUNFLAGS[@]}" "$OUT/work/$TARGET" "fuzz/corpus/$TARGET" -max_total_time="$SECONDS_TO_RUN" -max_len="$MAXLEN" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$OUT/artifacts/$TARGET/" -print_final_stats=1 >"$OUT/$TARGET.log" 2>&1
status=$?
set -e
elapsed=$(( $(date +%s) - start ))
grep -E "^#[0-9]+ *(DONE)|stat::|ERROR|SUMMARY|Test unit written|Fatal error|fuzz check failed" "$OUT/$TARGET.log" | head -20 || true
runs=$(awk '/stat::number_of_executed_units/ {n += $2} END {print n + 0}' "$OUT/$TARGET.log")
if [ "$runs" = 0 ]; then runs=$(grep -oE '^#[0-9]+' "$OUT/$TARGET.log" | tail -1 | tr -d '#'); fi
echo "$TARGET: ${runs:-unknown} executions in ${elapsed}s ($(( ${runs:-0} / (elapsed > 0 ? elapsed : 1) ))/s), exit $status  (log: $OUT/$TARGET.log)"
exit "$status"
