# Builds and runs tests/consumers/subdirectory, which pulls the project in with add_subdirectory.
include(${CMAKE_CURRENT_LIST_DIR}/run_step.cmake)
file(REMOVE_RECURSE ${WORK_DIR})
run_step("configure consumer" COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumers/subdirectory
         -B ${WORK_DIR} -DHOPFIELD_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_CXX_COMPILER=${CXX})
run_step("build consumer" COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR})
run_step("run consumer" COMMAND ${WORK_DIR}/consumer)
