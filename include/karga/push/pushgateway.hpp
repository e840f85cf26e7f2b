#pragma once
/// @file push/pushgateway.hpp
/// A batch run's final figures PUT to a Prometheus Pushgateway, under the series
/// names of the `/metrics` endpoint (`prometheus_text`), grouped by job and any
/// further labels in the URL's path (`/metrics/job/karga/segment/3`): a PUT replaces
/// its group, so each process of a segmented run has a group of its own.

#include <karga/core/error.hpp>
#include <karga/exporters/prometheus_text.hpp>
#include <karga/push/live_push.hpp>
#include <karga/push/target.hpp>

#include <cctype>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace karga {

namespace detail {
// A path segment of the grouping key: Pushgateway reads it percent-decoded.
inline std::string pushgateway_segment(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}
} // namespace detail

/// The group's URL: `base` (the Pushgateway's address) with
/// `/metrics/job/JOB/LABEL/VALUE…` for a path of `/`; a path given already is kept.
inline push_target pushgateway_target(push_target base, std::string_view job,
                                      const std::vector<std::pair<std::string, std::string>>& grouping = {}) {
  if (base.path != "/" && !base.path.empty()) return base;
  if (job.empty()) throw error("a Pushgateway group needs a job name");
  base.path = "/metrics/job/" + detail::pushgateway_segment(job);
  for (const auto& [name, value] : grouping) base.path += "/" + name + "/" + detail::pushgateway_segment(value);
  base.url += base.url.ends_with("/") ? base.path.substr(1) : base.path;
  return base;
}

/// The live format for `live_push`: only the final sample of each scenario, in the
/// text exposition format, PUT to the group (`pushgateway_target`).
inline live_format pushgateway_format(std::string prefix = "karga") {
  live_format f;
  f.name = "pushgateway";
  f.method = boost::beast::http::verb::put;
  f.content_type = "text/plain; version=0.0.4; charset=utf-8";
  f.final_only = true;
  f.encode = [prefix = std::move(prefix)](std::span<const stamped_sample> batch) {
    std::map<std::string, live_sample> last;
    for (const auto& [s, at] : batch) last[s.scenario] = s;
    std::vector<live_sample> samples;
    for (auto& [name, s] : last) samples.push_back(std::move(s));
    return prometheus_text(samples, prefix);
  };
  return f;
}

} // namespace karga
