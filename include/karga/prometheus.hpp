#pragma once
/// @file prometheus.hpp
/// Live figures for Prometheus (target `karga::prometheus`, Boost.Beast): the text
/// exposition of live samples, and an endpoint that serves it at `/metrics` while a
/// run goes on.

#include <karga/exporters/prometheus_endpoint.hpp>
#include <karga/exporters/prometheus_text.hpp>
