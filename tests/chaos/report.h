// The chaos run's verdict: one row per check (check | result | figures), printed as a
// table, followed by the first violations of each failed check. No I/O but the
// printing itself.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sk::chaos {

struct CheckRow {
  std::string check;
  bool ok = true;
  std::string figures;
  std::vector<std::string> violations;  // the first few, for the reader

  void violation(std::string what) {
    ok = false;
    if (violations.size() < 10) violations.push_back(std::move(what));
  }
};

// A Markdown-compatible table (it is pasted into docs/benchmarks.md as is).
void print_report(std::ostream& out, const std::vector<CheckRow>& rows);

bool all_ok(const std::vector<CheckRow>& rows);

}  // namespace sk::chaos
