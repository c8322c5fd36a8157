// Passing a type that is not an energy policy to the engine is rejected at compile time,
// and the diagnostic names the concept.
// expect: EnergyPolicy
#include <hopfield/hopfield.hpp>

struct not_an_energy {
  using scalar_type = float;
};

int main() {
  Eigen::VectorXf query = Eigen::VectorXf::Ones(4);
  auto result = hopfield::retrieve(not_an_energy{}, hopfield::asynchronous_update{}, query);
  return static_cast<int>(result.steps);
}
