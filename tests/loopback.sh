# Sourced by the tests that run servers on loopback.
#
# free_port: prints a TCP port with nothing listening on it on 127.0.0.1, taken below
# the kernel's ephemeral range, so that no outgoing connection of a test running
# beside this one can hold it.
free_port() {
  local low p
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  ((low > 12000)) || low=32768
  for _ in $(seq 100); do
    p=$((10000 + RANDOM % (low - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

# start_nginx DIR [WORKER_CONNECTIONS] <<'HTTP' ... HTTP: starts nginx from
# DIR/nginx.conf with one worker and the http { } contents read from standard input,
# in which @PORT@ stands for the port (@PORT2@, @PORT3@ for two more, $port2 and
# $port3) and @DIR@ for DIR. A port that another process
# took in the meantime is given up for another one. Sets $port; stop_nginx DIR stops
# it.
start_nginx() {
  local dir=$1 connections=${2:-1024} block
  block=$(cat)
  for _ in 1 2 3 4 5; do
    port=$(free_port) || break
    port2=$(free_port) || break
    port3=$(free_port) || break
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections $connections; }
http {
$(sed -e "s|@PORT@|$port|g" -e "s|@PORT2@|$port2|g" -e "s|@PORT3@|$port3|g" -e "s|@DIR@|$dir|g" <<<"$block")
}
CONF
    if nginx -c "$dir/nginx.conf" </dev/null 2>"$dir/nginx.start"; then
      for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.05
      done
    fi
  done
  echo "nginx did not start: $(cat "$dir/nginx.start" 2>/dev/null)"
  exit 1
}

# start_nginx_with_503s DIR: nginx answering 10 % of requests with 503, the rest 200.
start_nginx_with_503s() {
  start_nginx "$1" <<'HTTP'
  access_log off;
  split_clients "$request_id" $bucket { 10% bad; * good; }
  server {
    listen 127.0.0.1:@PORT@;
    location / {
      if ($bucket = bad) { return 503; }
      return 200 "hello\n";
    }
  }
HTTP
}

# start_nginx_logged DIR: nginx answering 200 to everything, logging each request's
# time and status ("$msec $status") to DIR/access.log, for counts per second.
start_nginx_logged() {
  start_nginx "$1" 4096 <<'HTTP'
  log_format stamp '$msec $status';
  access_log @DIR@/access.log stamp;
  server {
    listen 127.0.0.1:@PORT@;
    location / { return 200 "hello\n"; }
  }
HTTP
}

stop_nginx() {
  [[ -f $1/nginx.pid ]] && nginx -c "$1/nginx.conf" -s stop 2>/dev/null
}
