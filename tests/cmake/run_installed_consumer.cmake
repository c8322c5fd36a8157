# Installs the project into a scratch prefix, then builds and runs tests/consumers/installed
# against it with find_package(hopfield CONFIG REQUIRED); checks the pkg-config file too.
include(${CMAKE_CURRENT_LIST_DIR}/run_step.cmake)
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run_step("install" COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})
foreach(file include/hopfield/hopfield.hpp share/cmake/hopfield/hopfieldConfig.cmake
             share/cmake/hopfield/hopfieldConfigVersion.cmake share/pkgconfig/hopfield.pc)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "installed tree lacks ${file}")
  endif()
endforeach()
run_step("configure consumer" COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumers/installed
         -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX})
run_step("build consumer" COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step("run consumer" COMMAND ${WORK_DIR}/build/consumer)
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
  run_step("pkg-config" COMMAND ${PKG_CONFIG} --cflags hopfield)
  separate_arguments(flags UNIX_COMMAND "${step_output}")
  run_step("compile with pkg-config flags" COMMAND ${CXX} ${flags}
           ${SOURCE_DIR}/tests/consumers/installed/main.cpp -o ${WORK_DIR}/pkgconfig_consumer)
  run_step("run pkg-config consumer" COMMAND ${WORK_DIR}/pkgconfig_consumer)
endif()
