#pragma once
// The path of karga 0.1, kept for one release: include <karga/run/sharded_runner.hpp> and <karga/run/load_plan.hpp> and <karga/run/run_action.hpp>.
#ifndef KARGA_NO_DEPRECATED_PATHS_WARNING
#pragma GCC warning "<karga/sharded_runner.hpp> is deprecated: include <karga/run/sharded_runner.hpp> and <karga/run/load_plan.hpp> and <karga/run/run_action.hpp>"
#endif
#include <karga/run/sharded_runner.hpp>
#include <karga/run/load_plan.hpp>
#include <karga/run/run_action.hpp>
