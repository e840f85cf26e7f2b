#pragma once
// The path of karga 0.1, kept for one release: include <karga/http/testing/embedded_server.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/http/embedded_server.hpp> is deprecated: include <karga/http/testing/embedded_server.hpp>"
#endif
#include <karga/http/testing/embedded_server.hpp>
