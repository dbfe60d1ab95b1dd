#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs the main job on the
# built-in default (tiny models and sample data made by rgeval itself).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
./build/cli/rgeval info --model builtin:tiny-griffin
./build/cli/rgeval info --model builtin:tiny-gemma
./build/cli/rgeval throughput --preset quick --out build/throughput-quick.json --charts build/charts --db build/rgeval.db
