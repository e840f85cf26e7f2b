# Debian packages, one per install component (`cpack -G DEB` in the build directory):
#   libkarga-dev             the core: headers, CMake package, karga.pc
#   libkarga-results-dev     results files (zlib)
#   libkarga-prometheus-dev  the Prometheus endpoint
#   libkarga-push-dev        pushes to monitoring systems (Boost.URL, OpenSSL, snappy)
#   libkarga-http-dev        the HTTP adapter (Boost.URL, OpenSSL, nghttp2)
#   libkarga-grpc-dev        the gRPC adapter (zlib; on the HTTP adapter)
#   libkarga-fs-dev          the filesystem adapter (liburing)
#   libkarga-cli-dev         the shared command-line options (CLI11)
#   karga-tools              karga-http, karga-grpc, karga-fs, karga-merge
# Each -dev package depends on the Debian packages its headers need and on the karga
# packages of the same version it builds on; karga-tools on the shared libraries its
# programs link (dpkg-shlibdeps).
set(CPACK_PACKAGE_NAME karga)
set(CPACK_PACKAGE_VENDOR karga)
set(CPACK_PACKAGE_CONTACT "karga maintainers <karga@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENTS_ALL karga)
foreach(component IN ITEMS results prometheus push http grpc fs cli)
  if(TARGET karga_${component})
    list(APPEND CPACK_COMPONENTS_ALL ${component})
  endif()
endforeach()
if(TARGET karga-http)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()

set(karga_same "(= ${PROJECT_VERSION})")
# karga_deb(COMPONENT PACKAGE SUMMARY DEPENDS)
macro(karga_deb component package summary depends)
  string(TOUPPER ${component} karga_deb_upper)
  set(CPACK_DEBIAN_${karga_deb_upper}_PACKAGE_NAME ${package})
  set(CPACK_DEBIAN_${karga_deb_upper}_PACKAGE_DEPENDS "${depends}")
  set(CPACK_DEBIAN_${karga_deb_upper}_PACKAGE_ARCHITECTURE all)
  set(CPACK_COMPONENT_${karga_deb_upper}_DESCRIPTION "${summary}")
endmacro()
karga_deb(karga libkarga-dev "karga, a load-testing core for C++20: headers"
          "libboost1.81-dev, libfmt-dev, pkg-config")
karga_deb(results libkarga-results-dev "karga: results files (merge, HdrHistogram logs)"
          "libkarga-dev ${karga_same}, zlib1g-dev")
karga_deb(prometheus libkarga-prometheus-dev "karga: the live Prometheus endpoint"
          "libkarga-dev ${karga_same}")
karga_deb(push libkarga-push-dev "karga: results pushed to monitoring systems (InfluxDB, remote write, Pushgateway)"
          "libkarga-dev ${karga_same}, libkarga-prometheus-dev ${karga_same}, libboost-url1.81-dev, libssl-dev, libsnappy-dev")
karga_deb(http libkarga-http-dev "karga: the HTTP/1.1 and HTTP/2 adapter"
          "libkarga-dev ${karga_same}, libkarga-results-dev ${karga_same}, libboost-url1.81-dev, libssl-dev, libnghttp2-dev")
karga_deb(grpc libkarga-grpc-dev "karga: the gRPC adapter (on HTTP/2)"
          "libkarga-dev ${karga_same}, libkarga-http-dev ${karga_same}, zlib1g-dev")
# karga_grpc_messages() runs protoc for typed messages: wanted by most, needed by none.
set(CPACK_DEBIAN_GRPC_PACKAGE_RECOMMENDS "protobuf-compiler, libprotobuf-dev")
karga_deb(fs libkarga-fs-dev "karga: the filesystem adapter (io_uring)"
          "libkarga-dev ${karga_same}, libkarga-results-dev ${karga_same}, liburing-dev")
karga_deb(cli libkarga-cli-dev "karga: the command-line options its tools share"
          "libkarga-dev ${karga_same}, libkarga-results-dev ${karga_same}, libkarga-prometheus-dev ${karga_same}, libkarga-push-dev ${karga_same}, libcli11-dev")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME karga-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SHLIBDEPS ON)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "karga: karga-http, karga-grpc, karga-fs and karga-merge, load tests from the command line")
include(CPack)
