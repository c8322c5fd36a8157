// Compile-only: the log-sum-exp energy is a continuous energy driven by cccp_update, and not a
// binary one; the modern memory's public API has the documented shapes.
#include <type_traits>

#include <hopfield/energy/lse_energy.hpp>
#include <hopfield/memory/attention.hpp>
#include <hopfield/memory/hopfield_pooling.hpp>
#include <hopfield/memory/modern_hopfield.hpp>
#include <hopfield/update/asynchronous_update.hpp>
#include <hopfield/update/cccp_update.hpp>
#include <hopfield/update/synchronous_update.hpp>

namespace {
using namespace hopfield;

static_assert(EnergyPolicy<lse_energy<float>>);
static_assert(ContinuousEnergyPolicy<lse_energy<float>>);
static_assert(ContinuousEnergyPolicy<lse_energy<double>>);
static_assert(ContinuousEnergyPolicy<lse_energy<long double>>);
static_assert(HasCccpStep<lse_energy<double>>);
static_assert(!BinaryEnergyPolicy<lse_energy<double>>);
static_assert(!HasFlipContext<lse_energy<float>>);
static_assert(UpdatePolicy<cccp_update, lse_energy<float>>);
static_assert(BatchUpdate<cccp_update, lse_energy<double>>);
static_assert(!UpdatePolicy<asynchronous_update, lse_energy<float>>);
static_assert(!UpdatePolicy<synchronous_update, lse_energy<float>>);

// Options are aggregates with designated initialisers; beta is optional (1/sqrt(N_k) by default).
constexpr bool designated_options = requires {
  modern_options<float>{.beta = 8.0f, .threads = 1};
};
static_assert(designated_options);
static_assert(std::is_aggregate_v<modern_options<double>>);
static_assert(std::is_aggregate_v<pooling_options<float>>);

// update keeps the query's shape: a vector gives a vector, a matrix a matrix.
using mhn = modern_hopfield<float>;
static_assert(std::is_same_v<decltype(std::declval<const mhn&>().update(std::declval<Eigen::VectorXf>())),
                             Eigen::VectorXf>);
static_assert(std::is_same_v<decltype(std::declval<const mhn&>().update(std::declval<Eigen::MatrixXf>())),
                             Eigen::MatrixXf>);
static_assert(std::is_same_v<decltype(std::declval<const mhn&>().retrieve(std::declval<Eigen::VectorXf>())),
                             retrieval_result<float>>);
static_assert(std::is_same_v<decltype(std::declval<const mhn&>().retrieve(std::declval<Eigen::MatrixXf>())),
                             batch_retrieval_result<float>>);
static_assert(
    std::is_same_v<decltype(attention(std::declval<Eigen::MatrixXd>(), std::declval<Eigen::MatrixXd>(),
                                      std::declval<Eigen::MatrixXd>(), 0.5)),
                   Eigen::MatrixXd>);
}  // namespace
