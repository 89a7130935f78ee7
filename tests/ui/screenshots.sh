#!/bin/sh
# Saves a screenshot of every wizard page at 1024x768 and at 1920x1080, and of the Execute
# page waiting on a throttled request, taken on a real X server (Xvfb), and checks each
# PNG with ImageMagick: the right size and not blank.
#   screenshots.sh TST_SCREENSHOTS OUTPUT_DIR
set -eu
program=$1
out=$2
mkdir -p "$out"
rm -f "$out"/*.png
# A private HOME (run files, settings) and no session bus: the keychain is not needed to
# take pictures.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
env -u DBUS_SESSION_BUS_ADDRESS HOME="$home" XDG_RUNTIME_DIR="$home" \
    XDG_DATA_HOME="$home/share" XDG_CONFIG_HOME="$home/config" \
    QT_QPA_PLATFORM=xcb ANCHORFIX_SCREENSHOT_DIR="$out" \
    xvfb-run -a -s "-screen 0 1920x1080x24" "$program"

status=0
check() { # file expected-size
    file="$out/$1.png"
    if [ ! -s "$file" ]; then
        echo "missing screenshot: $file"; status=1; return
    fi
    size=$(identify -format '%wx%h' "$file")
    # Standard deviation of the pixels: a blank (single-colour) picture has 0.
    spread=$(convert "$file" -colorspace Gray -format '%[fx:standard_deviation]' info:)
    echo "$1.png $size spread=$spread"
    if [ "$size" != "$2" ]; then
        echo "unexpected size for $file: $size"; status=1
    fi
    if awk -v s="$spread" 'BEGIN { exit !(s < 0.02) }'; then
        echo "blank screenshot: $file"; status=1
    fi
}
for size in 1024x768 1920x1080; do
    for page in 1-connect 1a-connect-device-code 1b-connect-signed-in 2-scan 3-review \
                4-execute-confirm 4b-execute-done 5-summary 5a-check-results; do
        check "$page-$size" "$size"
    done
done
check 4a-execute-throttled-1024x768 1024x768
exit $status
