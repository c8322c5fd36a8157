// A consumer's program: one include, one call, a checked answer.
#include <hopfield/hopfield.hpp>

#include <cmath>
#include <iostream>

int main() {
  Eigen::VectorXd scores(3);
  scores << 1.0, 2.0, 3.0;
  const double lse = hopfield::logsumexp(scores, 1.0);
  const double expected = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  std::cout << "logsumexp = " << lse << '\n';
  return std::abs(lse - expected) < 1e-12 ? 0 : 1;
}
