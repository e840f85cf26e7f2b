#pragma once
// The path of karga 0.1, kept for one release: include <karga/measure/window_aggregate.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/window_aggregate.hpp> is deprecated: include <karga/measure/window_aggregate.hpp>"
#endif
#include <karga/measure/window_aggregate.hpp>
