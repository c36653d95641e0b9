#!/usr/bin/env bash
# Installs what Gitfolio needs from Debian's packages, only when something is missing.
# Usage: scripts/deps.sh [--test|--bench]   (--test adds what the test suite uses, --bench the
# references the benchmarks compare against)
set -euo pipefail

# Pango and Cairo render the PDFs. The resume fonts (Sources/GitfolioRender/Theme.swift names each
# file): Noto Sans, Noto Serif (fonts-noto-core) and Noto Sans Mono (fonts-noto-mono) set Latin
# text; NanumBarunGothic and NanumMyeongjo (fonts-nanum) Korean; Noto Sans CJK (fonts-noto-cjk) the
# characters those lack, DejaVu Sans (fonts-dejavu-core) other scripts. libdeflate0 compresses the
# PDFs' streams (loaded when present; zlib otherwise).
packages=(libcurl4-openssl-dev libsqlite3-dev libxml2-dev libpango1.0-dev libcairo2-dev libdeflate0
          fonts-noto-core fonts-noto-mono fonts-nanum fonts-noto-cjk fonts-dejavu-core)
if [[ "${1:-}" == "--test" ]]; then
  # lighttpd: the CGI deployment test; Chromium, pytest and a WebSocket client: the browser tests,
  # which drive Chromium over the DevTools protocol; pip: to fetch axe-core for their accessibility
  # check; poppler-utils: the PDF tests read the PDFs; wrk: one small level of scripts/load.sh
  # (LoadSmokeTests); gdb: test.sh prints the test runner's stacks when a run passes its time limit.
  packages+=(lighttpd chromium python3-pytest python3-websocket python3-pip poppler-utils wrk gdb)
fi
if [[ "${1:-}" == "--bench" ]]; then
  # WeasyPrint: the reference the PDF benchmark compares against; wrk and lighttpd: the load on
  # `gitfolio serve` and the static-file reference beside it (scripts/bench-serve.sh); Chromium and a
  # WebSocket client: filtering the hub in the page (scripts/bench-hub.sh).
  packages+=(weasyprint poppler-utils wrk lighttpd chromium python3-websocket)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# axe-core, the accessibility engine the browser tests run in Chromium: Debian has no package of it;
# PyPI ships its axe.min.js (MPL-2.0) inside axe-playwright-python's wheel, which is downloaded (not
# installed) next to the test artifacts; the tests read the script out of it.
if [[ "${1:-}" == "--test" ]]; then
  vendor="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.test-artifacts/vendor"
  if ! compgen -G "$vendor/axe_playwright_python-*.whl" >/dev/null; then
    echo "==> downloading axe-core (PyPI: axe-playwright-python)"
    /usr/bin/python3 -m pip download --no-deps --quiet --dest "$vendor" "axe-playwright-python==0.1.8"
  fi
fi

# The Swift 6 toolchain is not in Debian 12's archive; find it where it is usually unpacked.
if ! command -v swift >/dev/null 2>&1; then
  for dir in /opt/swift/usr/bin /usr/share/swift/usr/bin /usr/local/swift/usr/bin; do
    if [[ -x "$dir/swift" ]]; then export PATH="$dir:$PATH"; break; fi
  done
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "error: Swift 6 was not found. Install the Swift 6 toolchain for Debian 12 (https://www.swift.org/install/linux/)" >&2
  echo "       and put its usr/bin on PATH, then run this command again." >&2
  exit 1
fi
