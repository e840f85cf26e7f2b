# Sourced by the benchmarks that run against nginx on loopback.
#
# install_missing PACKAGE...: installs with apt-get the Debian packages not installed yet.
install_missing() {
  local need=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
}

# pin_nginx_workers DIR CPU: moves the workers of the nginx started from DIR (start_nginx,
# tests/loopback.sh) to CPU, so that the client pinned elsewhere does not share it.
pin_nginx_workers() {
  local pid
  for pid in $(pgrep -f "nginx: worker process" -P "$(cat "$1/nginx.pid")"); do taskset -pc "$2" "$pid" >/dev/null; done
}
