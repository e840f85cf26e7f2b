#pragma once
// The path of karga 0.1, kept for one release: include <karga/core/concepts.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/concepts.hpp> is deprecated: include <karga/core/concepts.hpp>"
#endif
#include <karga/core/concepts.hpp>
