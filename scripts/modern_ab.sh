#!/usr/bin/env bash
# A/B of the modern Hopfield update (bits and time): the headers of a git revision (a) against the
# working tree (b), linked into one program with their namespaces renamed, rounds interleaved in a
# random order, fastest of each (scripts/modern_ab/harness.cpp). Needs g++ and libeigen3-dev.
#
#   bash scripts/modern_ab.sh REV [rounds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 REV [rounds]" >&2; exit 2; }
rev=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/a"
git -C "$root" archive "$rev" include | tar -x -C "$work/a"
flags=(-O3 -march=native -std=c++20 -DNDEBUG -fopenmp -isystem /usr/include/eigen3)
g++ "${flags[@]}" -I"$work/a/include" -DMODERN_AB_VARIANT=a -Dhopfield=hopfield_modern_ab_a \
  -c "$root/scripts/modern_ab/variant.cpp" -o "$work/a.o"
g++ "${flags[@]}" -I"$root/include" -DMODERN_AB_VARIANT=b -Dhopfield=hopfield_modern_ab_b \
  -c "$root/scripts/modern_ab/variant.cpp" -o "$work/b.o"
g++ "${flags[@]}" -c "$root/scripts/modern_ab/harness.cpp" -o "$work/harness.o"
g++ -fopenmp "$work/harness.o" "$work/a.o" "$work/b.o" -o "$work/harness"
echo "a = $rev ($(git -C "$root" rev-parse --short "$rev")), b = working tree; fastest of ${2:-30} interleaved rounds"
"$work/harness" "${2:-30}"
