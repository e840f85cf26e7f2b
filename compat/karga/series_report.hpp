#pragma once
// The path of karga 0.1, kept for one release: include <karga/report/series_report.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/series_report.hpp> is deprecated: include <karga/report/series_report.hpp>"
#endif
#include <karga/report/series_report.hpp>
