#!/usr/bin/env bash
# The main job: build Gitfolio and serve the site with its functions on http://127.0.0.1:8080,
# on embedded defaults (SQLite in content/, no external service, no API key).
# Extra arguments go to `gitfolio serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
echo "==> building (release, static Swift libraries; the first build takes a few minutes)"
swift build -c release --static-swift-stdlib
exec "$(swift build -c release --static-swift-stdlib --show-bin-path)/gitfolio" serve "$@"
