#!/usr/bin/env bash
# The Debian package's tests (tests/packaging/CMakeLists.txt registers one per check):
#   packaging-test.sh build    BUILD_DIR DEB_DIR           cpack -G DEB into DEB_DIR
#   packaging-test.sh CHECK    DEB_DIR VERSION SOURCE_DIR  one check of the package
# Every check but `build` unpacks the package into a scratch root with dpkg -x (the
# machine's dpkg database is not touched) and tests the installed files there.
set -euo pipefail

check=$1
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
need() {
  command -v "$1" >/dev/null ||
    fail "$1 is missing: run scripts/install-deps.sh --with-tests (Debian package $2)"
}

if [ "$check" = build ]; then
  build=$2 out=$3
  need cpack cmake
  need dpkg-shlibdeps dpkg-dev
  need file file
  rm -rf "$out"
  mkdir -p "$out"
  cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out"
  ls "$out"/anchorfix_*.deb
  exit 0
fi

deb_dir=$2 version=$3 source=$4
debs=("$deb_dir"/anchorfix_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one package in $deb_dir"
deb=${debs[0]}
[ "$(basename "$deb")" = "anchorfix_${version}-1_$(dpkg --print-architecture).deb" ] ||
  fail "package file name $(basename "$deb") does not carry version $version-1"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"

case "$check" in
control)
  # The control fields, and a Depends that dpkg-shlibdeps worked out from the binary.
  field() { dpkg-deb -f "$deb" "$1"; }
  [ "$(field Package)" = anchorfix ] || fail "Package: $(field Package)"
  [ "$(field Version)" = "$version-1" ] || fail "Version: $(field Version), want $version-1"
  [ "$(field Section)" = admin ] || fail "Section: $(field Section)"
  [[ $(field Maintainer) =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "Maintainer: $(field Maintainer)"
  depends=$(field Depends)
  for lib in libc6 libqt6core6 libqt6widgets6 libqt6network6 libqt6keychain1 libldap-2.5-0 \
    qt6-qpa-plugins libqt6svg6; do
    [[ ", $depends," == *", $lib "* || ", $depends," == *", $lib,"* ]] ||
      fail "Depends lacks $lib: $depends"
  done
  # Every file the package must install, with the PNG icons at their nominal size.
  for f in usr/bin/anchorfix usr/share/applications/anchorfix.desktop \
    usr/share/icons/hicolor/scalable/apps/anchorfix.svg \
    usr/share/man/man1/anchorfix.1.gz usr/share/bash-completion/completions/anchorfix \
    usr/share/doc/anchorfix/copyright usr/share/doc/anchorfix/changelog.Debian.gz; do
    [ -f "$root/$f" ] || fail "not in the package: /$f"
  done
  ls "$root"/usr/share/metainfo/*.metainfo.xml >/dev/null || fail "no metainfo file"
  for size in 16 32 48 64 128 256; do
    png=$root/usr/share/icons/hicolor/${size}x${size}/apps/anchorfix.png
    file -b "$png" | grep -q "PNG image data, $size x $size," ||
      fail "$png: $(file -b "$png" 2>&1)"
  done
  head -1 "$root/usr/share/doc/anchorfix/copyright" |
    grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
    fail "copyright is not in the machine-readable format"
  file -b "$root/usr/bin/anchorfix" | grep -q ', stripped' || fail "the binary is not stripped"
  if readelf -d "$root/usr/bin/anchorfix" | grep -Eq 'RPATH|RUNPATH'; then
    fail "the installed binary still has a build-tree RUNPATH"
  fi
  echo "control fields, Depends and file list as expected"
  ;;
lintian)
  need lintian lintian
  # No error and no warning; info and pedantic tags are shown (none today) but do not fail,
  # since they move with the code (e.g. which libc calls the compiler could fortify).
  # The overrides shipped in the package say why each one applies.
  lintian --display-level '>=pedantic' --display-experimental --fail-on error,warning "$deb"
  echo "lintian: no errors or warnings"
  ;;
install)
  # apt resolves the package's Depends against this machine without installing it.
  sim=$(LC_ALL=C apt-get -s install "$deb" 2>&1) || fail "apt-get -s install: $sim"
  grep -q "^Inst anchorfix ($version-1 " <<<"$sim" || fail "apt would not install it: $sim"
  bin=$root/usr/bin/anchorfix
  out=$("$bin" --version)
  [ "$out" = "anchorfix $version" ] || fail "--version printed '$out', want 'anchorfix $version'"
  out=$("$bin" convert 7754d487-1fc3-4206-9e95-ce012f1586e5)
  grep -qx 'ImmutableId:  h9RUd8MfBkKelc4BLxWG5Q==' <<<"$out" || fail "convert printed: $out"
  if "$bin" convert h9RUd8MfBkKelc4BLxWG5 >/dev/null 2>&1; then
    fail "convert accepted a truncated base64 value"
  fi
  echo "installed anchorfix runs: $("$bin" --version)"
  ;;
completion)
  # Source the installed completion in a plain bash and ask it what <TAB> offers.
  PATH="$root/usr/bin:$PATH" bash --norc --noprofile -c '
    set -u
    source "$1"
    complete -p anchorfix | grep -q -- "-F _anchorfix" || { echo "not registered"; exit 1; }
    cd "$2"
    touch plan.csv plan-old.csv audit.csv
    status=0
    # expect MODE WANT WORDS...: what <TAB> after WORDS offers; MODE exact, or includes
    # (later subcommands/options may share the prefix: each offer must then still start
    # with the word being completed).
    expect() {
      local mode=$1 want=$2; shift 2
      COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
      _anchorfix
      local cur=${COMP_WORDS[COMP_CWORD]} got w ok=1
      got=$(printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "); got=${got% }
      if [ $mode = exact ]; then
        [ "$got" = "$want" ] || ok=0
      else
        for w in $want; do [[ " $got " == *" $w "* ]] || ok=0; done
        for w in $got; do [[ $w == "$cur"* ]] || ok=0; done
      fi
      if [ $ok = 1 ]; then
        echo "ok: [${*}<TAB>] -> [$got]"
      else
        echo "FAIL: [${*}<TAB>] offered [$got], want ($mode) [$want]"; status=1
      fi
    }
    expect includes "apply" anchorfix ap
    expect includes "--plan" anchorfix apply --pl
    expect includes "--audit" anchorfix rollback --au
    expect includes "--json" anchorfix convert --js
    expect includes "--demo" anchorfix --de
    expect includes "convert" anchorfix conv
    expect includes "--dry-run --max-changes --plan --audit --rollback --tenant" anchorfix apply --
    expect exact "plan-old.csv plan.csv" anchorfix apply --plan pl
    expect exact "consistency-guid-else-objectguid mS-DS-ConsistencyGuid objectGUID" \
      anchorfix scan --anchor ""
    expect exact "" anchorfix apply --tenant ""
    expect exact "" anchorfix convert 7754
    exit $status
  ' bash "$root/usr/share/bash-completion/completions/anchorfix" "$root" 2>"$root/stderr"
  # Completion must stay silent, also in a shell with nounset (set -u above).
  [ ! -s "$root/stderr" ] || fail "the completion wrote to stderr: $(cat "$root/stderr")"
  ;;
desktop)
  need desktop-file-validate desktop-file-utils
  desktop=$root/usr/share/applications/anchorfix.desktop
  # Not even a hint: desktop-file-validate exits 0 on those.
  out=$(desktop-file-validate "$desktop" 2>&1) || fail "$out"
  [ -z "$out" ] || fail "$out"
  icon=$(sed -n 's/^Icon=//p' "$desktop")
  [ -f "$root/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "no icon $icon"
  exec=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop" | head -1)
  [ -x "$root/usr/bin/$exec" ] || fail "Exec=$exec is not in /usr/bin"
  echo "desktop-file-validate: clean"
  ;;
appstream)
  need appstreamcli appstream
  metainfo=$(ls "$root"/usr/share/metainfo/*.metainfo.xml)
  out=$(appstreamcli validate --no-net --pedantic "$metainfo" 2>&1) || fail "$out"
  if grep -Eq '^[EWIP]: ' <<<"$out"; then fail "$out"; fi
  grep -q "<release version=\"$version\"" "$metainfo" || fail "no <release> for $version"
  grep -q '<launchable type="desktop-id">anchorfix.desktop</launchable>' "$metainfo" ||
    fail "the metainfo does not launch anchorfix.desktop"
  # Every screenshot is one of the README's pictures in resources/screenshots.
  shots=$(sed -n 's|.*<image>.*/\([^/<]*\)</image>.*|\1|p' "$metainfo")
  [ -n "$shots" ] || fail "no screenshots"
  for shot in $shots; do
    [ -f "$source/resources/screenshots/$shot" ] || fail "screenshot $shot not in resources/"
    grep -q "resources/screenshots/$shot" "$source/README.md" || fail "$shot not in README"
  done
  echo "appstreamcli: clean; screenshots: $shots" | tr '\n' ' '
  echo
  ;;
manpage)
  need man man-db
  page=$root/usr/share/man/man1/anchorfix.1.gz
  # As lintian renders it: any groff warning is a failure.
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
    "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man: $warnings"
  text=$(LC_ALL=C.UTF-8 MANWIDTH=100 man -l "$page" 2>/dev/null)
  for section in NAME SYNOPSIS DESCRIPTION COMMANDS "CONNECTION OPTIONS" ENVIRONMENT \
    "EXIT STATUS"; do
    grep -qx "$section" <<<"$text" || fail "no section $section"
  done
  for word in ANCHORFIX_LDAP_PASSWORD ANCHORFIX_CLIENT_SECRET --ldap-uri --onprem-file \
    --tenant --client-id --graph-url --authority-url "anchorfix $version"; do
    grep -q -- "$word" <<<"$text" || fail "the man page does not mention $word"
  done
  echo "man page renders without warnings"
  ;;
*)
  fail "unknown check $check"
  ;;
esac
