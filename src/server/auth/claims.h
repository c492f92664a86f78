// What a verified token says about its bearer (SPEC §7): who (`sub`), as what (`role`),
// on which sessions (`sessions`), until when (`exp`).
//
// A plain value: deciding what a role may do on a session is the caller's job, this
// file only answers "does the token name this session". No I/O, no OpenSSL here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/uuid.h"

namespace sk::server::auth {

enum class Role { participant, arbiter, admin };

std::string_view to_string(Role role);
// Exact, lowercase names only ("participant", "arbiter", "admin").
std::optional<Role> parse_role(std::string_view text);

// The wildcard `sessions` entry; only valid as the single entry.
inline constexpr std::string_view kAllSessions = "*";

struct Claims {
  std::string sub;                    // for a participant: its participant_id (a UUID)
  Role role = Role::participant;      //
  std::vector<std::string> sessions;  // session ids (lowercase canonical UUIDs); {"*"} = all
  std::int64_t exp = 0;               // unix seconds; required
  std::optional<std::int64_t> nbf;    // unix seconds
  std::optional<std::int64_t> iat;    // unix seconds; informational, never checked
  std::optional<std::string> iss;
  std::vector<std::string> aud;  // "aud" may be a string or an array in the token

  // sessions == {"*"}.
  bool all_sessions() const;
  // all_sessions(), or `session_id` is listed (UUIDs compare case-insensitively).
  bool covers(std::string_view session_id) const;
  bool covers(const domain::Uuid& session_id) const;

  friend bool operator==(const Claims&, const Claims&) = default;
};

}  // namespace sk::server::auth
