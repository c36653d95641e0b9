#!/usr/bin/env bash
# The test suite: unit, black-box executable, lighttpd CGI and `gitfolio serve` tests (Swift),
# then the pages in headless Chromium (Python). Screenshots are kept in .test-artifacts/, and
# everything the suite prints in .test-artifacts/test-output.log.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh --test
mkdir -p .test-artifacts
log=.test-artifacts/test-output.log
echo "==> building (debug, with tests)"
swift build --build-tests
echo "==> testing (Swift)"
swift test --skip-build --disable-xctest "$@" 2>&1 | tee "$log"
echo "==> testing the pages in Chromium"
GITFOLIO_BIN_DIR="$(swift build --show-bin-path)" /usr/bin/python3 -m pytest -q -p no:cacheprovider Tests/browser 2>&1 | tee -a "$log"
# Every test that configures KakaoPay uses FakeKakaoPay.testSecretKey: no line the suite printed (its
# own logs and those of the functions it ran in process) may hold it. Tests check the logs of the
# processes they start themselves.
key=$(sed -n 's/.*static let testSecretKey = "\(.*\)".*/\1/p' Tests/GitfolioTestSupport/FakeKakaoPay.swift)
if [[ -z "$key" ]]; then echo "error: FakeKakaoPay.testSecretKey not found" >&2; exit 1; fi
if grep -nF -- "$key" "$log"; then
  echo "error: the KakaoPay secret key appears in the output above ($log)" >&2
  exit 1
fi
echo "==> the KakaoPay secret key appears in none of the $(wc -l < "$log") lines the suite printed"
