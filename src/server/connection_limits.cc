#include "server/connection_limits.h"

#include <map>
#include <mutex>
#include <utility>

namespace sk::server {

namespace detail {
struct ConnectionCounts {
  explicit ConnectionCounts(ConnectionLimitOptions o) : options(o) {}

  const ConnectionLimitOptions options;
  mutable std::mutex mutex;
  std::size_t total = 0;
  // Only keys with open connections: an entry is erased when its count drops to 0,
  // so the map is bounded by the total cap, not by how many clients ever came.
  std::map<ConnectionSlot::Key, std::size_t> per_key;

  void release(const ConnectionSlot::Key& key) {
    std::lock_guard lock(mutex);
    --total;
    auto it = per_key.find(key);
    if (it != per_key.end() && --it->second == 0) per_key.erase(it);
  }
};
}  // namespace detail

ConnectionSlot::ConnectionSlot(std::shared_ptr<detail::ConnectionCounts> counts, Key key)
    : counts_(std::move(counts)), key_(key) {}

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept
    : counts_(std::move(other.counts_)), key_(other.key_) {}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    key_ = other.key_;
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() { release(); }

void ConnectionSlot::release() {
  if (!counts_) return;
  counts_->release(key_);
  counts_.reset();
}

ConnectionLimits::ConnectionLimits(ConnectionLimitOptions options)
    : counts_(std::make_shared<detail::ConnectionCounts>(options)) {}

ConnectionSlot::Key ConnectionLimits::key_of(const boost::asio::ip::address& peer) {
  if (peer.is_v4())
    return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, peer.to_v4()).to_bytes();
  const auto v6 = peer.to_v6();
  if (v6.is_v4_mapped()) return v6.to_bytes();
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;  // the /64 prefix
  return bytes;
}

ConnectionLimits::Admission ConnectionLimits::admit(const boost::asio::ip::address& peer) {
  const auto key = key_of(peer);
  auto& c = *counts_;
  std::lock_guard lock(c.mutex);
  if (c.options.max_total > 0 && c.total >= c.options.max_total) {
    return {Verdict::over_total, {}};
  }
  const auto it = c.per_key.try_emplace(key, 0).first;
  if (c.options.max_per_ip > 0 && it->second >= c.options.max_per_ip) {
    return {Verdict::over_per_ip, {}};
  }
  ++it->second;
  ++c.total;
  return {Verdict::admitted, ConnectionSlot{counts_, key}};
}

std::size_t ConnectionLimits::open() const {
  std::lock_guard lock(counts_->mutex);
  return counts_->total;
}

std::function<std::size_t()> ConnectionLimits::open_reader() const {
  return [counts = std::shared_ptr<const detail::ConnectionCounts>(counts_)] {
    std::lock_guard lock(counts->mutex);
    return counts->total;
  };
}

std::size_t ConnectionLimits::open_from(const boost::asio::ip::address& peer) const {
  const auto key = key_of(peer);
  std::lock_guard lock(counts_->mutex);
  const auto it = counts_->per_key.find(key);
  return it == counts_->per_key.end() ? 0 : it->second;
}

}  // namespace sk::server
