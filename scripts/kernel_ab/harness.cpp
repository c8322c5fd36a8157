// Times two versions of the column softmax (a: baseline, b: candidate) and the kernel's own exp
// pass, interleaved round by round on the same data, and reports the fastest round of each: on a
// shared machine noise only adds time, and interleaving exposes both versions to the same noise.
// Arguments: triples "rows stride cols". Built and run by scripts/kernel_ab.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <Eigen/Core>

#include "own_exp_pass.hpp"  // bench/

void softmax_a(const float* z, float* out, long rows, long cols, long stride);
void softmax_b(const float* z, float* out, long rows, long cols, long stride);

int main(int argc, char** argv) {
  constexpr int rounds = 60;
  for (int arg = 1; arg + 2 < argc; arg += 3) {
    const long rows = std::atol(argv[arg]), stride = std::atol(argv[arg + 1]),
               cols = std::atol(argv[arg + 2]);
    if (rows <= 0 || cols <= 0 || stride < rows) {
      std::fprintf(stderr, "kernel_ab: bad shape %ld %ld %ld (rows stride cols)\n", rows, stride, cols);
      return 2;
    }
    const Eigen::MatrixXf z = Eigen::MatrixXf::Random(stride, cols) * 20.0f;  // exponents in [-20, 20]
    Eigen::MatrixXf out(stride, cols);
    const long calls = std::max(1L, 2000000L / (rows * cols));  // about 2e6 entries a round
    double best[3] = {1e300, 1e300, 1e300};
    for (int round = 0; round < rounds; ++round) {
      for (int version = 0; version < 3; ++version) {
        const auto start = std::chrono::steady_clock::now();
        for (long call = 0; call < calls; ++call) {
          if (version == 0) softmax_a(z.data(), out.data(), rows, cols, stride);
          if (version == 1) softmax_b(z.data(), out.data(), rows, cols, stride);
          if (version == 2) own_exp_pass(z.data(), out.data(), stride * cols);
          asm volatile("" ::: "memory");
        }
        const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - start;
        best[version] = std::min(best[version], took.count() / static_cast<double>(calls));
      }
    }
    std::printf(
        "%8ld x %4ld (stride %8ld): a %10.3f us  b %10.3f us  own exp pass %10.3f us  "
        "a/exp %.2f  b/exp %.2f  b/a %.3f\n",
        rows, cols, stride, best[0], best[1], best[2], best[0] / best[2], best[1] / best[2],
        best[1] / best[0]);
  }
  return 0;
}
