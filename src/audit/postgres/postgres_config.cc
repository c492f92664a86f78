#include "audit/postgres/postgres_config.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <libpq-fe.h>

namespace sk::audit::postgres {
namespace {

using domain::Error;

constexpr std::array<std::string_view, 6> kSslModes{"disable", "allow",     "prefer",
                                                    "require", "verify-ca", "verify-full"};

// libpq's parse errors quote the offending piece of the input ("invalid integer value
// "x" for ..."), which may be (part of) the password: every quoted span is dropped.
std::string without_quotes(std::string_view message) {
  std::string out;
  bool quoted = false;
  for (const char c : message) {
    if (c == '"') {
      if (!quoted) out.append("\"...\"");
      quoted = !quoted;
    } else if (!quoted && c != '\n') {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// key='value' with the quoting libpq's conninfo parser expects.
void append_pair(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out.push_back(' ');
  out.append(key);
  out.append("='");
  for (const char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
}

// "5432" or "5432,5433" (libpq takes one port per host); libpq itself only finds out
// when connecting.
bool is_number_list(std::string_view text) {
  if (text.empty()) return false;
  bool digit = false;
  for (const char c : text) {
    if (c == ',') {
      if (!digit) return false;
      digit = false;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return false;
    }
  }
  return digit;
}

bool is_uri(std::string_view url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

// Replaces the value of every `password` key of a key=value conninfo.
std::string redact_pairs(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto at = text.find("password", i);
    if (at == std::string_view::npos) break;
    std::size_t j = at + 8;
    while (j < text.size() && text[j] == ' ') ++j;
    const bool key_start = at == 0 || text[at - 1] == ' ' || text[at - 1] == '\t';
    if (!key_start || j >= text.size() || text[j] != '=') {
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    ++j;
    while (j < text.size() && text[j] == ' ') ++j;
    out.append(text.substr(i, j - i));
    out.append("***");
    if (j < text.size() && text[j] == '\'') {
      for (++j; j < text.size() && text[j] != '\''; ++j) {
        if (text[j] == '\\') ++j;
      }
      ++j;
    } else {
      while (j < text.size() && text[j] != ' ') ++j;
    }
    i = std::min(j, text.size());
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

// postgres://user:secret@host/db?password=x -> postgres://user:***@host/db?password=***
std::string redact_uri(std::string_view url) {
  std::string out;
  const auto scheme_end = url.find("://") + 3;
  const auto authority_end = url.find_first_of("/?", scheme_end);
  const std::string_view authority = url.substr(scheme_end, authority_end - scheme_end);
  out.append(url.substr(0, scheme_end));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon));
      out.append(":***");
    } else {
      out.append(userinfo);
    }
    out.append(authority.substr(at));
  } else {
    out.append(authority);
  }
  if (authority_end == std::string_view::npos) return out;
  std::string_view rest = url.substr(authority_end);
  const auto query = rest.find('?');
  out.append(rest.substr(0, query));
  if (query == std::string_view::npos) return out;
  // Query parameters: password=... up to the next '&'.
  std::string_view params = rest.substr(query);
  while (!params.empty()) {
    const char sep = params.front();
    params.remove_prefix(1);
    const auto end = params.find('&');
    const std::string_view param = params.substr(0, end);
    out.push_back(sep);
    if (param.starts_with("password=")) {
      out.append("password=***");
    } else {
      out.append(param);
    }
    if (end == std::string_view::npos) break;
    params.remove_prefix(end);
  }
  return out;
}

}  // namespace

domain::Result<std::string> make_conninfo(std::string_view database_url, std::string_view sslmode) {
  if (database_url.empty()) return Error::validation("DATABASE_URL", "must not be empty");
  if (!sslmode.empty() &&
      std::find(kSslModes.begin(), kSslModes.end(), sslmode) == kSslModes.end()) {
    return Error::validation("DATABASE_SSLMODE",
                             "must be one of disable, allow, prefer, require, verify-ca, "
                             "verify-full");
  }
  const std::string input(database_url);
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(input.c_str(), &err);
  if (options == nullptr) {
    std::string reason = err != nullptr ? without_quotes(err) : "out of memory";
    if (err != nullptr) PQfreemem(err);
    return Error::validation("DATABASE_URL",
                             "is not a valid PostgreSQL URI or conninfo: " + reason);
  }
  std::string conninfo;
  std::vector<std::string> given;  // keywords the URL sets
  bool bad_sslmode = false;
  bool bad_port = false;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    // libpq only checks values when connecting; a typo should fail at start-up.
    if (key == "sslmode" &&
        std::find(kSslModes.begin(), kSslModes.end(), o->val) == kSslModes.end()) {
      bad_sslmode = true;
    }
    if (key == "port" || key == "connect_timeout") bad_port = bad_port || !is_number_list(o->val);
    if (key == "sslmode" && !sslmode.empty()) continue;
    given.emplace_back(key);
    append_pair(conninfo, key, o->val);
  }
  PQconninfoFree(options);
  if (bad_port) {
    return Error::validation("DATABASE_URL", "port and connect_timeout must be numbers");
  }
  if (bad_sslmode && sslmode.empty()) {
    return Error::validation("DATABASE_URL",
                             "sslmode must be one of disable, allow, prefer, require, "
                             "verify-ca, verify-full");
  }
  if (!sslmode.empty()) append_pair(conninfo, "sslmode", sslmode);
  // Defaults the URL may override. A database that does not answer (or a network that
  // drops packets without closing the connection) must not hold a writer thread for
  // minutes: a bounded connect, TCP keepalives, a TCP user timeout and a statement
  // timeout turn every kind of hang into an error within ~30 s.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kDefaults{{
      {"connect_timeout", "5"},
      {"application_name", "synckairos"},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", "30000"},
  }};
  for (const auto& [key, value] : kDefaults) {
    if (std::find(given.begin(), given.end(), key) == given.end()) {
      append_pair(conninfo, key, value);
    }
  }
  if (std::find(given.begin(), given.end(), "options") == given.end()) {
    append_pair(conninfo, "options", "-c statement_timeout=30000");
  }
  return conninfo;
}

std::string redacted(std::string_view url) {
  return is_uri(url) ? redact_uri(url) : redact_pairs(url);
}

}  // namespace sk::audit::postgres
