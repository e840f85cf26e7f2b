#pragma once
// The path of karga 0.1, kept for one release: include <karga/reporters/progress.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/progress.hpp> is deprecated: include <karga/reporters/progress.hpp>"
#endif
#include <karga/reporters/progress.hpp>
