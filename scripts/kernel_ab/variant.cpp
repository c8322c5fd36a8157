// One version of the library's softmax, compiled with its namespace renamed (-Dhopfield=...) so
// that two versions link into one program. Built by scripts/kernel_ab.sh.
#include <hopfield/kernels/softmax.hpp>

#define KERNEL_AB_CAT2(a, b) a##b
#define KERNEL_AB_CAT(a, b) KERNEL_AB_CAT2(a, b)

void KERNEL_AB_CAT(softmax_, KERNEL_AB_VARIANT)(const float* z, float* out, long rows, long cols,
                                                long stride) {
  using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Map<const matrix, 0, Eigen::OuterStride<>> scores(z, rows, cols, Eigen::OuterStride<>(stride));
  Eigen::Map<matrix, 0, Eigen::OuterStride<>> weights(out, rows, cols, Eigen::OuterStride<>(stride));
  hopfield::softmax_into(scores, 1.0f, weights);
}
