#!/usr/bin/env bash
# Configures and builds into build/ (incremental after the first run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${ANCHORFIX_BUILD_DIR:-$root/build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j"$(nproc)"
