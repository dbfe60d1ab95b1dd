#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs `rgeval demo`: the tiny
# built-in models on sample data written by rgeval itself (eval, safety, a side-by-side study ready
# to rate, the quick throughput preset), then the report in build/demo/report/report.html.
# Idempotent: a rerun installs nothing new, rebuilds only what changed and resumes the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
./build/cli/rgeval demo --out build/demo "$@"
