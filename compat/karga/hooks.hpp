#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/hooks.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/hooks.hpp> is deprecated: include <karga/core/hooks.hpp>"
#endif
#include <karga/core/hooks.hpp>
