// The single-read column kernel under the inputs that exercise its machinery: block shifts that
// rise from block to block (ascending scores), the look-ahead across columns, the previous
// column's normalisation done inside the next column's loop, in-place and strided matrices,
// ragged ends of every length, columns long enough for longer blocks, masked prefixes, late
// infinities and NaN. References are long double; matrix results must equal column-by-column
// results bit for bit (nothing one column does may leak into another). Also the packet
// exponential on every packet width this build has.
#include <catch.hpp>

#include <hopfield/core/random.hpp>
#include <hopfield/detail/column_kernel.hpp>
#include <hopfield/kernels/logsumexp.hpp>
#include <hopfield/kernels/softmax.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace hopfield;

namespace {

template <class Scalar>
constexpr long double entry_tolerance = std::is_same_v<Scalar, float> ? 1e-6L : 1e-13L;
template <class Scalar>
constexpr long double lse_tolerance = std::is_same_v<Scalar, float> ? 1e-5L : 1e-13L;

template <class Scalar>
struct pattern {
  std::string name;
  vector_t<Scalar> z;
};

// Columns whose maxima sit where the kernel's bookkeeping is exercised.
template <class Scalar>
std::vector<pattern<Scalar>> patterns(index_t n, std::uint64_t seed) {
  random_engine rng(seed);
  const auto uniform = [&](double low, double high) {
    return static_cast<Scalar>(low + (high - low) * uniform_unit(rng));
  };
  std::vector<pattern<Scalar>> out;
  vector_t<Scalar> z(n);
  for (index_t i = 0; i < n; ++i) z(i) = uniform(-20, 20);
  out.push_back({"uniform", z});
  for (index_t i = 0; i < n; ++i)
    z(i) = static_cast<Scalar>(-30.0 + 60.0 * static_cast<double>(i) / static_cast<double>(n));
  out.push_back({"ascending", z});
  out.push_back({"descending", z.reverse().eval()});
  for (index_t i = 0; i < n; ++i) z(i) = uniform(-5, 5);
  z(n - 1) = 40;
  out.push_back({"spike at the end", z});
  for (index_t i = 0; i < n; ++i) z(i) = uniform(-5, 5);
  z(0) = 40;
  out.push_back({"spike at the start", z});
  for (index_t i = 0; i < n; ++i) z(i) = uniform(-1e4, 1e4);
  out.push_back({"wide", z});
  return out;
}

template <class Scalar>
void require_matches_reference(const vector_t<Scalar>& z, Scalar beta, const vector_t<Scalar>& p,
                               Scalar lse) {
  long double a = -std::numeric_limits<long double>::infinity();
  for (index_t i = 0; i < z.size(); ++i) a = std::max(a, static_cast<long double>(z(i)));
  long double sum = 0;
  for (index_t i = 0; i < z.size(); ++i) sum += std::exp(static_cast<long double>(beta) * (z(i) - a));
  const long double ref_lse = a + std::log(sum) / static_cast<long double>(beta);
  REQUIRE(std::abs(static_cast<long double>(lse) - ref_lse) <=
          lse_tolerance<Scalar> * std::max(1.0L, std::abs(ref_lse)));
  long double worst = 0, total = 0;
  for (index_t i = 0; i < z.size(); ++i) {
    const long double ref = std::exp(static_cast<long double>(beta) * (z(i) - a)) / sum;
    worst = std::max(worst, std::abs(static_cast<long double>(p(i)) - ref));
    total += static_cast<long double>(p(i));
  }
  REQUIRE(worst <= entry_tolerance<Scalar>);
  REQUIRE(std::abs(total - 1) <= 10 * lse_tolerance<Scalar>);
}

#ifdef HOPFIELD_SANITIZE
const std::vector<index_t> rows_list{1, 5, 16, 17, 31, 33, 1000, 2047, 2048, 2049, 6151};
#else
const std::vector<index_t> rows_list{1, 5, 16, 17, 31, 33, 1000, 2047, 2048, 2049, 6151, 20000};
#endif

}  // namespace

