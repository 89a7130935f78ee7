#!/usr/bin/env bash
# Installs everything the tests need, builds, and runs every test (ctest), including
# the Samba AD DC integration tests, the practice-tenant tests and the GUI tests
# (offscreen, plus screenshots of every page under Xvfb in build/screenshots/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${ANCHORFIX_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh" --with-tests
"$root/scripts/build.sh"
cd "$build"
exec ctest --output-on-failure --timeout 900 -j"$(nproc)"
