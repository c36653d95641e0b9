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
# A whole run takes 2 to 6 minutes here. A run past its limit is stopped, and what it was doing is
# printed: the tests that started and never finished, the stacks of the test runner's threads (gdb)
# and the processes still running; the run fails instead of holding CI until an outside limit ends it
# without saying where it stood.
limited() {  # limited SECONDS NAME COMMAND...: runs COMMAND with a time limit, its output added to the log
  local seconds=$1 name=$2
  shift 2
  local out tee sidfile rc=0 timed_out=0 began=$SECONDS
  exec {out}> >(tee -a "$log")
  tee=$!
  # The command runs in a session of its own: the test runner starts every child in a process group of
  # its own, so only the session reaches them all (a server a failed test never stopped, too).
  sidfile=$(mktemp)
  setsid -w bash -c 'echo $$ > "$0"; exec "$@"' "$sidfile" "$@" >&"$out" 2>&1 &
  running=$!
  while [[ ! -s $sidfile ]] && kill -0 "$running" 2>/dev/null; do sleep 0.1; done
  session=$(cat "$sidfile"); rm -f "$sidfile"
  trap 'pkill -TERM -s "$session" 2>/dev/null' INT TERM  # Ctrl-C stops the tests and what they started
  while kill -0 "$running" 2>/dev/null; do
    if (( SECONDS - began >= seconds )); then
      timed_out=1
      hung_report "$name" "$seconds" "$session"
      pkill -TERM -s "$session" 2>/dev/null || true
      for _ in $(seq 30); do kill -0 "$running" 2>/dev/null || break; sleep 1; done
      break
    fi
    sleep 1
  done
  pkill -KILL -s "$session" 2>/dev/null || true  # whatever the command left running goes with it
  wait "$running" || rc=$?
  trap - INT TERM
  exec {out}>&-
  # Everything printed is in the log before anything reads it (a process that left the session and
  # still holds the pipe is not waited for past 30 s).
  for _ in $(seq 300); do kill -0 "$tee" 2>/dev/null || break; sleep 0.1; done
  kill "$tee" 2>/dev/null || true
  wait "$tee" 2>/dev/null || true
  if (( timed_out )); then return 124; fi
  return "$rc"
}
hung_report() {  # hung_report NAME SECONDS SESSION: what a run past its limit was doing, on stderr
  local name=$1 seconds=$2 session=$3
  echo "error: the $name did not finish within $seconds s" >&2
  echo "--- the processes still running:" >&2
  ps -o pid,ppid,etimes,stat,args -s "$session" --forest >&2 || true
  if [[ $name == "Swift tests" ]]; then
    echo "--- started and never finished (as far as the runner's output reached the log):" >&2
    { grep -oP '◇ Test \K\S+(?= started)' "$log" || true; } | sort -u > .test-artifacts/started.txt
    { grep -oP '[✔✘] Test \K\S+(?=.* (passed|failed) after)' "$log" || true; } | sort -u > .test-artifacts/finished.txt
    comm -23 .test-artifacts/started.txt .test-artifacts/finished.txt >&2
    local runner
    for runner in $(pgrep -s "$session" -f 'PackageTests\.xctest' || true); do
      if command -v gdb > /dev/null; then
        timeout 180 gdb -p "$runner" -batch -ex "thread apply all bt 40" > ".test-artifacts/stacks-$runner.txt" 2>&1 || true
        echo "--- the test runner's threads in the package's own code (all of them: .test-artifacts/stacks-$runner.txt):" >&2
        grep -E '^Thread |/(Tests|Sources)/' ".test-artifacts/stacks-$runner.txt" | grep -B1 -E '/(Tests|Sources)/' | cut -c1-300 >&2 || true
      fi
    done
  fi
}
: > "$log"
limited 1500 "Swift tests" swift test --skip-build --disable-xctest "$@"
echo "==> testing the pages in Chromium"
GITFOLIO_BIN_DIR="$(swift build --show-bin-path)" limited 900 "Chromium tests" /usr/bin/python3 -m pytest -q -p no:cacheprovider Tests/browser
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
