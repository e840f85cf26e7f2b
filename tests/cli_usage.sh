#!/usr/bin/env bash
# karga-http refuses bad input before sending anything: exit status 2 and one line
# that says what is wrong. Nothing listens on the URL: a run would fail differently.
# Each tool's --version is one line, "NAME VERSION", and exit status 0.
#   cli_usage.sh VERSION KARGA_HTTP [OTHER_TOOL...]
set -uo pipefail
version=$1
karga=$2
url=http://127.0.0.1:9/
failures=0
for tool in "${@:2}"; do
  out=$("$tool" --version 2>&1)
  code=$?
  if [[ $code != 0 || $out != "$(basename "$tool") $version" ]]; then
    echo "FAIL: $tool --version -> exit $code, \"$out\" (wanted \"$(basename "$tool") $version\")"
    failures=$((failures + 1))
  fi
done
expect() {  # expect MESSAGE ARG...
  local message=$1
  shift
  local out code
  out=$(timeout 10 "$karga" "$@" 2>&1 >/dev/null)
  code=$?
  if [[ $code != 2 || $(wc -l <<<"$out") != 1 || $out != *"$message"* ]]; then
    echo "FAIL: karga-http $* -> exit $code, \"$out\" (wanted exit 2 and \"$message\")"
    failures=$((failures + 1))
  fi
}
expect '--connections: "-1" must not be negative' $url --connections -1 --duration 1s
expect '--threads: "-1" must not be negative' $url --threads -1
expect '--threads: "100000" is more than' $url --threads 100000
expect '(4 per core on this machine)' $url --threads 100000
expect '--connections: "10000000" is more than' $url --connections 10000000
expect 'raise it with ulimit -n' $url --connections 10000000
expect '--threads: "1.5" is not a whole number' $url --threads 1.5
expect '--threads: "4294967297" is more than' $url --threads 4294967297
expect '--connections: "nan" is not a whole number' $url --connections nan
expect '--connections: "0" must be at least 1' $url --connections 0
expect '--rate: "0x10" is not a number' $url --rate 0x10 --duration 1s
expect '--rate: "nan" is not a number' $url --rate nan --duration 1s
expect '--rate: "inf" is not a number' $url --rate inf --duration 1s
expect '--rate: "-50" must not be negative' $url --rate -50 --duration 1s
expect '--duration: "1e400" is out of range' $url --duration 1e400s
expect '--duration: "10" is not a duration (write it like 250us, 500ms' $url --duration 10
expect '--pacing-slot: "20ms" is more than 10ms' $url --rate 10 --duration 1s --pacing-slot 20ms
expect '--pacing-slot goes with --rate or --stage (the open model)' $url --pacing-slot 1ms
expect '--prometheus: "9464" is not HOST:PORT' $url --prometheus 9464
expect '--prometheus: "localhost:9464" does not start with an IP address' $url --prometheus localhost:9464
expect '--prometheus: "70000" is more than 65535 (a TCP port)' $url --prometheus 127.0.0.1:70000
expect '--prometheus-linger goes with --prometheus' $url --prometheus-linger 2s
expect '--prometheus goes with one run, not --find-max-rate' $url --find-max-rate --prometheus 127.0.0.1:0
expect '--push "http://127.0.0.1:9091" is not KIND=URL (json, pushgateway)' $url --push http://127.0.0.1:9091
expect '--push: unknown kind "influxdb" (json, pushgateway)' $url --push influxdb=http://127.0.0.1:8086/write
expect '--live: unknown kind "json" (influxdb, prometheus-rw)' $url --live json=http://127.0.0.1:1/
expect '--live influxdb: "ftp://db/write": the scheme must be http or https' $url --live influxdb=ftp://db/write
expect '--push-ca: "/nonexistent.pem" cannot be read' $url --push-ca /nonexistent.pem
expect '--push json: "127.0.0.1:1/r" is not a URL: give http[s]://HOST[:PORT][/PATH]' $url --push json=127.0.0.1:1/r
expect '--push-header: "Bearer x" is not NAME: VALUE' $url --push-header "Bearer x"
expect '--push-timeout: "0s" must be more than 0' $url --push-timeout 0s
expect '--push-retries: "11" is more than 10' $url --push-retries 11
expect '--push and --live go with one run, not --find-max-rate' $url --find-max-rate --live influxdb=http://127.0.0.1:1/
expect '--duration: "10d" has no unit, or an unknown one' $url --duration 10d
expect '--stage: "10" is not DURATION:RATE' $url --stage 10
expect 'the load schedules no request' $url --rate 0.4 --duration 1s
expect 'the load schedules no request' $url --stage 0s:100
expect '--duration must be more than 0' $url --duration 0s
expect '--find-max-rate runs steps of its own' $url --find-max-rate --duration 10s
expect '--settle, --measure and --max-rate go with --find-max-rate' $url --settle 1s
expect '--find-max-rate: --rate (the first step) must be at least 1' $url --find-max-rate --rate 0.5
expect 'segment 4/4: the index must be below the count' $url --rate 10 --duration 1s --segment 4/4
expect 'segment "1of4" is not I/N' $url --rate 10 --duration 1s --segment 1of4
expect '--start-at: "2026-13-01T00:00:00Z" is not a valid date and time' $url --rate 10 --duration 1s --start-at 2026-13-01T00:00:00Z
expect '--start-at: "22222222222" is after the year 2199' $url --rate 10 --duration 1s --start-at 22222222222
expect '--start-at: "9999-01-01T00:00:00Z" is not between the years 1970 and 2199' $url --rate 10 --duration 1s --start-at 9999-01-01T00:00:00Z
expect '--start-at: "tomorrow" is not Unix seconds or a UTC time' $url --rate 10 --duration 1s --start-at tomorrow
expect '--start-at: "2026-11-28T19:00:00" is not a UTC time: it must end in Z' $url --rate 10 --duration 1s --start-at 2026-11-28T19:00:00
expect '--find-max-rate runs in one process' $url --find-max-rate --segment 0/2
expect '--poisson goes with --rate or --stage' $url --poisson 1
expect '--poisson: "x" is not a whole number' $url --rate 10 --duration 1s --poisson x
expect 'a Poisson schedule holds at most 2^32 arrivals' $url --rate 1e9 --duration 10s --poisson 1
expect '--rate needs --duration' $url --rate 10
expect '--connections must be at least --threads' $url --rate 10 --duration 1s --connections 1 --threads 2
expect 'unknown method "FETCH"' $url -m FETCH
expect 'bad header name "Bad Name"' $url -H 'Bad Name: v'
expect '-H: "NoColon" is not a header' $url -H NoColon
expect 'bad value of header "X-Id": no CR, LF, NUL or other control character' $url -H $'X-Id: 1\r\nX-Injected: yes'
expect 'bad URL "ftp://x": an HTTP URL starts with http:// or https://' ftp://x
expect 'the port must be a number from 1 to 65535, got "99999999999999999999999"' http://127.0.0.1:99999999999999999999999/
expect 'a #fragment is never sent' 'http://127.0.0.1:9/#top'
expect 'not expected: --bogus' $url --bogus
expect 'url is required' --rate 1 --duration 1s
((failures == 0)) && echo "all usage errors: exit 2 with one line"
exit $((failures != 0))
