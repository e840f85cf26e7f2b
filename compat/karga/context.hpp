#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/context.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/context.hpp> is deprecated: include <karga/core/context.hpp>"
#endif
#include <karga/core/context.hpp>
