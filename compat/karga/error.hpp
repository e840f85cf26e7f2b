#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/error.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/error.hpp> is deprecated: include <karga/core/error.hpp>"
#endif
#include <karga/core/error.hpp>
