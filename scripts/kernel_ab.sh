#!/usr/bin/env bash
# A/B timing of the column softmax: the headers of a git revision (a) against the working tree (b),
# interleaved in one process (scripts/kernel_ab/harness.cpp), with the kernel's own exp pass as
# the yardstick. Needs g++ and libeigen3-dev.
#
#   bash scripts/kernel_ab.sh REV [rows stride cols]...
#   bash scripts/kernel_ab.sh HEAD~1 1000 1000 16 1000000 1000000 16
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: $0 REV [rows stride cols]..." >&2; exit 2; }
rev=$1
shift
[[ $# -gt 0 ]] || set -- 1000 1000 1 1000 1000 16 10000 10000 16 100000 100000 1 1000000 1000000 16
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/a"
git -C "$root" archive "$rev" include | tar -x -C "$work/a"
flags=(-O3 -march=native -std=c++20 -DNDEBUG -I/usr/include/eigen3)
g++ "${flags[@]}" -I"$work/a/include" -DKERNEL_AB_VARIANT=a -Dhopfield=hopfield_kernel_ab_a \
  -c "$root/scripts/kernel_ab/variant.cpp" -o "$work/a.o"
g++ "${flags[@]}" -I"$root/include" -DKERNEL_AB_VARIANT=b -Dhopfield=hopfield_kernel_ab_b \
  -c "$root/scripts/kernel_ab/variant.cpp" -o "$work/b.o"
g++ "${flags[@]}" -I"$root/include" -I"$root/bench" -c "$root/scripts/kernel_ab/harness.cpp" -o "$work/harness.o"
g++ "$work/harness.o" "$work/a.o" "$work/b.o" -o "$work/harness"
echo "a = $rev ($(git -C "$root" rev-parse --short "$rev")), b = working tree; fastest of 60 interleaved rounds"
"$work/harness" "$@"
