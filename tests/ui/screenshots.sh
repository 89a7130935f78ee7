#!/bin/sh
# Saves a screenshot of every wizard page, taken on a real X server (Xvfb), and checks
# each PNG with ImageMagick: the right size and not blank.
#   screenshots.sh TST_SCREENSHOTS OUTPUT_DIR
set -eu
program=$1
out=$2
mkdir -p "$out"
rm -f "$out"/*.png
# A private HOME and no session bus: the keychain is not needed to take pictures.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
env -u DBUS_SESSION_BUS_ADDRESS HOME="$home" XDG_RUNTIME_DIR="$home" \
    QT_QPA_PLATFORM=xcb ANCHORFIX_SCREENSHOT_DIR="$out" \
    xvfb-run -a -s "-screen 0 1280x800x24" "$program"

status=0
for page in 1-connect 1a-connect-device-code 1b-connect-signed-in 2-scan 3-review 4-execute-confirm 4b-execute-done 5-summary; do
    file="$out/$page.png"
    if [ ! -s "$file" ]; then
        echo "missing screenshot: $file"; status=1; continue
    fi
    size=$(identify -format '%wx%h' "$file")
    # Standard deviation of the pixels: a blank (single-colour) picture has 0.
    spread=$(convert "$file" -colorspace Gray -format '%[fx:standard_deviation]' info:)
    echo "$page.png $size spread=$spread"
    if [ "$size" != "1200x760" ]; then
        echo "unexpected size for $file: $size"; status=1
    fi
    if awk -v s="$spread" 'BEGIN { exit !(s < 0.02) }'; then
        echo "blank screenshot: $file"; status=1
    fi
done
exit $status
