#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer) of every parser of outside input
# (Tests/Fuzz/Targets/FuzzTargets.swift). Builds the driver `gitfolio-fuzz` in its own scratch
# folder (.build-fuzz: the whole package instrumented, about as long as a clean build the first
# time), then runs each target on its corpus in Tests/Fuzz/corpus/<target>, which libFuzzer grows in
# place. A crash leaves its input in .fuzz-artifacts/<target>/; copy it into the corpus once fixed
# (the suite's FuzzCorpusTests replays the corpus).
#
#   scripts/fuzz.sh                     # every target, 60 s each
#   scripts/fuzz.sh json event 300      # some targets, 300 s each
#   FUZZ_ARGS="-runs=20000" scripts/fuzz.sh   # extra libFuzzer flags (a short CI run)
#
# Each run ends with libFuzzer's last status line: execs, cov (edges covered), ft (features), corp.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=()
for arg in "$@"; do
  if [[ "$arg" =~ ^[0-9]+$ ]]; then seconds=$arg; else targets+=("$arg"); fi
done
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(json event cgi profile resume jsonresume github kakaopay llm)
fi
export GITFOLIO_FUZZ=1
swift build --scratch-path .build-fuzz --sanitize=fuzzer --product gitfolio-fuzz >&2
bin="$(swift build --scratch-path .build-fuzz --sanitize=fuzzer --show-bin-path)/gitfolio-fuzz"
mkdir -p .fuzz-artifacts
status=0
for target in "${targets[@]}"; do
  corpus=Tests/Fuzz/corpus/$target
  mkdir -p "$corpus" ".fuzz-artifacts/$target"
  log=".fuzz-artifacts/$target.log"
  echo "==> $target (${seconds} s)"
  if ! GITFOLIO_FUZZ_TARGET=$target "$bin" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix=".fuzz-artifacts/$target/" ${FUZZ_ARGS:-} >"$log" 2>&1; then
    echo "    CRASH or failure: see $log and .fuzz-artifacts/$target/"
    status=1
  fi
  grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$log" | tail -1 | sed 's/^/    /' || true
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed 's/^/    /' || true
done
exit $status
