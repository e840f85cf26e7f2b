#pragma once
// The path of karga 0.1, kept for one release: include <karga/executors/find_max_rate.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/find_max_rate.hpp> is deprecated: include <karga/executors/find_max_rate.hpp>"
#endif
#include <karga/executors/find_max_rate.hpp>
