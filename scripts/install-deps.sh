#!/usr/bin/env bash
# Installs the Debian 12 packages Anchorfix needs to build, run and test.
#   install-deps.sh                 build and run (scripts/run.sh)
#   install-deps.sh --with-package  also build the Debian package (scripts/package.sh)
#   install-deps.sh --with-tests    also run every test (scripts/test.sh; includes the above)
# Idempotent and quiet: it does nothing (and prints nothing) when all are present.
set -euo pipefail

build_packages=(
  cmake g++ ninja-build pkg-config clang-format
  qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-httpserver-dev
  qt6-networkauth-dev qtkeychain-qt6-dev libldap-dev libssl-dev libgl-dev
  qt6-qpa-plugins fonts-dejavu-core libqt6svg6 libbenchmark-dev librsvg2-bin
)
# cpack -G DEB: dpkg-shlibdeps (dpkg-dev) finds the Depends, and needs `file`.
package_packages=(dpkg-dev file)
test_packages=(
  samba samba-ad-dc samba-ad-provision ldap-utils ldb-tools openssl
  xvfb xauth xdotool imagemagick
  gnome-keyring libsecret-tools dbus-x11
  lintian desktop-file-utils appstream man-db
  clang libclang-rt-14-dev
)

wanted=("${build_packages[@]}")
case "${1:-}" in
  --with-package) wanted+=("${package_packages[@]}") ;;
  --with-tests) wanted+=("${package_packages[@]}" "${test_packages[@]}") ;;
esac

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
