#pragma once
// The path of karga 0.1, kept for one release: include <karga/load/profiles.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/profiles.hpp> is deprecated: include <karga/load/profiles.hpp>"
#endif
#include <karga/load/profiles.hpp>
