// How the Lua scripts of the Redis engine (lua/*.lua, compiled in by CMake as
// lua_sources.h) are called (see scripts.h).
//
// Numbers: versions and times are compared and stored as the decimal strings the
// instance sent (Lua numbers are doubles, and tostring() of a big one may switch to
// an exponent), except where an order is needed (tonumber of unix ms is exact).
#include "store/redis/scripts.h"

#include <array>

#include <openssl/sha.h>

#include "store/redis/lua_sources.h"

namespace sk::store::redis {

namespace asio = boost::asio;

namespace {

std::string sha1_hex(std::string_view text) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  std::string hex;
  hex.reserve(2 * digest.size());
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (const auto byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

}  // namespace

std::string unix_ms_arg(domain::TimePoint t) { return std::to_string(domain::to_unix_ms(t)); }

std::string after_arg(domain::TimePoint t) {
  std::string bound = "(";  // appended, not "(" + ...: GCC 12 -O3 reports a false -Wrestrict
  bound.append(unix_ms_arg(t));
  return bound;
}

LuaScript::LuaScript(std::string_view text) : source(text), sha1(sha1_hex(text)) {}

const LuaScript& write_script() {
  static const LuaScript script(lua::kWrite);
  return script;
}
// The order of lua/write.lua's header: ARGV[1] .. ARGV[15], the events, the messages
// (unless left out).
std::vector<std::string> WriteScriptArgs::to_argv() && {
  std::vector<std::string> argv;
  argv.reserve(15 + events.size() + messages.size());
  argv.emplace_back(mode == Mode::create ? "create" : "update");
  argv.push_back(unix_ms_arg(now));
  argv.push_back(std::to_string(expires_ms));
  argv.push_back(std::to_string(backstop.count()));
  argv.push_back(expected_version ? std::to_string(*expected_version) : std::string());
  argv.push_back(std::to_string(version));
  argv.push_back(std::move(state));
  argv.push_back(deadline ? unix_ms_arg(*deadline) : std::string());
  argv.push_back(std::move(session_id));
  argv.push_back(std::move(channel));
  argv.push_back(std::to_string(audit_max_length));
  argv.push_back(std::to_string(events.size()));
  argv.push_back(unix_ms_arg(created_at));
  std::string kinds;  // one bus kind character per message (bus_message.h)
  kinds.reserve(messages.size());
  for (const auto& m : messages) kinds.push_back(m.kind == MessageKind::event ? 'e' : 'u');
  argv.push_back(std::move(kinds));
  argv.push_back(std::move(nonce));
  for (auto& e : events) argv.push_back(std::move(e));
  if (payloads) {
    for (auto& m : messages) argv.push_back(std::move(m.payload));
  }
  return argv;
}

const LuaScript& remove_script() {
  static const LuaScript script(lua::kRemove);
  return script;
}
const LuaScript& broadcast_script() {
  static const LuaScript script(lua::kBroadcast);
  return script;
}
const LuaScript& claim_script() {
  static const LuaScript script(lua::kClaim);
  return script;
}
const LuaScript& expire_script() {
  static const LuaScript script(lua::kExpire);
  return script;
}

asio::awaitable<domain::Result<Reply>> run_script(RedisClient& client, const LuaScript& script,
                                                  std::vector<std::string> keys,
                                                  std::vector<std::string> args) {
  std::vector<std::string> command;
  command.reserve(3 + keys.size() + args.size());
  command.emplace_back("EVALSHA");
  command.push_back(script.sha1);
  command.push_back(std::to_string(keys.size()));
  for (auto& k : keys) command.push_back(std::move(k));
  for (auto& a : args) command.push_back(std::move(a));

  auto reply = co_await client.command(command);
  if (!reply || !reply->is_error() || !reply->str.starts_with("NOSCRIPT")) co_return reply;
  // Not in this Redis's script cache (restarted, failed over, SCRIPT FLUSH, a cluster
  // master that never ran it): EVAL the source, which also caches it there. Same keys,
  // so a cluster routes it to the same master (a SCRIPT LOAD has no key to route by).
  command[0] = "EVAL";
  command[1] = script.source;
  auto again = co_await client.command(std::move(command));
  co_return again;
}

}  // namespace sk::store::redis
