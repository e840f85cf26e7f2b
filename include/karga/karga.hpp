#pragma once
/// @file karga.hpp
/// The karga core (target `karga::karga`: Boost.Asio and fmt, nothing else), all of
/// it: concepts and scenario (core/), histograms and aggregates (measure/), load
/// models' arithmetic (load/), the executor toolkit (run/), the executors
/// (executors/), reports and thresholds (report/) and the reporters that need nothing
/// more (reporters/). What needs more has an umbrella of its own: karga/results.hpp
/// (zlib), karga/prometheus.hpp (Beast), karga/http.hpp (Beast, OpenSSL).

#include <karga/core/concepts.hpp>
#include <karga/core/context.hpp>
#include <karga/core/error.hpp>
#include <karga/core/hooks.hpp>
#include <karga/core/live_sample.hpp>
#include <karga/core/metric.hpp>
#include <karga/core/parse.hpp>
#include <karga/core/run_control.hpp>
#include <karga/core/run_info.hpp>
#include <karga/core/run_options.hpp>
#include <karga/core/scenario.hpp>
#include <karga/core/timing.hpp>
#include <karga/core/version.hpp>
#include <karga/executors/constant_vus_executor.hpp>
#include <karga/executors/controlled_rate_executor.hpp>
#include <karga/executors/find_max_rate.hpp>
#include <karga/executors/iterations_executors.hpp>
#include <karga/executors/ramping_vus_executor.hpp>
#include <karga/executors/stage_executor.hpp>
#include <karga/load/profiles.hpp>
#include <karga/load/rate_control.hpp>
#include <karga/load/schedule.hpp>
#include <karga/load/segment.hpp>
#include <karga/measure/basic_aggregate.hpp>
#include <karga/measure/extends_basic.hpp>
#include <karga/measure/histogram.hpp>
#include <karga/measure/live_counters.hpp>
#include <karga/measure/series_aggregate.hpp>
#include <karga/measure/sparse_histogram.hpp>
#include <karga/measure/time_series.hpp>
#include <karga/measure/window_aggregate.hpp>
#include <karga/report/basic_report.hpp>
#include <karga/report/series_report.hpp>
#include <karga/report/thresholds.hpp>
#include <karga/reporters/csv_reporter.hpp>
#include <karga/reporters/html_reporter.hpp>
#include <karga/reporters/json_reporter.hpp>
#include <karga/reporters/junit_reporter.hpp>
#include <karga/reporters/markdown_reporter.hpp>
#include <karga/reporters/progress.hpp>
#include <karga/reporters/report_to.hpp>
#include <karga/reporters/stdout_reporter.hpp>
#include <karga/run/action_outcome.hpp>
#include <karga/run/builder_settings.hpp>
#include <karga/run/composition.hpp>
#include <karga/run/executor_base.hpp>
#include <karga/run/load_plan.hpp>
#include <karga/run/run_action.hpp>
#include <karga/run/shard.hpp>
#include <karga/run/sharded_runner.hpp>
