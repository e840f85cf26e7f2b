#pragma once
// The path of karga 0.1, kept for one release: include <karga/run/composition.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/composition.hpp> is deprecated: include <karga/run/composition.hpp>"
#endif
#include <karga/run/composition.hpp>
