#pragma once
// The path of karga 0.1, kept for one release: include <karga/run/shard.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/shard.hpp> is deprecated: include <karga/run/shard.hpp>"
#endif
#include <karga/run/shard.hpp>
