#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/live_sample.hpp> and <karga/measure/live_counters.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/live.hpp> is deprecated: include <karga/core/live_sample.hpp> and <karga/measure/live_counters.hpp>"
#endif
#include <karga/core/live_sample.hpp>
#include <karga/measure/live_counters.hpp>
