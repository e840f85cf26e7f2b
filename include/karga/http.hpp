#pragma once
/// @file http.hpp
/// The HTTP adapter (target `karga::http`): a keep-alive HTTP/1.1 client for
/// actions, and a small embedded server to test against.

#include <karga/http/client.hpp>
#include <karga/http/embedded_server.hpp>
#include <karga/http/metrics.hpp>
