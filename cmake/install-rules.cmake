# Installs the headers and a package config so that `find_package(karga CONFIG)`
# gives `karga::karga`, and `karga::http` when the `http` component is installed.
include(CMakePackageConfigHelpers)

set(KARGA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/karga" CACHE STRING "Where karga's CMake package files go")

# The core (component karga).
install(DIRECTORY include/karga DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT karga
        PATTERN "http" EXCLUDE PATTERN "http.hpp" EXCLUDE)
install(TARGETS karga EXPORT karga-targets COMPONENT karga)
install(EXPORT karga-targets NAMESPACE karga:: DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT karga)

# Results files and HdrHistogram logs (component results; its headers come with the core).
install(TARGETS karga_results EXPORT karga-results-targets COMPONENT results)
install(EXPORT karga-results-targets NAMESPACE karga:: DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT results)

# The HTTP adapter (component http).
install(DIRECTORY include/karga/http DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/karga" COMPONENT http)
install(FILES include/karga/http.hpp DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/karga" COMPONENT http)
install(TARGETS karga_http EXPORT karga-http-targets COMPONENT http)
install(EXPORT karga-http-targets NAMESPACE karga:: DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT http)

configure_package_config_file(cmake/karga-config.cmake.in
  "${PROJECT_BINARY_DIR}/karga-config.cmake"
  INSTALL_DESTINATION "${KARGA_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/karga-config.cmake" "${PROJECT_BINARY_DIR}/karga-config-version.cmake"
  DESTINATION "${KARGA_INSTALL_CMAKEDIR}" COMPONENT karga)
