#!/usr/bin/env bash
# Load on both deployments (issue 14, part 2): `gitfolio serve` and lighttpd running the functions as
# CGI, each with a read-heavy mix (hub pages, GET /api/session, POST /api/view) and a write-heavy mix
# (likes, unlikes, views, comments) at 1, 4, 16, 64 and 256 connections (wrk on loopback), then the
# writes answered checked against the database. Prints a Markdown table (docs/RELIABILITY.md, "Load").
# Not part of the test suite (several minutes); `LoadSmokeTests` runs one small level of it.
# Arguments go to scripts/load.py (--levels, --duration, --deployments, --mixes, --keep DIR);
# GITFOLIO_BIN_DIR uses binaries already built instead of building the release ones.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh --bench
if [[ -z "${GITFOLIO_BIN_DIR:-}" ]]; then
  swift build -c release --static-swift-stdlib
  GITFOLIO_BIN_DIR="$(swift build -c release --static-swift-stdlib --show-bin-path)"
fi
exec python3 scripts/load.py "$GITFOLIO_BIN_DIR" "$@"
