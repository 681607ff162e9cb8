#!/usr/bin/env bash
# The release build that `make build`, `make install`, `make demo` and bench/worker
# use: the Swift libraries linked statically, by lld with packed relative
# relocations (DT_RELR, glibc 2.36+), in .build/static. Against the dynamic build
# an idle batch-worker keeps 13.7 MB resident instead of 17.4 MB: it maps no
# Swift .so files, and the loader reads a few KB of relocations instead of 0.9 MB.
#   scripts/release-build.sh                          # the five programs
#   scripts/release-build.sh --product batch-worker   # any `swift build` argument is passed on
#   scripts/release-build.sh --show-bin-path          # where the binaries are
# SWIFT and CONFIG (default release) come from the environment, as in the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."
build() {
    "${SWIFT:-swift}" build -c "${CONFIG:-release}" --static-swift-stdlib --scratch-path .build/static \
        -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs "$@"
}
# Without arguments, each program (the test support targets have no static build).
if [[ $# -eq 0 ]]; then
    for p in batch-gateway batch-worker batch-scheduler batchctl batchtop; do build --product "$p"; done
else
    build "$@"
fi
