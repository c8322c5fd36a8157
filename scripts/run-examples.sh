#!/usr/bin/env bash
# Runs every built example once with its defaults (after checking that --help works).
# Usage: scripts/run-examples.sh [build-dir]   (default build/release)
set -euo pipefail
build=${1:-build/release}
status=0
for program in "$build"/examples/*; do
  [[ -f $program && -x $program ]] || continue
  name=$(basename "$program")
  if ! "$program" --help >/dev/null; then
    echo "FAILED: $name --help"; status=1; continue
  fi
  SECONDS=0
  if timeout 300 "$program" >"$build/examples/$name.log" 2>&1; then
    echo "ok: $name (${SECONDS} s)"
  else
    echo "FAILED: $name (exit $?), last lines:"; tail -n 20 "$build/examples/$name.log"; status=1
  fi
done
exit $status
