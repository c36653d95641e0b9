#!/usr/bin/env bash
# The hub on a synthetic hub of 10,000 public resumes (release build): full and incremental builds,
# `like` warm against raw SQLite, `like` and `view` one-shot against the minimal executable, then
# filtering the hub in Chromium. Arguments go to `gitfolio bench hub` (--count, --likes, --runs, …).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh --bench
swift build -c release --static-swift-stdlib   # what ./serve.sh builds
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
work="$(mktemp -d /tmp/gitfolio-bench-hub.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$bin/gitfolio" bench hub --keep "$work" "$@"
/usr/bin/python3 scripts/bench_hub_filter.py "$work/_site"
