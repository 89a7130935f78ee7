#!/usr/bin/env bash
# Installs what is missing, builds Anchorfix and opens the wizard.
# With no arguments and no saved connection the wizard opens on the built-in demo
# environment; any arguments are passed to anchorfix (e.g. --demo, or convert VALUE).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
# Only the program: the tests and benchmarks are built by scripts/test.sh.
"$root/scripts/build.sh" anchorfix
if [ $# -eq 0 ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: the wizard needs a desktop session (or run it under xvfb-run)." >&2
  echo "The command line works without one: $root/build/app/anchorfix convert --help" >&2
  exit 1
fi
exec "${ANCHORFIX_BUILD_DIR:-$root/build}/app/anchorfix" "$@"
