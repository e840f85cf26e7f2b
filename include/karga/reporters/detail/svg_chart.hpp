#pragma once
/// @file reporters/detail/svg_chart.hpp
/// A line chart as inline SVG, for the HTML report: axes with round ticks (linear, or
/// decades on a log axis), lines, bars, a legend. Colours come from CSS classes, so
/// that the page's light, dark and print styles apply.

#include <karga/reporters/detail/text_out.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace karga::detail {

struct svg_series {
  std::string name;                               ///< in the legend
  std::string css;                                ///< its CSS class (colour, dashes)
  std::vector<std::pair<double, double>> points;  ///< (x, y), x ascending
  bool bars = false;                              ///< drawn as bars from 0, one per point
};

struct svg_axis {
  std::string label;
  bool log = false;                               ///< decades; values ≤ 0 are left out
  std::function<std::string(double)> text;        ///< a tick's text
  std::vector<double> ticks;                      ///< given ticks (else chosen)
  std::optional<double> lo, hi;                   ///< the axis's ends, where not the data's
};

inline svg_axis make_axis(std::string label, bool log, std::function<std::string(double)> text) {
  svg_axis a;
  a.label = std::move(label);
  a.log = log;
  a.text = std::move(text);
  return a;
}

/// Round ticks covering [lo, hi]: 1, 2 or 5 × 10^k apart, about 5 of them.
inline std::vector<double> linear_ticks(double lo, double hi) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / 5;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  double step = decade;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw) {
      step = m * decade;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/// An SVG chart `width` × `height` px of the given series. `id` names it for tests
/// and links.
inline std::string svg_chart(std::string_view id, std::string_view title, const svg_axis& x, const svg_axis& y,
                             const std::vector<svg_series>& series, int width = 960, int height = 300) {
  constexpr double left = 70, right = 16, top = 34, bottom = 42;
  const double w = width - left - right, h = height - top - bottom;
  auto usable = [](const svg_axis& a, double v) { return std::isfinite(v) && (!a.log || v > 0); };
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& s : series)
    for (auto [px, py] : s.points) {
      if (!usable(x, px) || !usable(y, py)) continue;
      x0 = std::min(x0, px), x1 = std::max(x1, px), y0 = std::min(y0, py), y1 = std::max(y1, py);
    }
  const bool empty = !(x1 >= x0);
  if (!empty && x.lo) x0 = *x.lo;
  if (!empty && x.hi) x1 = *x.hi;
  if (empty) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (!y.log) y0 = std::min(y0, 0.0);
  if (y.log) y0 = std::pow(10.0, std::floor(std::log10(y0))), y1 = std::pow(10.0, std::ceil(std::log10(y1)));
  if (y.log && y1 <= y0) y1 = y0 * 10;
  if (!y.log && y1 <= y0) y1 = y0 + 1;
  if (x1 <= x0) x1 = x0 + 1;
  std::vector<double> yticks = y.ticks;
  if (yticks.empty()) {
    if (y.log) {  // decades; 2 and 5 between them when there are few
      const bool few = y1 / y0 <= 100.5;
      for (double t = y0; t <= y1 * 1.0001; t *= 10)
        for (double m : {1.0, 2.0, 5.0})
          if ((m == 1.0 || few) && t * m <= y1 * 1.0001) yticks.push_back(t * m);
    }
    else
      yticks = linear_ticks(y0, y1);
    if (!y.log && !yticks.empty()) y1 = std::max(y1, yticks.back());
  }
  const std::vector<double> xticks = x.ticks.empty() ? linear_ticks(x0, x1) : x.ticks;
  auto fy = [&](double v) { return y.log ? std::log10(v) : v; };
  auto px = [&](double v) { return left + (v - x0) / (x1 - x0) * w; };
  auto py = [&](double v) { return top + h - (fy(v) - fy(y0)) / (fy(y1) - fy(y0)) * h; };

  std::string out;
  auto it = std::back_inserter(out);
  const std::string name = xml_escape(title);
  fmt::format_to(it, "<svg class=\"chart\" id=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n", id, width, height,
                 name);
  fmt::format_to(it, "<text class=\"title\" x=\"{}\" y=\"20\">{}</text>\n", left, name);
  for (double t : yticks) {
    if (t < y0 || t > y1 * 1.0001) continue;
    fmt::format_to(it, "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
                       "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                   left, py(t), left + w, py(t), left - 6, py(t) + 4, y.text ? y.text(t) : fmt::format("{}", t));
  }
  for (double t : xticks) {
    if (t < x0 || t > x1 + (x1 - x0) * 1e-9) continue;
    fmt::format_to(it, "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
                       "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                   px(t), top, px(t), top + h, px(t), top + h + 16, x.text ? x.text(t) : fmt::format("{}", t));
  }
  fmt::format_to(it, "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.1f}\"/>\n", left, top, w, h);
  fmt::format_to(it, "<text class=\"axis\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + w / 2, height - 6,
                 xml_escape(x.label));
  fmt::format_to(it, "<text class=\"axis\" transform=\"translate(14 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                 top + h / 2, xml_escape(y.label));
  if (empty) fmt::format_to(it, "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">no data</text>\n",
                            left + w / 2, top + h / 2);
  double legend_x = left + w;
  for (auto s = series.rbegin(); s != series.rend(); ++s) {  // the legend, right-aligned on the title's line
    legend_x -= 22 + 7.0 * static_cast<double>(s->name.size());
    fmt::format_to(it, "<g class=\"legend {}\"><rect x=\"{:.1f}\" y=\"12\" width=\"12\" height=\"4\"/><text x=\"{:.1f}\" y=\"20\">{}</text></g>\n",
                   s->css, legend_x, legend_x + 16, xml_escape(s->name));
  }
  for (const auto& s : series) {
    if (s.bars) {
      double spacing = x1 - x0;  // the narrowest gap between points, in x
      for (std::size_t i = 1; i < s.points.size(); ++i)
        if (s.points[i].first > s.points[i - 1].first) spacing = std::min(spacing, s.points[i].first - s.points[i - 1].first);
      const double bar = std::max(1.0, spacing / (x1 - x0) * w * 0.8);
      fmt::format_to(it, "<g class=\"bars {}\">", s.css);
      for (auto [vx, vy] : s.points)
        if (usable(x, vx) && usable(y, vy) && vy > 0)
          fmt::format_to(it, "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>", px(vx) - bar / 2, py(vy), bar,
                         std::max(0.5, py(y.log ? y0 : 0.0) - py(vy)));
      out += "</g>\n";
      continue;
    }
    fmt::format_to(it, "<polyline class=\"line {}\" points=\"", s.css);
    bool first = true;
    for (auto [vx, vy] : s.points) {
      if (!usable(x, vx) || !usable(y, vy)) continue;
      fmt::format_to(it, "{}{:.1f},{:.1f}", first ? "" : " ", px(vx), py(vy));
      first = false;
    }
    out += "\"/>\n";
  }
  out += "</svg>\n";
  return out;
}

} // namespace karga::detail
