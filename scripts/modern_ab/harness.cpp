// A/B of the modern update: the headers of a git revision (a) against the working tree (b), in
// one process. First the bits: for each shape and thread count, a and b must give identical
// results (or the largest relative difference is printed). Then the time: rounds interleaved in
// a random order, fastest of each. Built and run by scripts/modern_ab.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

void update_a(const float* x, long n, long m, const float* q, long b, float beta, int threads, float* out);
void update_b(const float* x, long n, long m, const float* q, long b, float beta, int threads, float* out);

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
  struct shape {
    long n, m, b;
  };
  const std::vector<shape> shapes = {
      {128, 65536, 256}, {128, 65536, 1}, {128, 262144, 1}, {64, 1024, 1}, {32, 4096, 700}};
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::printf("%-18s %7s %12s %12s %8s %s\n", "N x M x B", "threads", "a (ms)", "b (ms)", "b / a", "bits");
  for (const auto& s : shapes) {
    std::vector<float> x(static_cast<std::size_t>(s.n * s.m)), q(static_cast<std::size_t>(s.n * s.b));
    for (auto& v : x) v = uniform(rng);
    for (auto& v : q) v = uniform(rng);
    std::vector<float> out_a(static_cast<std::size_t>(s.n * s.b)), out_b(out_a.size());
    for (const int threads : {1, 2}) {
      update_a(x.data(), s.n, s.m, q.data(), s.b, 0.5f, threads, out_a.data());
      update_b(x.data(), s.n, s.m, q.data(), s.b, 0.5f, threads, out_b.data());
      // The largest difference relative to the largest entry of a (entries near 0 do not inflate it).
      double worst = 0, largest = 0;
      for (std::size_t i = 0; i < out_a.size(); ++i) {
        worst = std::max(worst, static_cast<double>(std::abs(out_a[i] - out_b[i])));
        largest = std::max(largest, static_cast<double>(std::abs(out_a[i])));
      }
      worst /= std::max(largest, 1e-30);
      double best_a = 1e30, best_b = 1e30;
      std::bernoulli_distribution coin(0.5);
      for (int r = 0; r < rounds; ++r) {
        const bool a_first = coin(rng);
        for (int k = 0; k < 2; ++k) {
          const bool run_a = (k == 0) == a_first;
          const auto start = std::chrono::steady_clock::now();
          if (run_a) {
            update_a(x.data(), s.n, s.m, q.data(), s.b, 0.5f, threads, out_a.data());
          } else {
            update_b(x.data(), s.n, s.m, q.data(), s.b, 0.5f, threads, out_b.data());
          }
          const double ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
          (run_a ? best_a : best_b) = std::min(run_a ? best_a : best_b, ms);
        }
      }
      char label[64];
      std::snprintf(label, sizeof label, "%ld x %ld x %ld", s.n, s.m, s.b);
      if (worst == 0) {
        std::printf("%-18s %7d %12.3f %12.3f %8.3f identical\n", label, threads, best_a, best_b,
                    best_b / best_a);
      } else {
        std::printf("%-18s %7d %12.3f %12.3f %8.3f max rel diff %.2e\n", label, threads, best_a, best_b,
                    best_b / best_a, worst);
      }
    }
  }
}
