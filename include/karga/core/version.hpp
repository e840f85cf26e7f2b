#pragma once
/// @file core/version.hpp
/// karga's version (CMake's project version is read from here).

namespace karga {
inline constexpr const char* version = "0.2.0";
} // namespace karga
