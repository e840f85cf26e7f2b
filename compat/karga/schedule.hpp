#pragma once
// The path of karga 0.1, kept for one release: include <karga/load/schedule.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/schedule.hpp> is deprecated: include <karga/load/schedule.hpp>"
#endif
#include <karga/load/schedule.hpp>
