#pragma once
// The path of karga 0.1, kept for one release: include <karga/measure/histogram.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/histogram.hpp> is deprecated: include <karga/measure/histogram.hpp>"
#endif
#include <karga/measure/histogram.hpp>
