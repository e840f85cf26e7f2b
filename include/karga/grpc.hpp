#pragma once
/// @file grpc.hpp
/// The gRPC adapter (target `karga::grpc`: `karga::http`'s HTTP/2 client and zlib, and
/// `karga::results` for its results files):
/// a channel whose calls of the four kinds run on the shard's own executor, gRPC's
/// status codes, and the gRPC metric, aggregate and report (calls by status,
/// messages each way, time to the first answer message and the gaps between
/// messages). Includes the core, so it works alone.

#include <karga/grpc/call.hpp>
#include <karga/grpc/channel.hpp>
#include <karga/grpc/framing.hpp>
#include <karga/grpc/gzip.hpp>
#include <karga/grpc/metrics.hpp>
#include <karga/grpc/results_codec.hpp>
#include <karga/grpc/status.hpp>
#include <karga/grpc/stream_call.hpp>
#include <karga/karga.hpp>
