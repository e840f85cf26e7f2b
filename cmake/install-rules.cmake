# Installs the headers and a package config so that `find_package(karga CONFIG)`
# gives `karga::karga`.
include(CMakePackageConfigHelpers)

set(KARGA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/karga" CACHE STRING "Where karga's CMake package files go")

install(DIRECTORY include/karga DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT karga)
install(TARGETS karga karga_http EXPORT karga-targets COMPONENT karga)
install(EXPORT karga-targets NAMESPACE karga:: DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT karga)

configure_package_config_file(cmake/karga-config.cmake.in
  "${PROJECT_BINARY_DIR}/karga-config.cmake"
  INSTALL_DESTINATION "${KARGA_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/karga-config.cmake" "${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT karga)
