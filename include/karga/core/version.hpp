#pragma once
/// @file core/version.hpp
/// karga's version (CMake's project version is read from here).

namespace karga {
/// This karga's version, MAJOR.MINOR.PATCH (every report and `--version` show it).
inline constexpr const char* version = "0.2.0";
} // namespace karga
