#pragma once
/// @file http.hpp
/// The HTTP adapter (target `karga::http`: Boost.Beast, Boost.URL, OpenSSL, and
/// `karga::results` for its results files): a keep-alive HTTP/1.1 client for
/// actions, sessions that read responses (cookies, redirects), the HTTP metric,
/// aggregate and report, and their results-file codec. Includes the core, so it
/// works alone. A small server to test against is in karga/http/testing/.

#include <karga/http/client.hpp>
#include <karga/http/metrics.hpp>
#include <karga/http/results_codec.hpp>
#include <karga/http/session.hpp>
#include <karga/http/url.hpp>
#include <karga/karga.hpp>
