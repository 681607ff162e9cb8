#!/bin/sh
# Next-fire throughput of the schedule engine: compiles its sources with -O into
# a throwaway binary (no package change) and runs it for a few seconds.
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O -swift-version 6 -module-name ScheduleBench \
    Sources/Schedule/*.swift bench/scheduler-engine/main.swift -o "$out/bench"
"$out/bench"
