// Streaming partials: folding any split of the entries into blocks and merging the block partials
// in any order gives the one-shot lse, softmax and softmax-weighted sum.
#include <catch.hpp>

#include <hopfield/core/random.hpp>
#include <hopfield/kernels/logsumexp.hpp>
#include <hopfield/kernels/softmax.hpp>
#include <hopfield/kernels/streaming_softmax.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace hopfield;

namespace {

template <class Scalar>
constexpr long double relative_tolerance() {
  return std::is_same_v<Scalar, float> ? 1e-6L : 1e-13L;
}

template <class Scalar>
matrix_t<Scalar> uniform_matrix(index_t rows, index_t cols, double low, double high, random_engine& rng) {
  matrix_t<Scalar> m(rows, cols);
  for (index_t j = 0; j < cols; ++j)
    for (index_t i = 0; i < rows; ++i) m(i, j) = static_cast<Scalar>(low + (high - low) * uniform_unit(rng));
  return m;
}

using long_matrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;

// Long-double one-shot reference: lse per column, the softmax-weighted sum V p per column, and
// |V| p, the scale against which a relative error of a sum with cancellation is measured.
template <class Scalar>
void reference(const matrix_t<Scalar>& z, const matrix_t<Scalar>& v, long double beta,
               std::vector<long double>& lse, long_matrix& weighted, long_matrix& magnitude) {
  lse.assign(static_cast<std::size_t>(z.cols()), 0);
  weighted.setZero(v.rows(), z.cols());
  magnitude.setZero(v.rows(), z.cols());
  for (index_t j = 0; j < z.cols(); ++j) {
    long double a = -std::numeric_limits<long double>::infinity();
    for (index_t i = 0; i < z.rows(); ++i) a = std::max(a, static_cast<long double>(z(i, j)));
    long double sum = 0;
    for (index_t i = 0; i < z.rows(); ++i) {
      const long double w = std::exp(beta * (static_cast<long double>(z(i, j)) - a));
      sum += w;
      for (index_t r = 0; r < v.rows(); ++r) {
        weighted(r, j) += w * static_cast<long double>(v(r, i));
        magnitude(r, j) += w * std::abs(static_cast<long double>(v(r, i)));
      }
    }
    weighted.col(j) /= sum;
    magnitude.col(j) /= sum;
    lse[static_cast<std::size_t>(j)] = a + std::log(sum) / beta;
  }
}

}  // namespace

TEMPLATE_TEST_CASE("any split, any merge order, equals one-shot", "[kernels][streaming]", float, double) {
  random_engine rng(2024);
  const std::vector<index_t> block_counts{2, 3, 4, 7, 16, 33, 64};
  for (const index_t blocks : block_counts) {
    for (int trial = 0; trial < 6; ++trial) {
      const index_t n = blocks + static_cast<index_t>(uniform_below(rng, 3000));
      const index_t cols = 1 + static_cast<index_t>(uniform_below(rng, 4));
      const index_t value_rows = 1 + static_cast<index_t>(uniform_below(rng, 6));
      const auto beta = static_cast<TestType>(trial % 2 == 0 ? 0.5 : 4.0);
      const matrix_t<TestType> z = uniform_matrix<TestType>(n, cols, -10, 10, rng);
      const matrix_t<TestType> v = uniform_matrix<TestType>(value_rows, n, -1, 1, rng);

      // Random split points: `blocks` non-empty blocks.
      std::vector<index_t> cuts{0, n};
      while (static_cast<index_t>(cuts.size()) < blocks + 1) {
        const auto cut = 1 + static_cast<index_t>(uniform_below(rng, static_cast<std::uint64_t>(n - 1)));
        if (std::find(cuts.begin(), cuts.end(), cut) == cuts.end()) cuts.push_back(cut);
      }
      std::sort(cuts.begin(), cuts.end());

      std::vector<softmax_partial<TestType>> partials;
      for (index_t b = 0; b < blocks; ++b) {
        const index_t start = cuts[static_cast<std::size_t>(b)];
        const index_t len = cuts[static_cast<std::size_t>(b) + 1] - start;
        softmax_partial<TestType> partial(value_rows, cols, beta);
        partial.fold(z.middleRows(start, len), v.middleCols(start, len));
        partials.push_back(partial);
      }
      // Merge in a random tree order: repeatedly merge a random pair.
      while (partials.size() > 1) {
        const auto a = static_cast<std::size_t>(uniform_below(rng, partials.size()));
        auto b = static_cast<std::size_t>(uniform_below(rng, partials.size() - 1));
        if (b >= a) ++b;
        partials[a].merge(partials[b]);
        partials.erase(partials.begin() + static_cast<std::ptrdiff_t>(b));
      }
      const auto& merged = partials.front();

      std::vector<long double> lse;
      long_matrix weighted;
      long_matrix magnitude;
      reference(z, v, beta, lse, weighted, magnitude);
      const matrix_t<TestType> got = merged.weighted_sum();
      const row_vector_t<TestType> one_shot_lse = hopfield::logsumexp(z, beta);
      const matrix_t<TestType> one_shot_softmax = hopfield::softmax(z, beta);
      INFO("blocks = " << blocks << ", n = " << n << ", cols = " << cols);
      for (index_t j = 0; j < cols; ++j) {
        const long double ref = lse[static_cast<std::size_t>(j)];
        REQUIRE(std::abs(merged.logsumexp(j) - ref) <=
                relative_tolerance<TestType>() * std::max(1.0L, std::abs(ref)));
        REQUIRE(std::abs(merged.logsumexp(j) - one_shot_lse(j)) <=
                2 * relative_tolerance<TestType>() * std::max(1.0L, std::abs(ref)));
        for (index_t r = 0; r < value_rows; ++r) {
          REQUIRE(std::abs(static_cast<long double>(got(r, j)) - weighted(r, j)) <=
                  relative_tolerance<TestType>() * magnitude(r, j));
        }
      }
      // The final softmax of every block under the merged normaliser equals the one-shot softmax.
      matrix_t<TestType> block_softmax(n, cols);
      merged.softmax_into(z, block_softmax);
      REQUIRE((block_softmax - one_shot_softmax).cwiseAbs().maxCoeff() <=
              TestType(relative_tolerance<TestType>()));
    }
  }
}

