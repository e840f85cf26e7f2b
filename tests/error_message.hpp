#pragma once
// What `f()` throws as a karga::error, or "no error".
#include <karga/core/error.hpp>

#include <string>

template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const karga::error& e) {
    return e.what();
  }
  return "no error";
}