TEMPLATE_TEST_CASE("structured columns match long double, alone and side by side", "[kernels][column]", float,
                   double) {
  std::uint64_t seed = 7;
  for (const index_t rows : rows_list) {
    for (const double beta_value : {1.0, 0.37, 6.5}) {
      const auto beta = static_cast<TestType>(beta_value);
      const auto columns = patterns<TestType>(rows, seed++);
      matrix_t<TestType> z(rows, static_cast<index_t>(columns.size()));
      matrix_t<TestType> one_by_one(rows, z.cols());
      row_vector_t<TestType> lse_one_by_one(z.cols());
      for (std::size_t c = 0; c < columns.size(); ++c) {
        INFO(columns[c].name << ", rows = " << rows << ", beta = " << beta_value);
        const auto j = static_cast<index_t>(c);
        z.col(j) = columns[c].z;
        const vector_t<TestType> p = hopfield::softmax(columns[c].z, beta);
        const TestType lse = hopfield::logsumexp(columns[c].z, beta);
        require_matches_reference(columns[c].z, beta, p, lse);
        one_by_one.col(j) = p;
        lse_one_by_one(j) = lse;
      }
      INFO("rows = " << rows << ", beta = " << beta_value);
      // The matrix walk (look-ahead across columns, normalisation inside the next column's loop)
      // computes exactly what one column at a time does.
      const matrix_t<TestType> together = hopfield::softmax(z, beta);
      REQUIRE((together.array() == one_by_one.array()).all());
      REQUIRE((hopfield::logsumexp(z, beta).array() == lse_one_by_one.array()).all());
      // In place (the look-ahead reads each block before it is overwritten), and from a strided
      // block of a larger matrix, too.
      matrix_t<TestType> in_place = z;
      hopfield::softmax_into(in_place, beta, in_place);
      REQUIRE((in_place.array() == one_by_one.array()).all());
      matrix_t<TestType> larger = matrix_t<TestType>::Constant(rows + 9, z.cols() + 2, TestType(3));
      larger.block(4, 1, rows, z.cols()) = z;
      matrix_t<TestType> strided_out = matrix_t<TestType>::Zero(rows + 5, z.cols());
      hopfield::softmax_into(larger.block(4, 1, rows, z.cols()), beta, strided_out.topRows(rows));
      REQUIRE((strided_out.topRows(rows).array() == one_by_one.array()).all());
      REQUIRE((strided_out.bottomRows(5).array() == 0).all());
    }
  }
}

TEMPLATE_TEST_CASE("weights against the max, as the streaming partials read them", "[kernels][column]", float,
                   double) {
  for (const index_t rows : {index_t{33}, index_t{2049}, index_t{9000}}) {
    for (const auto& column : patterns<TestType>(rows, 99)) {
      INFO(column.name << ", rows = " << rows);
      const auto beta = TestType(0.8);
      vector_t<TestType> weights(rows);
      const auto stats = detail::reduce_column(column.z.data(), rows, beta, weights.data());
      REQUIRE(stats.max == column.z.maxCoeff());
      long double sum = 0;
      for (index_t i = 0; i < rows; ++i) {
        const long double ref = std::exp(static_cast<long double>(beta) * (column.z(i) - stats.max));
        REQUIRE(std::abs(static_cast<long double>(weights(i)) - ref) <=
                4 * entry_tolerance<TestType> * std::max(ref, 1e-30L));
        sum += ref;
      }
      REQUIRE(std::abs(static_cast<long double>(stats.sum) - sum) <= lse_tolerance<TestType> * sum);
      // The same with the weights written over the scores.
      vector_t<TestType> in_place = column.z;
      const auto again = detail::reduce_column(in_place.data(), rows, beta, in_place.data());
      REQUIRE(again.max == stats.max);
      REQUIRE(again.sum == stats.sum);
      REQUIRE((in_place.array() == weights.array()).all());
    }
  }
}

#ifndef HOPFIELD_SANITIZE
TEST_CASE("columns longer than the remembered blocks use longer blocks", "[kernels][column]") {
  const index_t rows = detail::kernel_block * detail::max_column_blocks + 12345;
  REQUIRE(detail::block_length_for(rows) > detail::kernel_block);
  for (const auto& column : patterns<float>(rows, 5)) {
    if (column.name == "wide") continue;
    INFO(column.name);
    require_matches_reference(column.z, 1.0f, hopfield::softmax(column.z, 1.0f),
                              hopfield::logsumexp(column.z, 1.0f));
  }
}
#endif

