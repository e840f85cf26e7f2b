#pragma once
// The path of karga 0.1, kept for one release: include <karga/measure/basic_aggregate.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/aggregate.hpp> is deprecated: include <karga/measure/basic_aggregate.hpp>"
#endif
#include <karga/measure/basic_aggregate.hpp>
