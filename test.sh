#!/usr/bin/env bash
# The test suite: unit, black-box executable, lighttpd CGI and `gitfolio serve` tests.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh --test
echo "==> building (debug, with tests)"
swift build --build-tests
echo "==> testing"
swift test --skip-build --disable-xctest "$@"
