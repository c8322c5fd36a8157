#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the given profile needs, when run as root; otherwise prints
# the exact apt-get line and exits 1. Profiles: build (library, tests, benchmarks, examples),
# data (Fashion-MNIST for the recall example), figures (gnuplot), peers (numpy for bench/peers, on
# OpenBLAS: without libopenblas0-pthread, --no-install-recommends leaves numpy on the reference
# BLAS, about 10x slower on the batched update, which would flatter us),
# lint (clang and clang-format, for CI's second compiler and format check), sanitizers (clang's
# runtimes: libFuzzer and ThreadSanitizer, and LLVM's OpenMP with its Archer tool for the tsan preset).
set -euo pipefail
declare -A profile=(
  [build]="g++ make cmake pkg-config libeigen3-dev catch2 libbenchmark-dev libstb-dev zlib1g-dev"
  [data]="dataset-fashion-mnist"
  [figures]="gnuplot-nox"
  [peers]="python3 python3-numpy libopenblas0-pthread"
  [lint]="clang clang-format git"
  [sanitizers]="clang libclang-rt-14-dev libomp-14-dev"
)
wanted=()
for name in "${@:-build}"; do
  [[ -n "${profile[$name]:-}" ]] || { echo "install-deps.sh: unknown profile '$name'" >&2; exit 2; }
  read -r -a packages <<<"${profile[$name]}"
  wanted+=("${packages[@]}")
done
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing Debian packages. Install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
