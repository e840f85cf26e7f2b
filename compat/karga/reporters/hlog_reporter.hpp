#pragma once
// The path of karga 0.1, kept for one release: include <karga/files/hlog_reporter.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/reporters/hlog_reporter.hpp> is deprecated: include <karga/files/hlog_reporter.hpp>"
#endif
#include <karga/files/hlog_reporter.hpp>
