#!/usr/bin/env bash
# The test suite: unit, black-box executable, lighttpd CGI and `gitfolio serve` tests (Swift),
# then the pages in headless Chromium (Python). Screenshots are kept in .test-artifacts/, and
# everything the suite prints in .test-artifacts/test-output.log.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh --test
mkdir -p .test-artifacts
log=.test-artifacts/test-output.log
# The tests' clones keep their line counts in a cache folder of their own, not in the user's.
XDG_CACHE_HOME="$(mktemp -d -t gitfolio-test-cache.XXXXXX)"
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
echo "==> building (debug, with tests)"
swift build --build-tests
echo "==> testing (Swift)"
# A whole run takes 3 to 6 minutes here; a test that hangs is stopped after 40 and named, instead of
# holding the run until an outside limit ends it without saying where it stood.
limited() {  # limited SECONDS NAME COMMAND...: runs COMMAND with a time limit, its output added to the log
  local seconds=$1 name=$2
  shift 2
  # `timeout` runs the command in a process group of its own, out of reach of the terminal's Ctrl-C:
  # pass an interrupt on to it as SIGTERM (which it hands to the command; an interrupt may be ignored
  # by a command started in the background), so the tests and what they started stop.
  local out tee
  exec {out}> >(tee -a "$log")
  tee=$!
  timeout -k 30 "$seconds" "$@" >&"$out" 2>&1 &
  running=$!
  trap 'kill -TERM "$running" 2>/dev/null' INT TERM
  local rc=0
  wait "$running" || rc=$?
  while kill -0 "$running" 2>/dev/null; do wait "$running" || rc=$?; done  # woken by the trap: wait on
  trap - INT TERM
  exec {out}>&-
  wait "$tee" || true  # everything printed is in the log before anything reads it
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    echo "error: the $name did not finish within $seconds s; started and never finished:" >&2
    if [[ $name == "Swift tests" ]]; then
      { grep -oP '◇ Test \K\S+(?= started)' "$log" || true; } | sort -u > .test-artifacts/started.txt
      { grep -oP '[✔✘] Test \K\S+(?=.* (passed|failed) after)' "$log" || true; } | sort -u > .test-artifacts/finished.txt
      comm -23 .test-artifacts/started.txt .test-artifacts/finished.txt >&2
    fi
  fi
  return "$rc"
}
: > "$log"
limited 2400 "Swift tests" swift test --skip-build --disable-xctest "$@"
echo "==> testing the pages in Chromium"
GITFOLIO_BIN_DIR="$(swift build --show-bin-path)" limited 1800 "Chromium tests" /usr/bin/python3 -m pytest -q -p no:cacheprovider Tests/browser
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
