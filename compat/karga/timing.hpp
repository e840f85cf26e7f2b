#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/timing.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/timing.hpp> is deprecated: include <karga/core/timing.hpp>"
#endif
#include <karga/core/timing.hpp>
