# Installs each target's headers as a component of its own, with a package config so
# that `find_package(karga CONFIG COMPONENTS ...)` gives `karga::karga` and the
# components installed: `results`, `prometheus`, `http`, `fs`. A component installs its
# folder of include/karga/, its umbrella header, and the 0.1 paths that forward to it.
include(CMakePackageConfigHelpers)

set(KARGA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/karga" CACHE STRING "Where karga's CMake package files go")
set(karga_include_dest "${CMAKE_INSTALL_INCLUDEDIR}/karga")

# karga_install_component(NAME TARGET FOLDERS... UMBRELLA file COMPAT files...)
function(karga_install_component name target)
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
karga_install_component(http karga_http FOLDERS http UMBRELLA http.hpp
                        COMPAT http/serialize.hpp http/embedded_server.hpp)
karga_install_component(fs karga_fs FOLDERS fs UMBRELLA fs.hpp)

configure_package_config_file(cmake/karga-config.cmake.in
  "${PROJECT_BINARY_DIR}/karga-config.cmake"
  INSTALL_DESTINATION "${KARGA_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/karga-config.cmake" "${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT karga)
