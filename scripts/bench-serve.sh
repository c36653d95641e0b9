#!/usr/bin/env bash
# Load on `gitfolio serve` (release build) with wrk at 1, 16, 64 and 256 connections, keep-alive and
# `Connection: close`, on `/` and `/api/session`, beside lighttpd serving the same _site; then a
# connection flood on a serve with fewer descriptors than connections. Loopback only; every run is
# bounded in time. Arguments go to scripts/bench_serve.py (--duration, --connections, --flood, …).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh --bench
swift build -c release --static-swift-stdlib
exec python3 scripts/bench_serve.py "$(swift build -c release --static-swift-stdlib --show-bin-path)" "$@"
