#!/usr/bin/env bash
# scripts/check-deb must fail on a package that breaks one of its rules: a check that cannot
# fail checks nothing. Builds the .deb once from BUILD_DIR, checks it as built (it must
# pass), then with one fault at a time (each must fail).
# Usage: tests/packaging/check_deb_refuses.sh [BUILD_DIR]
#        tests/packaging/check_deb_refuses.sh --deb FILE.deb   (a package built already)
set -euo pipefail
checkout=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = "--deb" ]; then
  deb=$(realpath "$2")
else
  build=$(realpath "${1:-$checkout/build}")
  (cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/out" >/dev/null)
  deb=$(ls "$work"/out/*.deb)
fi
if ! "$checkout/scripts/check-deb" --deb "$deb" >"$work/as-built.log" 2>&1; then
  cat "$work/as-built.log" >&2
  echo "check_deb_refuses: the package as built fails scripts/check-deb" >&2
  exit 1
fi

failures=0
# Unpacks the package, runs `fault` (shell) in the unpacked tree, repacks it (uncompressed:
# quick) and expects scripts/check-deb to refuse it.
refused() {
  local name=$1 fault=$2
  local tree="$work/$name"
  dpkg-deb -R "$deb" "$tree"
  (cd "$tree" && eval "$fault")
  dpkg-deb --root-owner-group -Znone -b "$tree" "$work/$name.deb" >/dev/null
  if "$checkout/scripts/check-deb" --deb "$work/$name.deb" >"$work/$name.log" 2>&1; then
    echo "check_deb_refuses: scripts/check-deb passed a package with a fault: $name" >&2
    failures=$((failures + 1))
  else
    echo "check_deb_refuses: refused as it should: $name: $(tail -n 1 "$work/$name.log")"
  fi
}

# A shipped source file herald cannot load (a key given twice).
refused broken-source-file \
  'printf "interval = \"2h\"\n" >> etc/herald/sources.d/openai-news.toml'
# The checkout's fixtures left in the installed herald.toml.
refused fixtures-in-installed-config \
  'sed -i "s|^\[sources\]$|[sources]\nfixtures = \"/usr/share/herald/fixtures\"|" etc/herald/herald.toml'
# A postinst that starts polling before the admin has looked at the configuration.
refused postinst-starts-herald \
  'sed -i "s|^exit 0$|systemctl enable --now herald.service\nexit 0|" DEBIAN/postinst'

if [ "$failures" -gt 0 ]; then
  exit 1
fi
echo "check_deb_refuses: every fault refused"
