#!/usr/bin/env bash
# Draws docs/figures/energy_descent.png from the energy_descent example's CSV (gnuplot, Debian's
# gnuplot-nox). Usage: scripts/plot_energy_descent.sh [build-dir] [output-dir]
#   (defaults: build/release and docs/figures; builds the example when it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
out=${2:-docs/figures}
command -v gnuplot >/dev/null || { echo "gnuplot not found: apt-get install gnuplot-nox (or bash scripts/install-deps.sh figures)" >&2; exit 1; }
if [[ ! -x $build/examples/energy_descent ]]; then
  [[ -f $build/CMakeCache.txt ]] || cmake --preset release >/dev/null
  cmake --build "$build" --target energy_descent
fi
mkdir -p "$out"
"$build/examples/energy_descent" --csv "$out/energy_descent.csv"
gnuplot <<GNUPLOT
set terminal pngcairo size 900,520 font "sans,11"
set output "$out/energy_descent.png"
set datafile separator ","
set title "Energy after every flip: noisy glyph X (8 of 25 pixels flipped), asynchronous updates" font "sans,12"
set xlabel "flips (neurons changed, in visiting order)"
set ylabel "energy E = -1/2 s^T W s"
set y2label "pixels different from X"
set ytics nomirror
set y2tics
set grid
set key top right
set xtics 1
plot "$out/energy_descent.csv" using 1:4 skip 1 with linespoints lw 2 pt 7 lc rgb "#8e44ad" title "energy", \
     "" using 1:5 skip 1 axes x1y2 with steps lw 1.5 dt 2 lc rgb "#2c7fb8" title "Hamming distance to X"
GNUPLOT
echo "wrote $out/energy_descent.png and $out/energy_descent.csv"
