// ConnectionState: where one WebSocket connection is in its life, as named states and
// the transitions allowed between them (it replaces nine booleans that together
// encoded the same thing). Three parts, each an enum:
//
//   Phase   upgrading -> syncing -> open -> stopped -> finished   (only forward)
//     upgrading  registered as a watcher; the upgrade handshake is in progress
//     syncing    upgraded (counted as an open connection); the first read runs
//     open       the writer runs: queued frames are written, then the close frame
//     stopped    the reader has ended: nothing more is written
//     finished   unregistered; nothing happens any more (from any phase)
//   Writer  idle <-> frame;  idle -> close_frame -> closed;  any -> aborted
//     frame / close_frame: that write is in flight; closed: the close frame went out
//     and nothing follows it; aborted: the socket was closed under us
//   Close   none -> requested -> discarding;  none -> discarding
//     requested: close once the queue is written (SESSION_DELETED);
//     discarding: the queue was dropped (the hub shuts down): close at once
//
// A transition not allowed from the current state returns false and changes
// nothing. Not thread-safe: the connection's strand owns it. No I/O here.
#pragma once

#include <cstdint>

namespace sk::server::ws {

class ConnectionState {
 public:
  enum class Phase : std::uint8_t { upgrading, syncing, open, stopped, finished };
  enum class Writer : std::uint8_t { idle, frame, close_frame, closed, aborted };
  enum class Close : std::uint8_t { none, requested, discarding };

  Phase phase() const { return phase_; }
  Writer writer() const { return writer_; }
  Close close() const { return close_; }

  // Phase.
  bool upgraded() { return advance(Phase::upgrading, Phase::syncing); }
  bool synced() { return advance(Phase::syncing, Phase::open); }
  bool reader_ended() {
    if (phase_ == Phase::stopped || phase_ == Phase::finished) return false;
    phase_ = Phase::stopped;
    return true;
  }
  // The first time: true, and whether the connection had been upgraded (so counted).
  struct Finished {
    bool now = false;
    bool was_open = false;
  };
  Finished finish() {
    if (phase_ == Phase::finished) return {};
    const bool was_open = phase_ != Phase::upgrading;
    phase_ = Phase::finished;
    return {true, was_open};
  }

  // Writer.
  bool start_frame() { return may_write() && set_writer(Writer::frame); }
  bool start_close_frame() {
    return may_write() && close_ != Close::none && set_writer(Writer::close_frame);
  }
  // The write in flight has ended.
  bool write_done() {
    if (writer_ == Writer::frame) return set_writer(Writer::idle);
    if (writer_ == Writer::close_frame) return set_writer(Writer::closed);
    return false;
  }
  bool abort() { return writer_ != Writer::aborted && set_writer(Writer::aborted); }

  // Close.
  bool request_close() {
    if (close_ != Close::none) return false;
    close_ = Close::requested;
    return true;
  }
  bool discard() {
    if (close_ == Close::discarding) return false;
    close_ = Close::discarding;
    return true;
  }

  // What follows from the state.
  // Store messages and replies are queued: registered, not closing, socket there.
  bool accepts_messages() const {
    return phase_ <= Phase::open && writer_ != Writer::aborted && close_ == Close::none;
  }
  // Something may be written now: the writer runs and nothing is in flight.
  bool may_write() const { return phase_ == Phase::open && writer_ == Writer::idle; }
  bool writing() const { return writer_ == Writer::frame || writer_ == Writer::close_frame; }
  bool aborted() const { return writer_ == Writer::aborted; }
  bool stopped() const { return phase_ >= Phase::stopped; }

 private:
  bool advance(Phase from, Phase to) {
    if (phase_ != from) return false;
    phase_ = to;
    return true;
  }
  bool set_writer(Writer w) {
    writer_ = w;
    return true;
  }

  Phase phase_ = Phase::upgrading;
  Writer writer_ = Writer::idle;
  Close close_ = Close::none;
};

}  // namespace sk::server::ws
