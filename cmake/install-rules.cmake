# Installs each target's headers as a component of its own, with a package config so
# that `find_package(karga CONFIG COMPONENTS ...)` gives `karga::karga` and the
# components installed: `results`, `prometheus`, `push`, `http`, `grpc`, `fs`, `cli`. A component installs its
# folder of include/karga/, its umbrella header, and the 0.1 paths that forward to it.
include(CMakePackageConfigHelpers)

set(KARGA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/karga" CACHE STRING "Where karga's CMake package files go")
set(karga_include_dest "${CMAKE_INSTALL_INCLUDEDIR}/karga")

# karga_install_component(NAME TARGET FOLDERS... UMBRELLA file COMPAT files...)
function(karga_install_component name target)
  if(NOT TARGET ${target})
    return()  # the component is turned off
  endif()
  cmake_parse_arguments(arg "" "UMBRELLA" "FOLDERS;COMPAT" ${ARGN})
  foreach(folder IN LISTS arg_FOLDERS)
    install(DIRECTORY include/karga/${folder} DESTINATION "${karga_include_dest}" COMPONENT ${name})
  endforeach()
  install(FILES include/karga/${arg_UMBRELLA} DESTINATION "${karga_include_dest}" COMPONENT ${name})
  foreach(old IN LISTS arg_COMPAT)
    get_filename_component(dir "${old}" DIRECTORY)
    install(FILES compat/karga/${old} DESTINATION "${karga_include_dest}/${dir}" COMPONENT ${name})
  endforeach()
  install(TARGETS ${target} EXPORT karga-${name}-targets COMPONENT ${name})
  install(EXPORT karga-${name}-targets NAMESPACE karga:: DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT ${name})
endfunction()

file(GLOB karga_core_compat RELATIVE ${PROJECT_SOURCE_DIR}/compat/karga ${PROJECT_SOURCE_DIR}/compat/karga/*.hpp)
list(REMOVE_ITEM karga_core_compat serialize.hpp)
karga_install_component(karga karga FOLDERS core measure load run executors report reporters UMBRELLA karga.hpp
                        COMPAT ${karga_core_compat})
karga_install_component(results karga_results FOLDERS files UMBRELLA results.hpp
                        COMPAT serialize.hpp reporters/hlog_reporter.hpp)
karga_install_component(prometheus karga_prometheus FOLDERS exporters UMBRELLA prometheus.hpp)
karga_install_component(push karga_push FOLDERS push UMBRELLA push.hpp)
karga_install_component(http karga_http FOLDERS http UMBRELLA http.hpp
                        COMPAT http/serialize.hpp http/embedded_server.hpp)
karga_install_component(grpc karga_grpc FOLDERS grpc UMBRELLA grpc.hpp)
if(TARGET karga_grpc)
  install(FILES cmake/karga-grpc-messages.cmake DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT grpc)
endif()
karga_install_component(fs karga_fs FOLDERS fs UMBRELLA fs.hpp)
karga_install_component(cli karga_cli FOLDERS cli UMBRELLA cli.hpp)

# A pkg-config file per component (karga.pc, karga-http.pc, …), for builds without
# CMake: `c++ -std=c++20 x.cpp $(pkg-config --cflags --libs karga-http)`. The files
# find their prefix from where they are, so an install can move.
set(KARGA_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig" CACHE STRING "Where karga's pkg-config files go")
file(RELATIVE_PATH karga_pc_to_prefix "/prefix/${KARGA_INSTALL_PKGCONFIGDIR}" "/prefix")
string(REGEX REPLACE "/$" "" karga_pc_to_prefix "${karga_pc_to_prefix}")
# karga_pkg_config(COMPONENT PC_NAME DESCRIPTION REQUIRES LIBS)
function(karga_pkg_config component karga_pc_name karga_pc_description karga_pc_requires karga_pc_libs)
  if(NOT component STREQUAL "karga" AND NOT TARGET karga_${component})
    return()
  endif()
  configure_file(cmake/karga.pc.in "${PROJECT_BINARY_DIR}/pkgconfig/${karga_pc_name}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/${karga_pc_name}.pc" DESTINATION "${KARGA_INSTALL_PKGCONFIGDIR}"
          COMPONENT ${component})
endfunction()
karga_pkg_config(karga karga "${PROJECT_DESCRIPTION} (header-only, Boost.Asio and fmt)" "fmt" "-pthread")
karga_pkg_config(results karga-results "karga's results files" "karga = ${PROJECT_VERSION}, zlib" "")
karga_pkg_config(prometheus karga-prometheus "karga's Prometheus endpoint" "karga = ${PROJECT_VERSION}" "")
karga_pkg_config(push karga-push "karga's pushes to monitoring systems"
                 "karga = ${PROJECT_VERSION}, karga-prometheus = ${PROJECT_VERSION}, openssl, snappy" "-lboost_url")
karga_pkg_config(http karga-http "karga's HTTP/1.1 and HTTP/2 adapter"
                 "karga = ${PROJECT_VERSION}, karga-results = ${PROJECT_VERSION}, openssl, libnghttp2 >= 1.43" "-lboost_url")
karga_pkg_config(grpc karga-grpc "karga's gRPC adapter"
                 "karga = ${PROJECT_VERSION}, karga-http = ${PROJECT_VERSION}, zlib" "")
karga_pkg_config(fs karga-fs "karga's filesystem adapter"
                 "karga = ${PROJECT_VERSION}, karga-results = ${PROJECT_VERSION}, liburing >= 2.1" "")
karga_pkg_config(cli karga-cli "karga's shared command-line options"
                 "karga = ${PROJECT_VERSION}, karga-results = ${PROJECT_VERSION}, karga-prometheus = ${PROJECT_VERSION}, karga-push = ${PROJECT_VERSION}, CLI11" "")

configure_package_config_file(cmake/karga-config.cmake.in
  "${PROJECT_BINARY_DIR}/karga-config.cmake"
  INSTALL_DESTINATION "${KARGA_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/karga-config.cmake" "${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT karga)
