#!/usr/bin/env bash
# Turns the CSVs of hopfield-capacity into docs/figures/capacity.png (gnuplot, log-log: measured
# capacities with their 95% intervals, theory curves as lines).
#
#   scripts/plot_capacity.sh --run             build, run `hopfield-capacity --full`, then plot
#   scripts/plot_capacity.sh [RESULTS [THEORY [PNG]]]   plot existing CSVs
# Defaults: docs/figures/capacity.csv, docs/figures/capacity_theory.csv, docs/figures/capacity.png.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --run ]]; then
  shift
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target hopfield-capacity
  build/release/bench/programs/hopfield-capacity --full --csv docs/figures/capacity.csv \
    --theory-csv docs/figures/capacity_theory.csv "$@"
fi
results=${1:-docs/figures/capacity.csv}
theory=${2:-docs/figures/capacity_theory.csv}
png=${3:-docs/figures/capacity.png}
command -v gnuplot >/dev/null || { echo "plot_capacity.sh: gnuplot is not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
[[ -r $results && -r $theory ]] || { echo "plot_capacity.sh: cannot read $results or $theory" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One file per series: measured "N capacity ci_low ci_high", theory "N capacity". Series keys are
# memory_option_degree_criterion, the first four CSV columns.
awk -F, -v dir="$work" 'NR > 1 { key = $1 "_" $2 "_" $3 "_" $4; print $5, $7, $8, $9 > (dir "/m_" key) }' "$results"
awk -F, -v dir="$work" 'NR > 1 && $6 + 0 > 0 { key = $1 "_" $2 "_" $3 "_" $4; print $5, $6 > (dir "/t_" key) }' "$theory"

# Plot commands for a list of "key|title|colour" series (skipping series without data).
series() {
  local first=1 out="" key title colour
  for entry in "$@"; do
    IFS='|' read -r key title colour <<<"$entry"
    [[ -s $work/m_$key ]] || continue
    [[ $first == 1 ]] || out+=", "
    first=0
    out+="'$work/m_$key' using 1:2:3:4 with yerrorlines lc rgb '$colour' pt 7 ps 0.8 title '$title'"
    [[ -s $work/t_$key ]] && out+=", '$work/t_$key' using 1:2 with lines dt 2 lw 1.5 lc rgb '$colour' notitle"
  done
  if [[ -n $out ]]; then
    echo "plot $out"
  else  # an empty panel (an --only run): say so instead of failing on log axes
    echo "unset logscale; set label 1 'no data in this run' at graph 0.4, 0.5"
    echo "plot [0:1] [0:1] 2 notitle; unset label 1; set logscale xy"
  fi
}

c=("#1b9e77" "#d95f02" "#7570b3" "#e7298a" "#66a61e" "#e6ab02")
{
  echo "set terminal pngcairo size 1600,1200 font 'Sans,11'"
  echo "set output '$png'"
  echo "set logscale xy; set grid; set key top left font 'Sans,10'; set xlabel 'N (neurons)'; set ylabel 'capacity M (patterns)'"
  echo "set multiplot layout 2,2 title 'Storage capacity against N: measured (points, 95% CI of the mean over seeded trials) and theory (dashed)'"
  echo "set title 'Classical Hopfield network'; set key bottom right"
  series "classical_hebbian_0_fixed_point|Hebbian, every pattern a fixed point (McEliece N/4lnN)|${c[0]}" \
         "classical_hebbian_0_recall|Hebbian, recall from 10% flips (McEliece)|${c[1]}" \
         "classical_hebbian_0_ags|Hebbian, AGS overlap >= 0.97 (0.138 N)|${c[2]}" \
         "classical_storkey_0_fixed_point|Storkey, fixed points (N/sqrt(2lnN))|${c[3]}" \
         "classical_pseudo_inverse_0_recall|pseudo-inverse, recall from 10% flips (N)|${c[4]}"
  echo "set key top left"
  echo "set title 'Dense Associative Memory, F(x) = x^n: every pattern a fixed point (theory: Krotov-Hopfield)'"
  series "dense_polynomial_2_fixed_point|n = 2|${c[0]}" "dense_polynomial_3_fixed_point|n = 3|${c[1]}" \
         "dense_polynomial_4_fixed_point|n = 4|${c[2]}" "dense_polynomial_5_fixed_point|n = 5|${c[3]}"
  echo "set title 'Dense Associative Memory, F(x) = max(x,0)^n: every pattern a fixed point (theory: Krotov-Hopfield)'"
  series "dense_rectified_2_fixed_point|n = 2|${c[0]}" "dense_rectified_3_fixed_point|n = 3|${c[1]}" \
         "dense_rectified_4_fixed_point|n = 4|${c[2]}" "dense_rectified_5_fixed_point|n = 5|${c[3]}"
  echo "set key bottom right"
  echo "set title 'Exponential capacity (log-log: curving up = faster than any power of N)'"
  series "dense_exponential_0_fixed_point|dense F = exp, fixed points (Demircigil 2^{N/2})|${c[0]}" \
         "modern_sphere_0_recall|modern, sphere, beta = 1, recall from noise (Ramsauer Thm 3 bound)|${c[2]}"
  echo "unset multiplot"
} > "$work/plot.gp"
gnuplot "$work/plot.gp"
echo "wrote $png"
