// SendQueue: the frames waiting for one connection's writer, with their total size.
//
// A vector read from a moving head, not a std::deque: libstdc++'s deque allocates
// ~0.6 kB even when empty, and a watcher's queue is empty nearly all the time, so
// with 10,000 idle connections that alone was 6 MB. The vector's storage is reused
// once the head has caught up, so steady traffic does not allocate either.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sk::server::ws {

// One outgoing text frame. A fan-out payload is formatted once and shared by every
// watcher's queue.
struct Outgoing {
  std::shared_ptr<const std::string> payload;
  std::int64_t version = 0;  // of a state message; 0 for anything else
  // Fan-out messages: when the hub received it, for the fan-out latency metric.
  std::optional<std::chrono::steady_clock::time_point> received;
};

class SendQueue {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  std::size_t bytes() const { return bytes_; }

  void push_back(Outgoing message) {
    bytes_ += message.payload->size();
    items_.push_back(std::move(message));
  }

  // Precondition: !empty().
  Outgoing pop_front() {
    Outgoing front = std::move(items_[head_++]);
    bytes_ -= front.payload->size();
    if (head_ == items_.size()) {
      clear();
    } else if (head_ >= kCompactAfter && head_ * 2 >= items_.size()) {
      // A queue that never drains completely must not grow by what it has sent.
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    return front;
  }

  void clear() {
    items_.clear();  // keeps the capacity for the next frames
    head_ = 0;
    bytes_ = 0;
  }

  // The first sync of a connection: `first` goes ahead of what is queued, and queued
  // state messages not newer than `synced_version` are dropped (the sync holds them).
  void resync(std::vector<Outgoing> first, std::int64_t synced_version) {
    for (auto it = items_.begin() + static_cast<std::ptrdiff_t>(head_); it != items_.end(); ++it) {
      if (it->version != 0 && it->version <= synced_version) continue;
      first.push_back(std::move(*it));
    }
    clear();
    for (auto& m : first) push_back(std::move(m));
  }

 private:
  static constexpr std::size_t kCompactAfter = 64;

  std::vector<Outgoing> items_;
  std::size_t head_ = 0;  // items_[0, head_) have been taken
  std::size_t bytes_ = 0;
};

}  // namespace sk::server::ws
