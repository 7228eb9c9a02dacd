# Helpers shared by the end-to-end scripts (included, not run on its own). Each script sets
# WORK_DIR, and may set E2E_CWD to run the program from a given directory.

function(run expect_code)
  if(DEFINED E2E_CWD)
    execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${E2E_CWD} RESULT_VARIABLE code OUTPUT_VARIABLE out
                    ERROR_VARIABLE err)
  else()
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  endif()
  if(NOT code EQUAL expect_code)
    message(FATAL_ERROR "expected exit ${expect_code}, got ${code}: ${ARGN}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
  set(ERR "${err}" PARENT_SCOPE)
endfunction()

# Any non-zero exit (CLI11 uses its own codes for rejected arguments).
function(run_fails)
  if(DEFINED E2E_CWD)
    execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${E2E_CWD} RESULT_VARIABLE code OUTPUT_VARIABLE out
                    ERROR_VARIABLE err)
  else()
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  endif()
  if(code EQUAL 0)
    message(FATAL_ERROR "expected a non-zero exit: ${ARGN}\nstdout:\n${out}")
  endif()
  set(ERR "${err}" PARENT_SCOPE)
endfunction()

function(expect_contains text needle)
  string(FIND "${text}" "${needle}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "expected to find '${needle}' in:\n${text}")
  endif()
endfunction()

function(expect_absent text needle)
  string(FIND "${text}" "${needle}" pos)
  if(NOT pos EQUAL -1)
    message(FATAL_ERROR "did not expect '${needle}' in:\n${text}")
  endif()
endfunction()
