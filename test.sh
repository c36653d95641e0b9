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
# A whole run takes 3 to 6 minutes here; a test that hangs is stopped after 40 and named, instead of
# holding the run until an outside limit ends it without saying where it stood.
stalled() {
  echo "error: the $1 did not finish within its time limit; started and never finished:" >&2
  if [[ $1 == "Swift tests" ]]; then
    grep -oP '◇ Test \K\S+(?= started)' "$log" | sort -u > .test-artifacts/started.txt
    grep -oP '[✔✘] Test \K\S+' "$log" | sort -u > .test-artifacts/finished.txt
    comm -23 .test-artifacts/started.txt .test-artifacts/finished.txt >&2
  fi
  exit 1
}
set +e
timeout -k 30 2400 swift test --skip-build --disable-xctest "$@" 2>&1 | tee "$log"
status=("${PIPESTATUS[@]}")
set -e
if [[ ${status[0]} -eq 124 || ${status[0]} -eq 137 ]]; then stalled "Swift tests"; fi
if [[ ${status[0]} -ne 0 ]]; then exit "${status[0]}"; fi
echo "==> testing the pages in Chromium"
set +e
GITFOLIO_BIN_DIR="$(swift build --show-bin-path)" timeout -k 30 1800 /usr/bin/python3 -m pytest -q -p no:cacheprovider Tests/browser 2>&1 | tee -a "$log"
status=("${PIPESTATUS[@]}")
set -e
if [[ ${status[0]} -eq 124 || ${status[0]} -eq 137 ]]; then stalled "Chromium tests"; fi
if [[ ${status[0]} -ne 0 ]]; then exit "${status[0]}"; fi
# The suite's fixed test secrets — KakaoPay's (FakeKakaoPay.testSecretKey and FunctionWorld's), the
# model keys of the deployment and browser tests — appear in no line the suite printed (its own logs
# and those of the functions it ran in process). Tests check the logs of the processes they start
# themselves, with random secrets (OriginalDefectsTests, "The secret key was written to logs").
secrets=(
  "$(sed -n 's/.*static let testSecretKey = "\(.*\)".*/\1/p' Tests/GitfolioTestSupport/FakeKakaoPay.swift)"
  "$(sed -n 's/.*static let kakaoPayKey = "\(.*\)".*/\1/p' Tests/GitfolioTests/FunctionWorld.swift)"
  "sk-deploy-test" "sk-browser-test"
)
for secret in "${secrets[@]}"; do
  if [[ ${#secret} -lt 12 ]]; then echo "error: a test secret was not found in the sources (${secret})" >&2; exit 1; fi
  if grep -nF -- "$secret" "$log"; then
    echo "error: a test secret (${secret:0:6}…) appears in the output above ($log)" >&2
    exit 1
  fi
done
echo "==> none of the ${#secrets[@]} test secrets appears in the $(wc -l < "$log") lines the suite printed"
