#pragma once
/// @file results.hpp
/// Results that leave the process in binary forms (target `karga::results`, zlib):
/// results files that other processes read and merge, and HdrHistogram interval logs.

#include <karga/reporters/hlog_reporter.hpp>
#include <karga/serialize.hpp>
