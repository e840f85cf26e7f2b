#pragma once
/// @file results.hpp
/// Results that leave the process in binary forms (target `karga::results`, zlib):
/// results files that other processes read and merge, and HdrHistogram interval logs.

#include <karga/files/hlog_reporter.hpp>
#include <karga/files/results_file.hpp>
#include <karga/karga.hpp>
