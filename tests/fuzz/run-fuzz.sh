#!/usr/bin/env bash
# Runs one libFuzzer target over its committed seed corpus for a few seconds (ctest's
# smoke run), or longer: run-fuzz.sh build/fuzz/fuzz_plan tests/fuzz/corpus/plan 600
# New inputs go to a scratch folder, never into the committed corpus; a crash is saved
# in the current folder as crash-<sha1> and the script fails, printing the input as
# base64 too: a CI log is then enough to reproduce it (base64 -d > input; target input).
set -euo pipefail
target=$1
corpus=$2
seconds=${3:-5}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
set +e
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 "$scratch" "$corpus" >"$scratch.log" 2>&1
rc=$?
# The progress lines are noise; the summary, the stats and any report are kept.
grep -v -E '^#[0-9]+.*(NEW|REDUCE|pulse|INITED)' "$scratch.log" | tail -n 60
rm -f "$scratch.log"
if [ $rc -ne 0 ]; then
  for f in crash-* leak-* timeout-* oom-*; do
    [ -f "$f" ] || continue
    echo "reproducer $f (base64, $(stat -c %s "$f") bytes):"
    base64 -w 0 "$f" | head -c 200000
    echo
  done
fi
exit $rc
