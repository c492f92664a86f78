// Slot arithmetic, command keys and CLUSTER SLOTS parsing: see cluster_slots.h.
#include "store/redis/cluster_slots.h"

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace sk::store::redis {
namespace {

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as Redis Cluster uses.
constexpr std::array<std::uint16_t, 256> make_crc_table() {
  std::array<std::uint16_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    auto crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
    table[static_cast<std::size_t>(byte)] = crc;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

std::uint16_t crc16(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (const char c : bytes) {
    const auto index = static_cast<std::uint8_t>((crc >> 8) ^ static_cast<std::uint8_t>(c));
    crc = static_cast<std::uint16_t>((crc << 8) ^ kCrcTable[index]);
  }
  return crc;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// EVAL, EVALSHA, FCALL and their _RO forms: <name> <script> <numkeys> <keys...> <args...>.
bool is_script_call(std::string_view name) {
  for (const char* script : {"EVALSHA", "EVAL", "FCALL", "EVALSHA_RO", "EVAL_RO", "FCALL_RO"}) {
    if (iequals(name, script)) return true;
  }
  return false;
}

domain::Error bad_reply(const std::string& why) {
  return domain::Error::validation("cluster_slots", "unexpected CLUSTER SLOTS reply: " + why);
}

// host:port of a MOVED/ASK target; the host may be empty (the same node's address).
std::optional<NodeAddress> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  NodeAddress node;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  node.host = std::string(host);
  const std::string_view port = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), node.port);
  if (ec != std::errc{} || end != port.data() + port.size() || node.port == 0) return std::nullopt;
  return node;
}

}  // namespace

int key_slot(std::string_view key) {
  const auto open = key.find('{');
  if (open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) % kClusterSlots;
}

std::optional<std::string_view> routing_key(const std::vector<std::string>& command) {
  if (command.empty()) return std::nullopt;
  const std::string_view name = command[0];
  for (const char* keyless :
       {"PING",   "ECHO",   "SCRIPT",   "CLUSTER", "INFO",   "PUBLISH",  "AUTH",
        "SELECT", "ASKING", "READONLY", "WAIT",    "DBSIZE", "FLUSHALL", "FLUSHDB",
        "CLIENT", "CONFIG", "DEBUG",    "ACL",     "KEYS",   "TIME"}) {
    if (iequals(name, keyless)) return std::nullopt;
  }
  if (is_script_call(name)) {
    if (command.size() < 4 || command[2] == "0") return std::nullopt;
    return std::string_view(command[3]);
  }
  if (iequals(name, "XREADGROUP") || iequals(name, "XREAD")) {
    for (std::size_t i = 1; i + 1 < command.size(); ++i) {
      if (iequals(command[i], "STREAMS")) return std::string_view(command[i + 1]);
    }
    return std::nullopt;
  }
  // Subcommand first, key second.
  if (iequals(name, "XGROUP") || iequals(name, "XINFO") || iequals(name, "OBJECT") ||
      iequals(name, "MEMORY")) {
    if (command.size() < 3) return std::nullopt;
    return std::string_view(command[2]);
  }
  if (command.size() < 2) return std::nullopt;
  return std::string_view(command[1]);
}

std::optional<std::string> cross_slot(const std::vector<std::string>& command) {
  if (command.size() < 4) return std::nullopt;
  const std::string_view name = command[0];
  if (!is_script_call(name)) return std::nullopt;
  std::size_t keys = 0;
  const auto& count = command[2];
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), keys);
  if (ec != std::errc{} || keys < 2 || 3 + keys > command.size()) return std::nullopt;
  const int first = key_slot(command[3]);
  for (std::size_t i = 4; i < 3 + keys; ++i) {
    if (const int slot = key_slot(command[i]); slot != first) {
      return fmt::format("CROSSSLOT a script's keys {} (slot {}) and {} (slot {}) are in two slots",
                         command[3], first, command[i], slot);
    }
  }
  return std::nullopt;
}

std::string SlotMap::uncovered() const {
  std::string out;
  int start = -1;
  for (int slot = 0; slot <= kClusterSlots; ++slot) {
    const bool missing = slot < kClusterSlots && master_of(slot) < 0;
    if (missing && start < 0) start = slot;
    if (!missing && start >= 0) {
      if (!out.empty()) out += ", ";
      out += start == slot - 1 ? std::to_string(start) : fmt::format("{}-{}", start, slot - 1);
      start = -1;
    }
  }
  return out;
}

domain::Result<SlotMap> parse_cluster_slots(const Reply& reply, const NodeAddress& asked) {
  if (reply.is_error()) return bad_reply(reply.str);
  if (reply.kind != ReplyKind::array) return bad_reply("not an array");
  SlotMap map;
  map.owner.assign(kClusterSlots, -1);
  for (const auto& range : reply.elements) {
    if (range.kind != ReplyKind::array || range.elements.size() < 3) {
      return bad_reply("a range without its master");
    }
    const auto& first = range.elements[0];
    const auto& last = range.elements[1];
    const auto& master = range.elements[2];
    if (first.kind != ReplyKind::integer || last.kind != ReplyKind::integer || first.integer < 0 ||
        last.integer >= kClusterSlots || first.integer > last.integer) {
      return bad_reply("a slot range out of bounds");
    }
    if (master.kind != ReplyKind::array || master.elements.size() < 2 ||
        master.elements[1].kind != ReplyKind::integer || master.elements[1].integer <= 0 ||
        master.elements[1].integer > 65535) {
      return bad_reply("a master without host and port");
    }
    NodeAddress node;
    node.host = master.elements[0].str.empty() ? asked.host : master.elements[0].str;
    node.port = static_cast<std::uint16_t>(master.elements[1].integer);
    int index = -1;
    for (std::size_t i = 0; i < map.masters.size(); ++i) {
      if (map.masters[i] == node) index = static_cast<int>(i);
    }
    if (index < 0) {
      index = static_cast<int>(map.masters.size());
      map.masters.push_back(std::move(node));
    }
    for (auto slot = first.integer; slot <= last.integer; ++slot) {
      map.owner[static_cast<std::size_t>(slot)] = index;
    }
  }
  return map;
}

std::optional<Redirect> parse_redirect(const Reply& reply) {
  if (!reply.is_error()) return std::nullopt;
  const std::string_view text = reply.str;
  Redirect redirect;
  std::string_view rest;
  if (text.starts_with("MOVED ")) {
    redirect.kind = Redirect::Kind::moved;
    rest = text.substr(6);
  } else if (text.starts_with("ASK ")) {
    redirect.kind = Redirect::Kind::ask;
    rest = text.substr(4);
  } else {
    return std::nullopt;
  }
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view slot = rest.substr(0, space);
  const auto [end, ec] = std::from_chars(slot.data(), slot.data() + slot.size(), redirect.slot);
  if (ec != std::errc{} || end != slot.data() + slot.size() || redirect.slot < 0 ||
      redirect.slot >= kClusterSlots) {
    return std::nullopt;
  }
  auto node = parse_endpoint(rest.substr(space + 1));
  if (!node) return std::nullopt;
  redirect.node = std::move(*node);
  return redirect;
}

bool is_retryable_cluster_error(const Reply& reply) {
  if (!reply.is_error()) return false;
  const std::string_view text = reply.str;
  return text.starts_with("TRYAGAIN") || text.starts_with("CLUSTERDOWN") ||
         text.starts_with("MASTERDOWN") || text.starts_with("LOADING");
}

}  // namespace sk::store::redis
