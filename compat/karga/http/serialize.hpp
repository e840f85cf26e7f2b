#pragma once
// The path of karga 0.1, kept for one release: include <karga/http/results_codec.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/http/serialize.hpp> is deprecated: include <karga/http/results_codec.hpp>"
#endif
#include <karga/http/results_codec.hpp>
