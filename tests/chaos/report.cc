// Printing the verdict table (see report.h).
#include "chaos/report.h"

#include <algorithm>

#include <fmt/format.h>

namespace sk::chaos {

void print_report(std::ostream& out, const std::vector<CheckRow>& rows) {
  std::size_t check_w = 5;
  std::size_t figures_w = 7;
  for (const auto& r : rows) {
    check_w = std::max(check_w, r.check.size());
    figures_w = std::max(figures_w, r.figures.size());
  }
  out << fmt::format("| {:<{}} | {:<6} | {:<{}} |\n", "check", check_w, "result", "figures",
                     figures_w);
  out << fmt::format("|{:-<{}}|{:-<8}|{:-<{}}|\n", "", check_w + 2, "", "", figures_w + 2);
  for (const auto& r : rows) {
    out << fmt::format("| {:<{}} | {:<6} | {:<{}} |\n", r.check, check_w, r.ok ? "ok" : "FAIL",
                       r.figures, figures_w);
  }
  for (const auto& r : rows) {
    if (r.violations.empty()) continue;
    out << "\n" << r.check << ":\n";
    for (const auto& v : r.violations) out << "  - " << v << "\n";
  }
}

bool all_ok(const std::vector<CheckRow>& rows) {
  return std::all_of(rows.begin(), rows.end(), [](const CheckRow& r) { return r.ok; });
}

}  // namespace sk::chaos
