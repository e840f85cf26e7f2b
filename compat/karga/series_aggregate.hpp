#pragma once
// The path of karga 0.1, kept for one release: include <karga/measure/series_aggregate.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/series_aggregate.hpp> is deprecated: include <karga/measure/series_aggregate.hpp>"
#endif
#include <karga/measure/series_aggregate.hpp>
