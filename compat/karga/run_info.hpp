#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/run_info.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/run_info.hpp> is deprecated: include <karga/core/run_info.hpp>"
#endif
#include <karga/core/run_info.hpp>
