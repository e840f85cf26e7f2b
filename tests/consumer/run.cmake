# Installs karga from BUILD_DIR into fresh prefixes, then configures, builds and runs
# consumer projects against those prefixes only:
#  1. the core component alone: no installed header includes Beast, zlib or OpenSSL,
#     a program with <karga/karga.hpp> builds and runs, and a 0.1 header path still
#     compiles with a warning that names the new one;
#  2. every component: the HTTP adapter and results files.
file(REMOVE_RECURSE "${WORK_DIR}")

function(install_into prefix)
  foreach(component IN LISTS ARGN)
    execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --component ${component}
                    COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
endfunction()

function(build_and_run prefix build_dir)
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer" -B "${build_dir}"
                          -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix}
                          -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF ${ARGN}
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${CMAKE_COMMAND} --build "${build_dir}" COMMAND_ERROR_IS_FATAL ANY)
endfunction()

# 1. The core alone.
set(core "${WORK_DIR}/core")
install_into("${core}" karga)
file(GLOB_RECURSE headers "${core}/include/*.hpp")
list(LENGTH headers count)
if(count LESS 40)
  message(FATAL_ERROR "the core component installed only ${count} headers")
endif()
foreach(header IN LISTS headers)
  file(STRINGS "${header}" includes REGEX "^#include <(boost/beast|boost/url|boost/asio/ssl|zlib\\.h|openssl|nghttp2)")
  if(includes)
    message(FATAL_ERROR "the core component installs ${header}, which needs more than the core: ${includes}")
  endif()
endforeach()
message(STATUS "the core component: ${count} headers, none of them includes Beast, Boost.URL, zlib or OpenSSL")
build_and_run("${core}" "${WORK_DIR}/build-core" -DKARGA_CONSUMER_CORE_ONLY=ON)
execute_process(COMMAND "${WORK_DIR}/build-core/consumer" COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${core}/include ${SOURCE_DIR}/tests/consumer/old_path.cpp
                ERROR_VARIABLE warning RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT warning MATCHES "<karga/aggregate.hpp> is deprecated: include <karga/measure/basic_aggregate.hpp>")
  message(FATAL_ERROR "a 0.1 header path: exit ${rc}, ${warning}")
endif()

# 2. Every component.
set(all "${WORK_DIR}/all")
install_into("${all}" karga results prometheus http)
build_and_run("${all}" "${WORK_DIR}/build-all")
execute_process(COMMAND "${WORK_DIR}/build-all/consumer" COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND "${WORK_DIR}/build-all/consumer_http" COMMAND_ERROR_IS_FATAL ANY)