TEMPLATE_TEST_CASE("columns beyond the caches are written with streaming stores", "[kernels][column]", float,
                   double) {
  const auto min_rows = static_cast<index_t>(detail::stream_column_bytes / sizeof(TestType));
  // Every column aligned for streaming; then a ragged length, where only the first one is.
  for (const index_t rows : {min_rows + 64, min_rows + 4099}) {
    const auto columns = patterns<TestType>(rows, static_cast<std::uint64_t>(rows));
    matrix_t<TestType> z(rows, 3);
    for (index_t j = 0; j < 3; ++j) z.col(j) = columns[static_cast<std::size_t>(j) + 2].z;
    matrix_t<TestType> out(rows, 3);
    REQUIRE(detail::streams_column(out.data(), rows, false));
    REQUIRE(detail::streams_column(out.col(1).data(), rows, false) == (rows % 64 == 0));
    const auto beta = TestType(0.9);
    hopfield::softmax_into(z, beta, out);
    const row_vector_t<TestType> lse = hopfield::logsumexp(z, beta);
    for (index_t j = 0; j < 3; ++j) {
      INFO("rows = " << rows << ", column " << j);
      require_matches_reference<TestType>(z.col(j), beta, out.col(j), lse(j));
      REQUIRE((hopfield::softmax(z.col(j), beta).array() == out.col(j).array()).all());
    }
    matrix_t<TestType> in_place = z;
    hopfield::softmax_into(in_place, beta, in_place);
    REQUIRE((in_place.array() == out.array()).all());
  }
}

#ifndef HOPFIELD_SANITIZE
TEST_CASE("a last column far beyond the caches is streamed too", "[kernels][column]") {
  const auto rows = static_cast<index_t>(detail::stream_last_column_bytes / sizeof(float)) + 16;
  const vector_t<float> z = patterns<float>(rows, 17)[3].z;  // spike at the end
  vector_t<float> p(rows);
  REQUIRE(detail::streams_column(p.data(), rows, true));
  hopfield::softmax_into(z, 1.0f, p);
  require_matches_reference<float>(z, 1.0f, p, hopfield::logsumexp(z, 1.0f));
}
#endif

TEMPLATE_TEST_CASE("masked prefixes, late infinities and NaN stay in their own columns", "[kernels][column]",
                   float, double) {
  constexpr TestType inf = std::numeric_limits<TestType>::infinity();
  constexpr TestType nan = std::numeric_limits<TestType>::quiet_NaN();
  const index_t rows = 5000;  // three blocks, the last one ragged
  const vector_t<TestType> base = patterns<TestType>(rows, 3)[0].z;
  matrix_t<TestType> z(rows, 7);
  z.col(0) = base;
  z.col(0).head(4500).setConstant(-inf);  // masked past the first two blocks
  z.col(1) = base;
  z.col(1)(4321) = inf;  // +inf in the last block, after finite blocks
  z.col(1)(2222) = inf;
  z.col(2) = base;
  z.col(2)(rows - 1) = nan;    // NaN in the ragged end
  z.col(3).setConstant(-inf);  // fully masked
  z.col(4) = base;
  z.col(4)(10) = nan;  // NaN first, +inf later: NaN wins
  z.col(4)(3000) = inf;
  z.col(5) = base;
  z.col(6) = base;
  z.col(6)(4999) = inf;  // found in the last block, after column 5 was partly finished in passing
  for (const TestType beta : {TestType(1), TestType(2.5)}) {
    const matrix_t<TestType> p = hopfield::softmax(z, beta);
    const row_vector_t<TestType> lse = hopfield::logsumexp(z, beta);
    // Column 0: the masked entries weigh nothing; the rest is the softmax of the tail.
    const vector_t<TestType> tail = base.tail(500);
    require_matches_reference<TestType>(tail, beta, p.col(0).tail(500), lse(0));
    REQUIRE((p.col(0).head(4500).array() == 0).all());
    // Column 1: the two +inf entries share the mass.
    REQUIRE(lse(1) == inf);
    REQUIRE(p(4321, 1) == TestType(0.5));
    REQUIRE(p(2222, 1) == TestType(0.5));
    REQUIRE(p.col(1).sum() == TestType(1));
    // Columns 2 and 4: NaN poisons the column, and only it.
    REQUIRE(std::isnan(lse(2)));
    REQUIRE(p.col(2).array().isNaN().all());
    REQUIRE(std::isnan(lse(4)));
    REQUIRE(p.col(4).array().isNaN().all());
    // Column 3: fully masked gives -inf and zeros.
    REQUIRE(lse(3) == -inf);
    REQUIRE((p.col(3).array() == 0).all());
    // Column 5, after all that, is untouched, and finished exactly once although column 6 met
    // its +inf only after scaling most of column 5 in passing.
    require_matches_reference<TestType>(base, beta, p.col(5), lse(5));
    REQUIRE(lse(6) == inf);
    REQUIRE(p(4999, 6) == 1);
    REQUIRE(p.col(6).sum() == 1);
  }
}

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wignored-attributes"  // SIMD packet types as template arguments
#endif

