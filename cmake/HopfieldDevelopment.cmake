# Flags and helpers for the project's own programs; nothing here reaches consumers.
add_library(hopfield_dev INTERFACE)
target_link_libraries(hopfield_dev INTERFACE hopfield::hopfield)
target_compile_options(hopfield_dev INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  $<$<BOOL:${HOPFIELD_WARNINGS_AS_ERRORS}>:-Werror>)
if(HOPFIELD_NATIVE)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag(-march=native HOPFIELD_HAS_MARCH_NATIVE)
  if(HOPFIELD_HAS_MARCH_NATIVE)
    target_compile_options(hopfield_dev INTERFACE -march=native)
    # GCC 12's own avx512fintrin.h trips -W(maybe-)uninitialized once Eigen's AVX-512 packets are
    # inlined (GCC bug 105593, fixed in GCC 13); the portable build keeps the warning on.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(hopfield_dev INTERFACE -Wno-maybe-uninitialized -Wno-uninitialized)
    endif()
  endif()
endif()
if(HOPFIELD_USE_OPENMP)
  find_package(OpenMP COMPONENTS CXX)
  if(OpenMP_CXX_FOUND)
    target_link_libraries(hopfield_dev INTERFACE OpenMP::OpenMP_CXX)
  endif()
endif()
if(HOPFIELD_USE_BLAS)
  find_package(BLAS REQUIRED)
  target_compile_definitions(hopfield_dev INTERFACE EIGEN_USE_BLAS)
  target_link_libraries(hopfield_dev INTERFACE BLAS::BLAS)
endif()
