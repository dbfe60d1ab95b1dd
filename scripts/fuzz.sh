#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang++, ASan and UBSan, and runs each for a
# bounded time on a seed corpus: the committed seeds in tests/fuzz/seeds plus, when ../shared is
# present, the headers of the golden model.safetensors files and the golden config.json files.
# Exits non-zero if any fuzzer finds a crash (reproducer in BUILD_DIR/fuzz-artifacts/).
# Usage: scripts/fuzz.sh [BUILD_DIR]   (default build-fuzz)
# Environment: FUZZ_SECONDS per target (default 20), FUZZ_JOBS build parallelism (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-$(nproc)}
bash scripts/install-deps.sh

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DRGEVAL_FUZZ=ON \
  -DRGEVAL_BUILD_TESTS=OFF -DRGEVAL_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j "$jobs" --target fuzz_safetensors_header fuzz_config

corpus=$dir/fuzz-corpus
artifacts=$dir/fuzz-artifacts
rm -rf "$corpus"
mkdir -p "$corpus/safetensors" "$corpus/config" "$artifacts"
cp tests/fuzz/seeds/safetensors/* "$corpus/safetensors/"
cp tests/fuzz/seeds/config/* "$corpus/config/"
golden=../shared/golden
if [ -d "$golden" ]; then
  for f in "$golden"/*/model.safetensors; do
    name=$(basename "$(dirname "$f")")
    n=$(od -An -t u8 -N 8 "$f" | tr -d ' ')  # little-endian header length
    head -c $((8 + n)) "$f" >"$corpus/safetensors/golden-$name.safetensors"
    head -c $((8 + n)) "$f" | tail -c +9 >"$corpus/safetensors/golden-$name.header.json"
    cp "$golden/$name/config.json" "$corpus/config/golden-$name.json"
  done
else
  echo "fuzz: $golden is absent: running on the committed seeds only" >&2
fi

status=0
for target in safetensors_header:safetensors config:config; do
  exe=$dir/tests/fuzz/fuzz_${target%%:*}
  sub=$corpus/${target##*:}
  log=$dir/fuzz_${target%%:*}.log
  echo "== fuzz_${target%%:*}: ${secs}s on $(ls "$sub" | wc -l) seeds" >&2
  if "$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -dict=tests/fuzz/json.dict \
      -artifact_prefix="$artifacts/${target%%:*}-" -print_final_stats=1 "$sub" >"$log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" | tr '\n' ' ' >&2
    echo "(ok)" >&2
  else
    status=1
    echo "fuzz_${target%%:*} FAILED (log: $log, artifacts: $artifacts):" >&2
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -20 >&2 || tail -30 "$log" >&2
  fi
done
exit $status
