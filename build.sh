#!/usr/bin/env bash
# Sets up, builds and runs karga on a Debian machine.
#   bash build.sh run    installs what is missing, builds the main example and the tools
#                        (nothing of the tests or benchmarks), runs the main example:
#                        the seed HTTP load test against an embedded loopback server
#   bash build.sh build  installs what is missing and builds the examples and the tools
#                        (build/tools/karga-http …)
#   bash build.sh test   installs what is missing, builds, runs the tests (ctest); builds
#                        the Debian packages, installs them, builds an adapter against
#                        them and removes them; then the tests again under
#                        AddressSanitizer + UndefinedBehaviorSanitizer, the
#                        multi-threaded ones under ThreadSanitizer, and a clang build
#                        on Asio's io_uring backend with the fuzzers, its event-loop
#                        tests run; every build warning-free (-Werror)
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-run}

packages=(cmake ninja-build g++ ccache pkg-config libboost1.81-dev libboost-url1.81-dev libfmt-dev libcli11-dev
          libssl-dev openssl zlib1g-dev libnghttp2-dev liburing-dev libsnappy-dev)
# karga-grpc's --proto (protobuf's compiler library): not built by `run`.
[[ $mode != run ]] && packages+=(libprotobuf-dev libprotoc-dev)
[[ $mode == test ]] && packages+=(catch2 doxygen nginx-light nghttp2-server clang libclang-rt-14-dev python3 default-jre-headless
                                  libhdrhistogram-java openmpi-bin prometheus chromium redis-server redis-tools dpkg-dev
                                  influxdb prometheus-pushgateway python3-grpcio python3-h2 libgrpc++-dev protobuf-compiler protobuf-compiler-grpc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# The tests and benchmarks are built by `test` only: a first run builds what it runs.
werror=OFF everything=OFF
[[ $mode == test ]] && werror=ON everything=ON
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKARGA_WERROR=$werror \
  -DKARGA_BUILD_TESTS=$everything -DKARGA_BUILD_BENCH=$everything
if [[ $mode == run ]]; then
  cmake --build build --target http karga-http karga-merge
else
  cmake --build build
fi

case "$mode" in
  build) ;;
  run)
    ./build/examples/http "${@:2}"
    ;;
  test)
    ctest --test-dir build --output-on-failure -j2 --timeout 300
    # The Debian packages (cpack), installed with apt-get, used with no hint, purged.
    bash tests/packages_test.sh build

    cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKARGA_SANITIZE=ON -DKARGA_WERROR=ON \
      -DKARGA_BUILD_EXAMPLES=OFF -DKARGA_BUILD_TOOLS=OFF -DKARGA_BUILD_BENCH=OFF
    cmake --build build-sanitize
    ctest --test-dir build-sanitize --output-on-failure -j2 --timeout 300 -E "compile_fail|consumer|find_max_rate|docs|api_reference|layout|no_copies"

    # -Wno-tsan: Boost.Asio's fences, which ThreadSanitizer does not model, warn.
    cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKARGA_TSAN=ON -DKARGA_WERROR=ON \
      -DCMAKE_CXX_FLAGS=-Wno-tsan -DKARGA_BUILD_EXAMPLES=OFF -DKARGA_BUILD_TOOLS=OFF -DKARGA_BUILD_BENCH=OFF
    cmake --build build-tsan --target karga_tests
    TSAN_OPTIONS=halt_on_error=1 ./build-tsan/tests/karga_tests "[battery],[executor],[http],[fs],[push],[grpc]"

    # clang, and Asio's io_uring backend in place of epoll (KARGA_ASIO_IO_URING).
    cmake -S . -B build-clang -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DKARGA_WERROR=ON \
      -DKARGA_FUZZ=ON -DKARGA_BUILD_BENCH=OFF -DKARGA_ASIO_IO_URING=ON
    cmake --build build-clang
    ctest --test-dir build-clang --output-on-failure -j2 --timeout 300 -R "karga.fuzz|karga.cli.(nginx|fault_matrix|grpc|http2)$"
    ./build-clang/tests/karga_tests "[battery],[executor],[http],[fs],[push],[grpc]"
    ;;
  *)
    echo "usage: bash build.sh [run|build|test]" >&2
    exit 2
    ;;
esac
