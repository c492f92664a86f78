// Which address a request comes from, for per-client rate limits and logs. The
// socket's peer, unless that peer is a trusted reverse proxy: then the nearest
// address in X-Forwarded-For that is not itself a trusted proxy (walking from the
// right, since a client can prepend anything it likes). A header from an untrusted
// peer is ignored, so nobody can pick their own rate-limit bucket. No I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "domain/result.h"

namespace sk::server::http {

// One trusted proxy: an address, or a network in CIDR form ("10.0.0.0/8", "::1/128").
struct AddressRange {
  boost::asio::ip::address network;
  unsigned prefix_bits = 0;

  bool contains(const boost::asio::ip::address& a) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // A comma-separated list of addresses and CIDR ranges; empty: trust no proxy.
  static domain::Result<TrustedProxies> parse(std::string_view list);

  bool trusts(const boost::asio::ip::address& a) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<AddressRange> ranges_;
};

// The client's address as text ("203.0.113.7", "2001:db8::1"). `forwarded_for` is the
// X-Forwarded-For header's value (empty when absent).
std::string client_address(const boost::asio::ip::address& peer, std::string_view forwarded_for,
                           const TrustedProxies& proxies);

}  // namespace sk::server::http
