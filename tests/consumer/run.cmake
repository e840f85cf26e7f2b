# Installs karga from BUILD_DIR into fresh prefixes, then configures, builds and runs
# consumer projects against those prefixes only:
#  1. the core component alone: no installed header includes Beast, zlib or OpenSSL,
#     a program with <karga/karga.hpp> builds and runs, and a 0.1 header path still
#     compiles with a warning that names the new one;
#  2. every component: the HTTP adapter and results files; with GRPC=ON the gRPC
#     adapter too, its typed messages made by karga_grpc_messages() from a .proto, and
#     when the environment names KARGA_GRPC_SERVER (tests/grpc_probe_server), calls to it;
#  3. find_package(karga VERSION): the same minor version only, while karga is 0.x.
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
if(GRPC)
  install_into("${all}" karga results prometheus http grpc)
  build_and_run("${all}" "${WORK_DIR}/build-all" -DKARGA_CONSUMER_GRPC=ON)
else()
  install_into("${all}" karga results prometheus http)
  build_and_run("${all}" "${WORK_DIR}/build-all")
endif()
execute_process(COMMAND "${WORK_DIR}/build-all/consumer" COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND "${WORK_DIR}/build-all/consumer_http" COMMAND_ERROR_IS_FATAL ANY)
if(GRPC AND DEFINED ENV{KARGA_GRPC_SERVER})
  # The server writes its port to a file once it listens; the program calls it 10 times.
  execute_process(COMMAND bash -c [=[
    dir=$(mktemp -d)
    "$1" "$dir/port" & server=$!
    for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
    "$2" "127.0.0.1:$(cat "$dir/port")"; rc=$?
    kill $server; wait $server 2>/dev/null; rm -rf "$dir"; exit $rc]=] _ "$ENV{KARGA_GRPC_SERVER}" "${WORK_DIR}/build-all/consumer_grpc"
    COMMAND_ERROR_IS_FATAL ANY)
elseif(GRPC)
  message(STATUS "consumer_grpc built; not run, as no gRPC server was named (KARGA_GRPC_SERVER)")
endif()

# 3. The version: 0.MINOR finds this karga; another minor (or major) does not.
string(REGEX MATCH "^[0-9]+\\.[0-9]+" minor "${VERSION}")
string(REGEX REPLACE "^0\\." "" minor_number "${minor}")
math(EXPR next "${minor_number} + 1")
math(EXPR previous "${minor_number} - 1")
foreach(wanted IN ITEMS ${minor} ${VERSION} 0.${next} 0.${previous} 1.0)
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer/version" -B "${WORK_DIR}/version-${wanted}"
                          -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${core}
                          -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DKARGA_WANTED=${wanted}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(wanted STREQUAL minor OR wanted STREQUAL VERSION)
    set(expected 0)
  else()
    set(expected 1)
  endif()
  if((rc EQUAL 0 AND expected EQUAL 1) OR (NOT rc EQUAL 0 AND expected EQUAL 0))
    message(FATAL_ERROR "find_package(karga ${wanted}) against karga ${VERSION}: exit ${rc}")
  endif()
endforeach()
message(STATUS "find_package(karga ${minor}) and (${VERSION}) find karga ${VERSION}; 0.${next}, 0.${previous} and 1.0 do not")
