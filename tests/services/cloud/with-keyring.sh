#!/bin/sh
# Runs a test program inside a private D-Bus session with an unlocked gnome-keyring
# (secrets component only) and HOME in a throwaway folder, so keychain tests never touch
# the user's real keyring and never wait on a password prompt (DESIGN.md §8).
# Needs: dbus-run-session (dbus-x11 / dbus), gnome-keyring.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp"
export XDG_DATA_HOME="$tmp/.local/share" XDG_CONFIG_HOME="$tmp/.config" XDG_CACHE_HOME="$tmp/.cache"
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
dbus-run-session -- sh -c '
  eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  "$@"
' sh "$@"
