#pragma once
/// @file karga_redis.hpp
/// karga-redis: a Redis adapter for karga, built outside karga against its installed
/// package. RESP over pipelined connections, a workload in redis-benchmark's words,
/// and the metric, aggregate, report and results codec karga's reporters take.
#include <karga_redis/client.hpp>
#include <karga_redis/connection.hpp>
#include <karga_redis/metrics.hpp>
#include <karga_redis/resp.hpp>
#include <karga_redis/results_codec.hpp>
#include <karga_redis/workload.hpp>