TEMPLATE_TEST_CASE("folding block by block equals merging, and handles masks and NaN", "[kernels][streaming]",
                   float, double) {
  constexpr TestType inf = std::numeric_limits<TestType>::infinity();
  matrix_t<TestType> z(6, 3);
  z << 1, -inf, 0,                                             //
      2, -inf, 1,                                              //
      -inf, -inf, std::numeric_limits<TestType>::quiet_NaN(),  //
      3, -inf, 2,                                              //
      0, -inf, 1,                                              //
      -1, -inf, 0;
  matrix_t<TestType> v(2, 6);
  v << 1, 2, 3, 4, 5, 6,  //
      -1, 0, 1, 0, -1, 0;
  softmax_partial<TestType> sequential(2, 3, TestType(1));
  sequential.fold(z.topRows(2), v.leftCols(2));
  sequential.fold(z.middleRows(2, 3), v.middleCols(2, 3));
  sequential.fold(z.bottomRows(1), v.rightCols(1));
  const matrix_t<TestType> w = sequential.weighted_sum();
  // Column 0: -inf weighs nothing; equals V softmax(z).
  const vector_t<TestType> p0 = hopfield::softmax(vector_t<TestType>(z.col(0)), TestType(1));
  REQUIRE((w.col(0) - v * p0).cwiseAbs().maxCoeff() <= TestType(1e-5));
  // Column 1: fully masked gives lse -inf and a zero weighted sum, never NaN.
  REQUIRE(sequential.logsumexp(1) == -inf);
  REQUIRE(w.col(1).isZero());
  // Column 2: NaN stays in its column.
  REQUIRE(std::isnan(sequential.logsumexp(2)));
  REQUIRE(w.col(2).array().isNaN().all());
  REQUIRE_FALSE(w.col(0).array().isNaN().any());

  // Score-only partials (no values) give the normaliser.
  softmax_partial<TestType> scores_only(0, 1, TestType(2));
  scores_only.fold(z.col(0).head(3));
  scores_only.fold(z.col(0).tail(3));
  REQUIRE(scores_only.logsumexp(0) == Approx(hopfield::logsumexp(vector_t<TestType>(z.col(0)), TestType(2))));

  // reset() forgets everything.
  sequential.reset();
  REQUIRE(sequential.logsumexp(0) == -inf);
}

TEST_CASE("bad partials throw with the argument named", "[kernels][streaming][errors]") {
  REQUIRE_THROWS_WITH(softmax_partial<double>(1, 1, 0.0),
                      test::contains("'beta'") && test::contains("got 0"));
  REQUIRE_THROWS_WITH(softmax_partial<double>(-1, 1, 1.0), test::contains("sizes >= 0"));
  softmax_partial<double> a(2, 3, 1.0);
  softmax_partial<double> b(2, 4, 1.0);
  REQUIRE_THROWS_WITH(a.merge(b), test::contains("columns = 3") && test::contains("columns = 4"));
  softmax_partial<double> c(2, 3, 2.0);
  REQUIRE_THROWS_WITH(a.merge(c), test::contains("other.beta"));
  const matrix_t<double> scores = matrix_t<double>::Zero(5, 3);
  const matrix_t<double> values = matrix_t<double>::Zero(2, 4);
  REQUIRE_THROWS_WITH(a.fold(scores, values),
                      test::contains("'values'") && test::contains("cols = 5") && test::contains("cols = 4"));
  REQUIRE_THROWS_WITH(a.fold(scores), test::contains("value_rows"));
}
