# run_step(<description> COMMAND ...): runs a command, stops the test with its output on failure.
function(run_step description)
  execute_process(${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${description} failed (${result}):\n${out}\n${err}")
  endif()
  message(STATUS "${description}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()
