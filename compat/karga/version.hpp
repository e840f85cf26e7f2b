#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/version.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/version.hpp> is deprecated: include <karga/core/version.hpp>"
#endif
#include <karga/core/version.hpp>
