#!/usr/bin/env bash
# Draws docs/figures/continuous_time.png from the continuous_time example's CSV (gnuplot, Debian's
# gnuplot-nox): the energy of every model against time (as the fraction of its descent still to
# come, log scale) and the feature output's overlap with the target against time.
# Usage: scripts/plot_continuous_time.sh [build-dir] [output-dir]
#   (defaults: build/release and docs/figures; builds the example when it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
out=${2:-docs/figures}
command -v gnuplot >/dev/null || { echo "gnuplot not found: apt-get install gnuplot-nox (or bash scripts/install-deps.sh figures)" >&2; exit 1; }
if [[ ! -x $build/examples/continuous_time ]]; then
  [[ -f $build/CMakeCache.txt ]] || cmake --preset release >/dev/null
  cmake --build "$build" --target continuous_time
fi
mkdir -p "$out"
"$build/examples/continuous_time" --csv "$out/continuous_time.csv"
# The models' names (column 2, in the order of their ids 1..4) for the key, as a gnuplot array.
titles=$(awk -F, 'NR > 1 && !seen[$1]++ { gsub(/"/, "", $2); printf "%s\"%s\"", (n++ ? ", " : ""), $2 }' \
         "$out/continuous_time.csv")
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,520 font "sans,11"
set output "$out/continuous_time.png"
set datafile separator ","
array names[4] = [$titles]
set multiplot layout 1,2 title "Explicit Euler from a corrupted pattern (dt = 0.02, until max |dx/dt| <= 1e-6)" font "sans,12"
set grid
set xlabel "time (units of the feature time constant tau_f)"
set key top right font "sans,9"
set logscale y
set format y "10^{%L}"
set ylabel "(E(t) - E_{end}) / (E(0) - E_{end})"
set title "energy: fraction of the descent still to come"
plot for [k=1:4] "$out/continuous_time.csv" using 4:(\$1 == k && \$6 > 0 ? \$6 : 1/0) skip 1 with lines lw 2 \
     title names[k]
unset logscale y
set format y "%g"
set ylabel "overlap of the feature output with the target (cosine)"
set title "overlap with the stored pattern (the first 5 time units)"
set yrange [0.3:1.02]
set xrange [0:5]
set key bottom right font "sans,9"
plot for [k=1:4] "$out/continuous_time.csv" using 4:(\$1 == k ? \$7 : 1/0) skip 1 with lines lw 2 \
     title names[k]
unset multiplot
GNUPLOT
echo "wrote $out/continuous_time.png and $out/continuous_time.csv"
