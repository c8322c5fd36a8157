#!/usr/bin/env bash
# Quick start (2): installs what is missing, builds the release preset and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
ctest --preset release