namespace {

// Every packet width of Scalar this build vectorises with, from the widest down.
template <class Packet, class Check>
void for_each_packet(Check&& check) {
  namespace in = Eigen::internal;
  check(Packet{}, in::unpacket_traits<Packet>::size);
  using half = typename in::unpacket_traits<Packet>::half;
  if constexpr (!std::is_same_v<half, Packet> && in::unpacket_traits<half>::size >= 2) {
    for_each_packet<half>(check);
  }
}

// |value - ref| in units of the last place of ref rounded to Scalar.
template <class Scalar>
long double ulps_from(Scalar value, long double ref) {
  const auto rounded = static_cast<Scalar>(ref);
  const long double ulp = std::nextafter(rounded, std::numeric_limits<Scalar>::infinity()) - rounded;
  return std::abs(static_cast<long double>(value) - ref) / ulp;
}

template <class Scalar>
void check_packet_exponential(long double max_ulps, double low) {
  namespace in = Eigen::internal;
  using packet = typename in::packet_traits<Scalar>::type;
  constexpr Scalar smallest_normal = std::numeric_limits<Scalar>::min();
  random_engine rng(11);
  std::vector<Scalar> xs;
  for (int i = 0; i < 200000; ++i) xs.push_back(static_cast<Scalar>(low * uniform_unit(rng)));
  for (int i = 0; i < 20000; ++i) xs.push_back(static_cast<Scalar>(-1e-3 * uniform_unit(rng)));
  for (const Scalar x : {Scalar(0), Scalar(-0.0), Scalar(-1), Scalar(-0.5), Scalar(low), -smallest_normal})
    xs.push_back(x);
  for_each_packet<packet>([&](auto probe, index_t width) {
    using P = decltype(probe);
    INFO("packet of " << width);
    long double worst = 0;
    std::vector<Scalar> lanes(static_cast<std::size_t>(width));
    for (std::size_t start = 0; start + static_cast<std::size_t>(width) <= xs.size();
         start += static_cast<std::size_t>(width)) {
      in::pstoreu(lanes.data(), detail::exp_shifted(in::ploadu<P>(xs.data() + start)));
      for (std::size_t k = 0; k < lanes.size(); ++k) {
        const long double ref = std::exp(static_cast<long double>(xs[start + k]));
        const Scalar rounded = static_cast<Scalar>(ref);
        if (rounded < smallest_normal) {  // flushed: a subnormal would cost a microcode assist
          REQUIRE(lanes[k] == 0);
          continue;
        }
        worst = std::max(worst, ulps_from(lanes[k], ref));
      }
    }
    REQUIRE(worst <= max_ulps);
    // Around the smallest normal result: every argument up to 16384 steps either side of
    // log(min) gives 0 below it and a normal, accurate number above it, never a subnormal.
    Scalar probe_x =
        std::nextafter(static_cast<Scalar>(std::log(static_cast<long double>(smallest_normal))), Scalar(0));
    for (int step = 0; step < 16384; ++step) probe_x = std::nextafter(probe_x, Scalar(-1000));
    for (int step = 0; step < 32768; step += static_cast<int>(width)) {
      for (std::size_t k = 0; k < lanes.size(); ++k, probe_x = std::nextafter(probe_x, Scalar(0)))
        lanes[k] = probe_x;
      const std::vector<Scalar> arguments = lanes;
      in::pstoreu(lanes.data(), detail::exp_shifted(in::ploadu<P>(arguments.data())));
      for (std::size_t k = 0; k < lanes.size(); ++k) {
        const long double ref = std::exp(static_cast<long double>(arguments[k]));
        INFO("x = " << arguments[k]);
        if (ref < static_cast<long double>(smallest_normal)) {
          REQUIRE(lanes[k] == 0);
        } else {
          REQUIRE(lanes[k] >= smallest_normal);
          REQUIRE(ulps_from(lanes[k], ref) <= max_ulps);
        }
      }
    }
    // Exact cases: exp(0) = 1, -inf and far below weigh exactly 0, NaN stays NaN.
    const auto one_lane = [&](Scalar x) {
      in::pstoreu(lanes.data(), detail::exp_shifted(in::pset1<P>(x)));
      return lanes[0];
    };
    REQUIRE(one_lane(0) == 1);
    REQUIRE(one_lane(-std::numeric_limits<Scalar>::infinity()) == 0);
    REQUIRE(one_lane(Scalar(-1e30)) == 0);
    REQUIRE(std::isnan(one_lane(std::numeric_limits<Scalar>::quiet_NaN())));
  });
}

}  // namespace

TEST_CASE("the packet exponential is accurate on every packet width", "[kernels][column]") {
  if constexpr (detail::packet_kernel<float>) check_packet_exponential<float>(1.1L, -104.0);
  if constexpr (detail::packet_kernel<double>) check_packet_exponential<double>(2.0L, -750.0);
}
