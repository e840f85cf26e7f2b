# karga as a vcpkg overlay port of its own repository:
#   vcpkg install "karga[http,cli]" --overlay-ports=<karga>/ports
# Headers only, unless the `tools` feature builds karga-http, karga-grpc, karga-fs and karga-merge.
# KARGA_SOURCE_DIR (environment) names another checkout; by default, the one this
# port is in.
set(VCPKG_BUILD_TYPE release)  # headers and release tools: nothing to build twice
if(DEFINED ENV{KARGA_SOURCE_DIR})
  set(SOURCE_PATH "$ENV{KARGA_SOURCE_DIR}")
else()
  get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    results     KARGA_RESULTS
    prometheus  KARGA_PROMETHEUS
    push        KARGA_PUSH
    http        KARGA_HTTP
    grpc        KARGA_GRPC
    fs          KARGA_FS
    cli         KARGA_CLI
    tools       KARGA_BUILD_TOOLS
)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DKARGA_BUILD_TESTS=OFF
    -DKARGA_BUILD_EXAMPLES=OFF
    -DKARGA_BUILD_BENCH=OFF
    -DKARGA_INSTALL_CMAKEDIR=share/karga
    -DKARGA_INSTALL_PKGCONFIGDIR=share/pkgconfig
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME karga CONFIG_PATH share/karga)
vcpkg_fixup_pkgconfig()

if("tools" IN_LIST FEATURES)
  vcpkg_copy_tools(TOOL_NAMES karga-http karga-grpc karga-fs karga-merge AUTO_CLEAN)
endif()
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
