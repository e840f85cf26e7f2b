#pragma once
/// @file karga.hpp
/// The karga core: concepts, scenario, schedule, executors and the toolkit they are
/// built with, aggregates, time series, reports, thresholds and reporters. Adapters
/// (HTTP, ...) and what needs more than Boost and fmt (results files and HdrHistogram
/// logs: karga/results.hpp, target karga::results) have headers of their own.

#include <karga/aggregate.hpp>
#include <karga/composition.hpp>
#include <karga/concepts.hpp>
#include <karga/context.hpp>
#include <karga/error.hpp>
#include <karga/executors/constant_vus_executor.hpp>
#include <karga/executors/controlled_rate_executor.hpp>
#include <karga/executors/iterations_executors.hpp>
#include <karga/executors/ramping_vus_executor.hpp>
#include <karga/executors/stage_executor.hpp>
#include <karga/find_max_rate.hpp>
#include <karga/histogram.hpp>
#include <karga/hooks.hpp>
#include <karga/live.hpp>
#include <karga/metric.hpp>
#include <karga/profiles.hpp>
#include <karga/progress.hpp>
#include <karga/rate_control.hpp>
#include <karga/report.hpp>
#include <karga/reporters/csv_reporter.hpp>
#include <karga/reporters/html_reporter.hpp>
#include <karga/reporters/json_reporter.hpp>
#include <karga/reporters/junit_reporter.hpp>
#include <karga/reporters/markdown_reporter.hpp>
#include <karga/reporters/stdout_reporter.hpp>
#include <karga/run_info.hpp>
#include <karga/run_options.hpp>
#include <karga/scenario.hpp>
#include <karga/schedule.hpp>
#include <karga/shard.hpp>
#include <karga/segment.hpp>
#include <karga/series_aggregate.hpp>
#include <karga/series_report.hpp>
#include <karga/sharded_runner.hpp>
#include <karga/time_series.hpp>
#include <karga/thresholds.hpp>
#include <karga/timing.hpp>
#include <karga/version.hpp>
#include <karga/window_aggregate.hpp>
