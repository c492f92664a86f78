// ConnectionLimits: how many TCP connections this instance holds open, in total and
// per client address, and the admission of a new one against both caps. An admitted
// connection holds a ConnectionSlot (RAII) for its whole life, through a WebSocket
// upgrade; the slot gives its place back when it is released or destroyed.
//
// Thread-safe: the accept loop admits, and slots are released on any connection's
// strand. One mutex around a counter and a map (admission is once per connection,
// never per request). The counts are shared with the slots, so a connection that
// ends after the server (a WebSocket finishing its close) releases safely.
//
// The key is the socket's peer address, never a header (X-Forwarded-For is the
// router's, for its rate limits): an IPv4 address (also IPv4-mapped IPv6) as is, an
// IPv6 address by its /64 prefix, the block one subscriber normally gets, since a
// cap per single IPv6 address is a cap on nothing. No I/O here.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>

#include <boost/asio/ip/address.hpp>

namespace sk::server {

struct ConnectionLimitOptions {
  std::size_t max_total = 10'000;  // open connections of this instance; 0: no cap
  std::size_t max_per_ip = 256;    // from one client address (IPv6: /64); 0: no cap
};

namespace detail {
struct ConnectionCounts;
}

// One admitted connection's place. Move-only; empty when default-constructed or
// moved from. Releasing twice is harmless.
class ConnectionSlot {
 public:
  using Key = std::array<unsigned char, 16>;

  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();

  explicit operator bool() const { return counts_ != nullptr; }
  void release();

 private:
  friend class ConnectionLimits;
  ConnectionSlot(std::shared_ptr<detail::ConnectionCounts> counts, Key key);

  std::shared_ptr<detail::ConnectionCounts> counts_;
  Key key_{};
};

class ConnectionLimits {
 public:
  enum class Verdict { admitted, over_total, over_per_ip };
  struct Admission {
    Verdict verdict;
    ConnectionSlot slot;  // set when admitted
  };

  explicit ConnectionLimits(ConnectionLimitOptions options);

  // Counts a connection from `peer` if both caps allow it. The total cap is checked
  // first: when the instance is full, every client is told so (503), not only the
  // busiest (429).
  Admission admit(const boost::asio::ip::address& peer);

  // Open connections, in total and from `peer`'s key.
  std::size_t open() const;
  std::size_t open_from(const boost::asio::ip::address& peer) const;

  // A reader of open() that stays valid after this object (for the metrics, which
  // read it at every scrape).
  std::function<std::size_t()> open_reader() const;

  static ConnectionSlot::Key key_of(const boost::asio::ip::address& peer);

 private:
  std::shared_ptr<detail::ConnectionCounts> counts_;
};

}  // namespace sk::server
