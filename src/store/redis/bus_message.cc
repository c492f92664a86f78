// Pub/Sub frames of store messages (see bus_message.h).
#include "store/redis/bus_message.h"

#include <charconv>

namespace sk::store::redis {

namespace {

char kind_char(MessageKind kind) {
  switch (kind) {
    case MessageKind::update: return 'u';
    case MessageKind::event: return 'e';
    case MessageKind::deleted: return 'd';
    case MessageKind::broadcast: return 'b';
    case MessageKind::resync: break;  // local only, never on the bus
  }
  return '?';
}

std::optional<MessageKind> kind_of(char c) {
  switch (c) {
    case 'u': return MessageKind::update;
    case 'e': return MessageKind::event;
    case 'd': return MessageKind::deleted;
    case 'b': return MessageKind::broadcast;
    default: return std::nullopt;
  }
}

}  // namespace

std::string encode_bus_message(const StoreMessage& m) {
  std::string out;
  out.reserve(m.payload.size() + 64);
  out.push_back(kind_char(m.kind));
  out.push_back('|');
  out.append(std::to_string(m.version));
  out.push_back('|');
  m.session_id.append_to(out);
  out.push_back('|');
  out.append(m.payload);
  return out;
}

std::optional<StoreMessage> decode_bus_message(std::string_view frame) {
  if (frame.size() < 2 || frame[1] != '|') return std::nullopt;
  const auto kind = kind_of(frame[0]);
  if (!kind) return std::nullopt;
  frame.remove_prefix(2);
  const auto bar = frame.find('|');
  if (bar == std::string_view::npos) return std::nullopt;
  std::int64_t version = 0;
  const auto [end, ec] = std::from_chars(frame.data(), frame.data() + bar, version);
  if (ec != std::errc{} || end != frame.data() + bar) return std::nullopt;
  frame.remove_prefix(bar + 1);
  constexpr std::size_t kUuidChars = 36;
  if (frame.size() < kUuidChars + 1 || frame[kUuidChars] != '|') return std::nullopt;
  const auto id = domain::Uuid::parse(frame.substr(0, kUuidChars));
  if (!id) return std::nullopt;
  return StoreMessage{*id, *kind, version, std::string(frame.substr(kUuidChars + 1))};
}

}  // namespace sk::store::redis
