#pragma once
/// @file http.hpp
/// The HTTP adapter (target `karga::http`): a keep-alive HTTP/1.1 client for
/// actions, sessions that read responses (cookies, redirects), the HTTP metric,
/// aggregate and report, and a small embedded server to test against. Includes the
/// core, so it works alone.

#include <karga/karga.hpp>
#include <karga/http/client.hpp>
#include <karga/http/session.hpp>
#include <karga/http/embedded_server.hpp>
#include <karga/http/metrics.hpp>
