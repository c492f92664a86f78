// parse_redis_url: see redis_url.h. A hand-written parser for one small grammar: the
// general URI grammar (query, fragment, IPv-future) is refused rather than half-read.
#include "store/redis/redis_url.h"

#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace sk::store::redis {
namespace {

constexpr std::string_view kScheme = "redis://";
constexpr std::string_view kTlsScheme = "rediss://";
constexpr std::string_view kClusterScheme = "redis+cluster://";
constexpr int kMaxDb = 1'000'000;  // far above any databases setting; catches typos

domain::Error bad_url(std::string message) {
  return domain::Error::validation("redis_url", std::move(message));
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : s[i];
    if (lower != prefix[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `s`; nullopt on a malformed escape.
std::optional<std::string> decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <typename Int>
std::optional<Int> parse_number(std::string_view s, Int min, Int max) {
  if (s.empty()) return std::nullopt;
  Int value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

// host[:port] or [v6][:port] into `out`.
std::optional<domain::Error> parse_node(std::string_view authority, NodeAddress& out) {
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url("unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url("unexpected text after the [IPv6] host");
      port = after.substr(1);
      if (port.empty()) return bad_url("empty port");
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad_url("empty port");
    }
  }
  if (host.empty()) return bad_url("host is required");
  auto decoded_host = decode(host);
  if (!decoded_host) return bad_url("malformed percent-escape in the host");
  out.host = std::move(*decoded_host);
  if (!port.empty()) {
    const auto p = parse_number<std::uint16_t>(port, 1, 65535);
    if (!p) return bad_url("port must be a number between 1 and 65535");
    out.port = *p;
  }
  return std::nullopt;
}

std::string node_text(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

}  // namespace

std::string NodeAddress::to_string() const { return node_text(host, port); }

RedisUrl RedisUrl::at(const NodeAddress& node) const {
  RedisUrl out;
  out.host = node.host;
  out.port = node.port;
  out.username = username;
  out.password = password;
  return out;
}

std::string RedisUrl::redacted() const {
  std::string auth;
  if (!password.empty()) auth = fmt::format("{}:***@", username);
  if (cluster) {
    std::string nodes;
    for (const auto& seed : seeds) {
      if (!nodes.empty()) nodes.push_back(',');
      nodes += seed.to_string();
    }
    return fmt::format("redis+cluster://{}{}", auth, nodes);
  }
  return fmt::format("redis://{}{}/{}", auth, node_text(host, port), db);
}

domain::Result<RedisUrl> parse_redis_url(std::string_view url) {
  if (starts_with_nocase(url, kTlsScheme)) {
    return bad_url("rediss:// (TLS) is not supported; use redis:// on a trusted network");
  }
  const bool cluster = starts_with_nocase(url, kClusterScheme);
  if (!cluster && !starts_with_nocase(url, kScheme)) {
    return bad_url("must start with redis:// (or redis+cluster:// for a Redis Cluster)");
  }
  std::string_view rest = url.substr(cluster ? kClusterScheme.size() : kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad_url("query and fragment are not supported");
  }

  // The authority ends at the first '/'; a '/' in a password must be written %2F.
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path =
      slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);

  RedisUrl out;
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return bad_url("credentials must be [user]:password (a password alone is :password)");
    }
    auto user = decode(userinfo.substr(0, colon));
    auto password = decode(userinfo.substr(colon + 1));
    if (!user || !password) return bad_url("malformed percent-escape in the credentials");
    if (password->empty()) return bad_url("empty password");
    out.username = std::move(*user);
    out.password = std::move(*password);
  }

  if (cluster) {
    out.cluster = true;
    if (!path.empty() && path != "0") {
      return bad_url("a Redis Cluster has only database 0");
    }
    for (std::size_t start = 0; start <= authority.size();) {
      const auto comma = authority.find(',', start);
      const auto end = comma == std::string_view::npos ? authority.size() : comma;
      NodeAddress node;
      if (auto error = parse_node(authority.substr(start, end - start), node)) return *error;
      out.seeds.push_back(std::move(node));
      start = end + 1;
    }
    out.host = out.seeds.front().host;
    out.port = out.seeds.front().port;
    return out;
  }
  NodeAddress node;
  if (auto error = parse_node(authority, node)) return *error;
  out.host = std::move(node.host);
  out.port = node.port;
  if (!path.empty()) {
    const auto db = parse_number<int>(path, 0, kMaxDb);
    if (!db) return bad_url("database must be a non-negative number, as in redis://host/2");
    out.db = *db;
  }
  return out;
}

}  // namespace sk::store::redis
