#pragma once
// The path of karga 0.1, kept for one release: include <karga/load/segment.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/segment.hpp> is deprecated: include <karga/load/segment.hpp>"
#endif
#include <karga/load/segment.hpp>
