#pragma once
/// @file version.hpp
/// karga's version (CMake's project version is read from here).

namespace karga {
inline constexpr const char* version = "0.1.0";
} // namespace karga
