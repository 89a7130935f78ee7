#!/usr/bin/env bash
# Builds the Debian package build/anchorfix_VERSION-1_ARCH.deb: installs what is missing,
# builds only what the package holds (the program, icons, man page), then cpack -G DEB.
# Install it with:  sudo apt install ./build/anchorfix_*.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${ANCHORFIX_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh" --with-package
"$root/scripts/build.sh" anchorfix anchorfix_data
# One package in build/, so that ./build/anchorfix_*.deb names exactly one file.
rm -f "$build"/anchorfix_*.deb
cd "$build"
cpack -G DEB >/dev/null
ls "$build"/anchorfix_*.deb
