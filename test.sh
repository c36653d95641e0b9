#!/usr/bin/env bash
# The test suite: unit, black-box executable, lighttpd CGI and `gitfolio serve` tests (Swift),
# then the pages in headless Chromium (Python). Screenshots are kept in .test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh --test
echo "==> building (debug, with tests)"
swift build --build-tests
echo "==> testing (Swift)"
swift test --skip-build --disable-xctest "$@"
echo "==> testing the pages in Chromium"
GITFOLIO_BIN_DIR="$(swift build --show-bin-path)" /usr/bin/python3 -m pytest -q -p no:cacheprovider Tests/browser
