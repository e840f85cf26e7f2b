#pragma once
// The path of karga 0.1, kept for one release: include <karga/measure/time_series.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/time_series.hpp> is deprecated: include <karga/measure/time_series.hpp>"
#endif
#include <karga/measure/time_series.hpp>
