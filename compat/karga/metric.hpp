#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/metric.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/metric.hpp> is deprecated: include <karga/core/metric.hpp>"
#endif
#include <karga/core/metric.hpp>
