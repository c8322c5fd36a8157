#!/usr/bin/env bash
# Quick start (1): installs what is missing, builds the flagship examples and runs them:
# the glyph recall (classical network), then the Fashion-MNIST recall table when the data is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
# The Fashion-MNIST data is optional for the demo: install it when we can, go on without it otherwise.
bash scripts/install-deps.sh data 2>/dev/null || echo "(Fashion-MNIST not installed: apt-get install dataset-fashion-mnist to see the image recall)"
cmake --preset release >/dev/null
targets=(glyph_recall)
[[ -f examples/fashion_recall.cpp ]] && targets+=(fashion_recall)
cmake --build --preset release -j "$(nproc)" --target "${targets[@]}"
build/release/examples/glyph_recall
if [[ -x build/release/examples/fashion_recall && -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]]; then
  echo
  build/release/examples/fashion_recall
fi
