#pragma once
// The path of karga 0.1, kept for one release: include <karga/load/rate_control.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/rate_control.hpp> is deprecated: include <karga/load/rate_control.hpp>"
#endif
#include <karga/load/rate_control.hpp>
