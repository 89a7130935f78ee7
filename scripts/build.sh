#!/usr/bin/env bash
# Configures and builds into build/ (incremental after the first run).
# With arguments, builds only those targets (run.sh: just the anchorfix program);
# without, everything, the tests and benchmarks included.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${ANCHORFIX_BUILD_DIR:-$root/build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  # ccache, when installed, makes a second checkout's first build mostly cache hits.
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
targets=()
[ $# -gt 0 ] && targets=(--target "$@")
cmake --build "$build" -j"$(nproc)" "${targets[@]}"
