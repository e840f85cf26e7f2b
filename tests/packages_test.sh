#!/usr/bin/env bash
# karga's Debian packages, installed as a user installs them: `cpack -G DEB` in the
# build directory, then
#  1. libkarga-dev alone (apt resolves its dependencies): it depends on no zlib,
#     OpenSSL, nghttp2, liburing or CLI11 package, and a program with
#     <karga/karga.hpp> builds with `pkg-config karga` without including any of them,
#     and runs; find_package(karga 0.x) finds it with no hint;
#  2. every package: the Redis adapter of examples/adapters/redis configures with no
#     CMAKE_PREFIX_PATH, builds and passes its tests; a Makefile builds the HTTP
#     consumer with `pkg-config --cflags --libs karga-http`; karga-http --version
#     runs from /usr/bin;
#  3. `apt-get remove` leaves none of the packages' files behind (then purge).
# It installs into /usr: run it as root (or with sudo) on a machine you may change.
#   packages_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/karga-packages.XXXXXX)
sudo=""
[[ $(id -u) -eq 0 ]] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
fail() {
  echo "FAIL: $*"
  exit 1
}
packages=(libkarga-dev libkarga-results-dev libkarga-prometheus-dev libkarga-push-dev libkarga-http-dev libkarga-grpc-dev libkarga-fs-dev libkarga-cli-dev karga-tools)
cleanup() {
  $sudo apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for p in "${packages[@]}"; do
  ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    fail "$p is installed already: this test installs and removes it"
done

(cd "$build" && cpack -G DEB -B "$work/debs" >/dev/null)
debs=("$work"/debs/*.deb)
((${#debs[@]} == ${#packages[@]})) || fail "cpack made ${#debs[@]} packages, not ${#packages[@]}: ${debs[*]}"
core_deb=$(ls "$work"/debs/libkarga-dev_*.deb)
depends=$(dpkg-deb -f "$core_deb" Depends)
for heavy in zlib ssl nghttp2 uring cli11 snappy; do
  [[ $depends != *"$heavy"* ]] || fail "libkarga-dev depends on $heavy: $depends"
done
echo "packages: ${debs[*]##*/}"

# 1. The core alone.
$sudo apt-get install -y -qq "$core_deb" >/dev/null
c++ -std=c++20 -O1 -MD -MF "$work/core.d" "$source_dir/tests/consumer/main.cpp" -o "$work/core" \
  $(pkg-config --cflags --libs karga)
! grep -E "zlib\.h|/openssl/|boost/beast|boost/url|nghttp2|liburing|/CLI/|snappy" "$work/core.d" ||
  fail "a core program includes more than the core"
"$work/core" >/dev/null || fail "the core program failed"
cmake -S "$source_dir/tests/consumer/version" -B "$work/version" -DKARGA_WANTED="$(pkg-config --modversion karga)" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >/dev/null || fail "find_package(karga) without a hint"
echo "libkarga-dev alone: a core program built with pkg-config karga, nothing of zlib, OpenSSL, Beast or CLI11 included"

# 2. Everything.
$sudo apt-get install -y -qq "${debs[@]}" >/dev/null
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$source_dir/examples/adapters/redis" -B "$work/redis" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${launcher[@]}" >/dev/null
cmake --build "$work/redis" >/dev/null
ctest --test-dir "$work/redis" --output-on-failure
cat >"$work/Makefile" <<EOF
consumer_http: $source_dir/tests/consumer/http.cpp
	\$(CXX) -std=c++20 -O1 \$< \$(shell pkg-config --cflags --libs karga-http) -o \$@
EOF
make -s -C "$work" consumer_http
"$work/consumer_http" >/dev/null || fail "the pkg-config HTTP consumer failed"
[[ $(/usr/bin/karga-http --version) == "karga-http $(pkg-config --modversion karga)" ]] || fail "karga-http --version"
echo "every package: the Redis adapter built with no hint and passed; the pkg-config karga-http consumer ran"

# 3. Nothing left behind.
files=()
for p in "${packages[@]}"; do
  while IFS= read -r f; do
    [[ -f $f ]] && files+=("$f")
  done < <(dpkg -L "$p")
done
$sudo apt-get remove -y -qq "${packages[@]}" >/dev/null
left=()
for f in "${files[@]}"; do [[ -e $f ]] && left+=("$f"); done
for d in /usr/include/karga /usr/share/karga; do [[ -e $d ]] && left+=("$d"); done
((${#left[@]} == 0)) || fail "apt-get remove left ${left[*]}"
echo "apt-get remove: none of the ${#files[@]} installed files is left"
