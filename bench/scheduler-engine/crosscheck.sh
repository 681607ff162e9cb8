#!/bin/sh
# Compares the schedule engine's fires with a zoneinfo oracle (see crosscheck.py).
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp bench/scheduler-engine/crosscheck.swift "$out/main.swift"  # top-level code must live in main.swift
swiftc -O -swift-version 6 -module-name ScheduleCrossCheck \
    Sources/Schedule/*.swift "$out/main.swift" -o "$out/fires"
python3 bench/scheduler-engine/crosscheck.py "$out/fires"
