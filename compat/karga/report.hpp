#pragma once
// The path of karga 0.1, kept for one release: include <karga/report/basic_report.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/report.hpp> is deprecated: include <karga/report/basic_report.hpp>"
#endif
#include <karga/report/basic_report.hpp>
