#pragma once
/// @file fs.hpp
/// The filesystem adapter (target `karga::fs`: liburing, and `karga::results` for its
/// results files): file and metadata operations as actions (`fs::workload`, in the
/// manner of a fio job), two engines to make them (`thread_pool_engine` for blocking
/// calls, `uring_engine` for io_uring), the metric, aggregate and report, and their
/// results-file codec. Includes the core, so it works alone.

#include <karga/fs/io_request.hpp>
#include <karga/fs/metrics.hpp>
#include <karga/fs/operation.hpp>
#include <karga/fs/results_codec.hpp>
#include <karga/fs/thread_pool_engine.hpp>
#include <karga/fs/uring_engine.hpp>
#include <karga/fs/workload.hpp>
#include <karga/karga.hpp>
