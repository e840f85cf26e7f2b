#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/scenario.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/scenario.hpp> is deprecated: include <karga/core/scenario.hpp>"
#endif
#include <karga/core/scenario.hpp>
