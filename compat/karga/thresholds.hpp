#pragma once
// The path of karga 0.1, kept for one release: include <karga/report/thresholds.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/thresholds.hpp> is deprecated: include <karga/report/thresholds.hpp>"
#endif
#include <karga/report/thresholds.hpp>
