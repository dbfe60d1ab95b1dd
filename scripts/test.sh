#!/usr/bin/env bash
# The README's second command (and what CI runs): installs what is missing, builds, runs every
# test in a Release build and again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# ctest runs two test programs at a time, one OpenMP thread each (two threads each would
# oversubscribe the cores); the engine suites then run once more with two threads, to exercise
# the parallel paths.
export OMP_NUM_THREADS=1

echo "== Release build and tests" >&2
bash scripts/build.sh build
(cd build && ctest --output-on-failure -j 2)
echo "== Engine suites with 2 threads" >&2
OMP_NUM_THREADS=2 ./build/tests/test_engine_golden --gtest_brief=1
OMP_NUM_THREADS=2 ./build/tests/test_engine_scoring --gtest_brief=1
# (the end-to-end goldens batch many sequences: once caught a race that one thread cannot show)
OMP_NUM_THREADS=2 ./build/tests/test_eval --gtest_brief=1 --gtest_filter='Eval.ReproducesEndToEndGoldens'

echo "== MPI build (-DRGEVAL_MPI=ON): mpirun -n 3 rgeval eval vs one process (docs/mpi.md)" >&2
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DRGEVAL_MPI=ON -DRGEVAL_BUILD_BENCH=OFF >/dev/null
cmake --build build-mpi -j "$(nproc)" --target rgeval test_mpi
(cd build-mpi && ctest --output-on-failure -L mpi)

echo "== ASan+UBSan build and tests" >&2
bash scripts/build.sh build-asan -DRGEVAL_SANITIZE=ON -DRGEVAL_BUILD_BENCH=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2 -LE slow)

echo "== libFuzzer targets (clang, ASan+UBSan), bounded time" >&2
bash scripts/fuzz.sh build-fuzz
