# karga as a subproject of another build, from a local path: add_subdirectory, then
# FetchContent (SOURCE_DIR); each builds and runs a program of the core.
file(REMOVE_RECURSE "${WORK_DIR}")
foreach(mode IN ITEMS OFF ON)
  set(build "${WORK_DIR}/fetchcontent-${mode}")
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer/subdirectory" -B "${build}" -G "${GENERATOR}"
                          -DCMAKE_CXX_COMPILER=${CXX} -DKARGA_SOURCE_DIR=${SOURCE_DIR} -DKARGA_FETCHCONTENT=${mode}
                          ${LAUNCHER}
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${CMAKE_COMMAND} --build "${build}" COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND "${build}/consumer" OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
endforeach()
message(STATUS "add_subdirectory and FetchContent(SOURCE_DIR): the core builds and runs")
