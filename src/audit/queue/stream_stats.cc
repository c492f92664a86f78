// See stream_stats.h.
#include "audit/queue/stream_stats.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace sk::audit {

namespace {

using store::redis::Reply;
using store::redis::ReplyKind;
using Command = std::vector<std::string>;

// The milliseconds part of a stream id ("1700000000000-3"); nullopt if not one.
std::optional<std::int64_t> id_ms(const std::string& id) {
  std::int64_t ms = 0;
  const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), ms);
  if (ec != std::errc()) return std::nullopt;
  return ms;
}

std::int64_t number(const std::string& s) {
  std::int64_t n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

std::vector<Command> stats_commands(const store::redis::KeySpace& keys, const std::string& group) {
  std::vector<Command> commands;
  for (int shard = 0; shard < keys.shards(); ++shard) {
    const std::string stream = keys.audit(shard);
    commands.push_back({"XLEN", stream});
    commands.push_back({"XPENDING", stream, group});
    commands.push_back({"XRANGE", stream, "-", "+", "COUNT", "1"});
  }
  commands.push_back({"XLEN", dead_letter_key(keys)});
  commands.push_back({"HGETALL", audit_stats_key(keys)});
  return commands;
}

}  // namespace

std::string dead_letter_key(const store::redis::KeySpace& keys) {
  return keys.prefix() + "audit:dead";
}

std::string audit_stats_key(const store::redis::KeySpace& keys) {
  return keys.prefix() + "audit:stats";
}

boost::asio::awaitable<domain::Result<StreamStats>> read_stream_stats(
    store::redis::RedisClient& client, const store::redis::KeySpace& keys, const std::string& group,
    domain::TimePoint now) {
  auto replies = co_await client.pipeline(stats_commands(keys, group));
  if (!replies) co_return replies.error();
  StreamStats s;
  std::optional<std::int64_t> oldest;
  for (int shard = 0; shard < keys.shards(); ++shard) {
    const auto base = static_cast<std::size_t>(3 * shard);
    const auto& len = (*replies)[base];
    const auto& pending = (*replies)[base + 1];  // [count, min, max, consumers] or NOGROUP
    const auto& first = (*replies)[base + 2];    // [[id, fields]] or []
    std::int64_t taken = 0;
    if (pending.kind == ReplyKind::array && !pending.elements.empty()) {
      taken = pending.elements.front().integer;
    }
    s.pending += taken;
    s.waiting += std::max<std::int64_t>(0, len.integer - taken);
    if (first.kind == ReplyKind::array && !first.elements.empty() &&
        first.elements.front().kind == ReplyKind::array &&
        !first.elements.front().elements.empty()) {
      if (const auto ms = id_ms(first.elements.front().elements.front().str)) {
        oldest = oldest ? std::min(*oldest, *ms) : *ms;
      }
    }
  }
  const auto& counters = replies->back();
  s.dead_lettered = (*replies)[replies->size() - 2].integer;
  for (std::size_t i = 0; i + 1 < counters.elements.size(); i += 2) {
    const auto& name = counters.elements[i].str;
    const auto value = number(counters.elements[i + 1].str);
    if (name == "completed") s.completed_total = value;
    if (name == "failed") s.failed_total = value;
    if (name == "dead_lettered") s.dead_lettered_total = value;
  }
  if (oldest) s.oldest_lag_ms = std::max<std::int64_t>(0, domain::to_unix_ms(now) - *oldest);
  co_return s;
}

std::string format_stream_stats(const StreamStats& s) {
  return fmt::format(
      "waiting {}\npending {}\ndead_lettered {}\noldest_lag_ms {}\ncompleted_total {}\n"
      "failed_total {}\ndead_lettered_total {}\n",
      s.waiting, s.pending, s.dead_lettered, s.oldest_lag_ms, s.completed_total, s.failed_total,
      s.dead_lettered_total);
}

}  // namespace sk::audit
