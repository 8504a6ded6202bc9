# Installs the build tree into a temporary prefix and builds tests/consumer against it.
file(REMOVE_RECURSE ${SALA_WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${SALA_BUILD_DIR} --prefix ${SALA_WORK_DIR}/prefix
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SALA_CONSUMER_SRC} -B ${SALA_WORK_DIR}/build
  -DCMAKE_PREFIX_PATH=${SALA_WORK_DIR}/prefix -DSALA_CONSUMER_SQLITE=${SALA_CONSUMER_SQLITE} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configure against installed sala failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${SALA_WORK_DIR}/build RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "build against installed sala failed: ${rc}")
endif()
execute_process(COMMAND ${SALA_WORK_DIR}/build/consumer RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "consumer program failed: ${rc}")
endif()
if(SALA_CONSUMER_SQLITE)
  execute_process(COMMAND ${SALA_WORK_DIR}/build/consumer_sqlite RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "sqlite consumer program failed: ${rc}")
  endif()
endif()
# A component that was not installed is refused at configure time.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SALA_CONSUMER_SRC} -B ${SALA_WORK_DIR}/build-bad
  -DCMAKE_PREFIX_PATH=${SALA_WORK_DIR}/prefix -DSALA_CONSUMER_BAD_COMPONENT=ON
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc OR NOT err MATCHES "no_such_part")
  message(FATAL_ERROR "find_package(sala COMPONENTS no_such_part) did not fail as it should: ${rc}")
endif()
