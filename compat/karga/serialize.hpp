#pragma once
// The path of karga 0.1, kept for one release: include <karga/files/results_file.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/serialize.hpp> is deprecated: include <karga/files/results_file.hpp>"
#endif
#include <karga/files/results_file.hpp>
