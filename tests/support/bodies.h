// Request bodies and ids shared by the integration tests.
#pragma once

#include <string>

#include <fmt/format.h>

namespace sk::testing {

inline const std::string kAlice = "11111111-1111-4111-8111-111111111111";
inline const std::string kBob = "22222222-2222-4222-8222-222222222222";
inline const std::string kCarol = "33333333-3333-4333-8333-333333333333";

inline std::string session_id(int n) {
  return fmt::format("5e55{:04x}-0000-4000-8000-000000000000", n);
}

// A two-player chess clock.
inline std::string chess_body(const std::string& id, long bank_ms = 300000,
                              long increment_ms = 2000) {
  return fmt::format(
      R"({{"session_id":"{}","sync_mode":"per_participant","total_time_ms":{},"increment_ms":{},)"
      R"("participants":[{{"participant_id":"{}"}},{{"participant_id":"{}"}}]}})",
      id, bank_ms, increment_ms, kAlice, kBob);
}

}  // namespace sk::testing
