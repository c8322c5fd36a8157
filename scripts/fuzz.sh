#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz: fuzz_idx_reader, fuzz_args) with clang in build/fuzz
# and runs each for the given time on a copy of its seed corpus (tests/fuzz/corpus/<target>/; the
# repository is not modified). Exits non-zero when a target fails to build, or finds a crash, a
# leak, a timeout, an out-of-memory or any sanitizer report; the input that did it is kept in
# build/fuzz/findings/<target>/ (replay: build/fuzz/tests/fuzz/<target> FILE).
#
# Usage: scripts/fuzz.sh [seconds per target, default 60]
# Needs (Debian bookworm): clang libclang-rt-14-dev, and the project's cmake, libeigen3-dev,
# catch2, zlib1g-dev. CXX_FUZZ overrides the compiler (default clang++), FUZZ_JOBS the build jobs.
set -euo pipefail
seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [seconds per target > 0], got '$seconds'" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/fuzz
cxx=${CXX_FUZZ:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found (Debian: sudo apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi
targets=(fuzz_idx_reader fuzz_args)

mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHOPFIELD_BUILD_FUZZERS=ON -DHOPFIELD_BUILD_TESTS=ON -DHOPFIELD_BUILD_BENCHMARKS=OFF \
  -DHOPFIELD_BUILD_EXAMPLES=OFF -DHOPFIELD_INSTALL=OFF -DHOPFIELD_USE_OPENMP=OFF \
  -DHOPFIELD_WARNINGS_AS_ERRORS=ON >"$build/configure.log" 2>&1 || {
  cat "$build/configure.log"
  echo "fuzz.sh: configuring $build failed" >&2
  exit 1
}
cmake --build "$build" --target "${targets[@]}" -j"${FUZZ_JOBS:-1}"

work=$(mktemp -d "${TMPDIR:-/tmp}/hopfield-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for target in "${targets[@]}"; do
  corpus=$work/$target
  findings=$work/$target-findings
  mkdir -p "$corpus" "$findings"
  cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
  log=$build/$target.log
  echo "== $target: ${seconds} s from $(ls "$corpus" | wc -l) seeds (log: $log)"
  if "$build/tests/fuzz/$target" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=25 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    # The last status line (executions, coverage: cov edges, ft features, corpus) and the totals.
    grep -E "^#[0-9]+" "$log" | tail -n 1 || true
    grep -E "^Done [0-9]+ runs|^stat::(average_exec_per_sec|peak_rss_mb)" "$log" || true
    echo "ok: $target ($(ls "$corpus" | wc -l) inputs in the corpus now)"
  else
    status=1
    echo "FAILED: $target; the end of its log:"
    tail -n 40 "$log"
    mkdir -p "$build/findings/$target"
    cp "$findings/"* "$build/findings/$target/" 2>/dev/null || true
    echo "inputs that fail: $build/findings/$target/"
  fi
done
exit $status
