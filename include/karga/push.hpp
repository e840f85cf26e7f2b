#pragma once
/// @file push.hpp
/// Results pushed to where teams look (target `karga::push`: Boost.Beast, Boost.URL,
/// OpenSSL, snappy), over HTTP or HTTPS: the JSON report POSTed once (`http_post_reporter`), live samples sent
/// from a thread of their own through a bounded queue (`live_push`) as InfluxDB line
/// protocol, Prometheus remote write, or a Pushgateway group's final figures.

#include <karga/push/http_post_reporter.hpp>
#include <karga/push/http_push.hpp>
#include <karga/push/influxdb.hpp>
#include <karga/push/live_push.hpp>
#include <karga/push/prometheus_remote_write.hpp>
#include <karga/push/push_options.hpp>
#include <karga/push/pushgateway.hpp>
#include <karga/push/target.hpp>
