#include "server/http/client_address.h"

#include <charconv>

namespace sk::server::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string{text}, ec);
  if (ec) return std::nullopt;
  // An IPv4 client seen through a dual-stack socket is the same client.
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

}  // namespace

bool AddressRange::contains(const ip::address& a) const {
  if (a.is_v4() != network.is_v4()) return false;
  const auto bytes_of = [](const ip::address& x) {
    std::array<unsigned char, 16> out{};
    if (x.is_v4()) {
      const auto b = x.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), out.begin());
    } else {
      out = x.to_v6().to_bytes();
    }
    return out;
  };
  const auto want = bytes_of(network);
  const auto have = bytes_of(a);
  unsigned bits = prefix_bits;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    const unsigned take = std::min(bits, 8u);
    const auto mask = static_cast<unsigned char>(0xFFu << (8 - take));
    if ((want[i] & mask) != (have[i] & mask)) return false;
  }
  return true;
}

domain::Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.empty()) continue;
    const auto slash = item.find('/');
    const auto address = parse_address(item.substr(0, slash));
    if (!address) {
      return domain::Error::validation("trusted_proxies",
                                       "not an IP address or CIDR range: " + std::string{item});
    }
    const unsigned max_bits = address->is_v4() ? 32 : 128;
    unsigned bits = max_bits;
    if (slash != std::string_view::npos) {
      const auto digits = item.substr(slash + 1);
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (ec != std::errc{} || ptr != digits.data() + digits.size() || bits > max_bits) {
        return domain::Error::validation("trusted_proxies",
                                         "bad prefix length in " + std::string{item});
      }
    }
    out.ranges_.push_back({*address, bits});
  }
  return out;
}

bool TrustedProxies::trusts(const ip::address& a) const {
  for (const auto& r : ranges_) {
    if (r.contains(a)) return true;
  }
  return false;
}

std::string client_address(const ip::address& peer, std::string_view forwarded_for,
                           const TrustedProxies& proxies) {
  const auto direct = parse_address(peer.to_string()).value_or(peer);
  if (!proxies.trusts(direct)) return direct.to_string();
  // Right to left: each hop appended the address it saw; stop at the first one that is
  // not one of ours. Anything unparsable ends the walk: what lies left of it is not
  // to be trusted either.
  std::string found = direct.to_string();
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto item =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    const auto hop = parse_address(item);
    if (!hop) break;
    found = hop->to_string();
    if (!proxies.trusts(*hop)) break;
  }
  return found;
}

}  // namespace sk::server::http
