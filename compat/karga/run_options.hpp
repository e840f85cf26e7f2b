#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/run_options.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/run_options.hpp> is deprecated: include <karga/core/run_options.hpp>"
#endif
#include <karga/core/run_options.hpp>
