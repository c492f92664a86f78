// Reply: one Redis reply as an owned value (RESP2: string, status, error, integer,
// nil, array). Built from a hiredis redisReply tree, which it then no longer needs, so
// callers never see hiredis. A Redis error reply (WRONGTYPE, NOSCRIPT, ...) is a Reply
// of kind error, not a failed call: the caller decides what it means.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;  // hiredis; only reply.cc sees its definition

namespace sk::store::redis {

enum class ReplyKind { string, status, error, integer, nil, array };

std::string_view to_string(ReplyKind kind);

struct Reply {
  ReplyKind kind = ReplyKind::nil;
  std::string str;              // string, status, error (binary-safe)
  std::int64_t integer = 0;     // integer
  std::vector<Reply> elements;  // array

  static Reply string(std::string s) { return Reply{ReplyKind::string, std::move(s), 0, {}}; }
  static Reply status(std::string s) { return Reply{ReplyKind::status, std::move(s), 0, {}}; }
  static Reply error(std::string s) { return Reply{ReplyKind::error, std::move(s), 0, {}}; }
  static Reply of_integer(std::int64_t i) { return Reply{ReplyKind::integer, {}, i, {}}; }
  static Reply nil() { return Reply{}; }
  static Reply array(std::vector<Reply> e) { return Reply{ReplyKind::array, {}, 0, std::move(e)}; }

  bool is_error() const { return kind == ReplyKind::error; }
  bool is_nil() const { return kind == ReplyKind::nil; }

  // For test messages and logs, e.g. `["message", "ch", "hi"]`, `(error) ERR x`, `(nil)`.
  std::string debug_string() const;

  friend bool operator==(const Reply&, const Reply&) = default;
};

// A deep copy of a hiredis reply tree (which the caller still owns and frees).
Reply to_reply(const redisReply& reply);

}  // namespace sk::store::redis
