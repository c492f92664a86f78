// Reply: see reply.h. The only place that reads hiredis reply structures.
#include "store/redis/reply.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace sk::store::redis {

std::string_view to_string(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::string: return "string";
    case ReplyKind::status: return "status";
    case ReplyKind::error: return "error";
    case ReplyKind::integer: return "integer";
    case ReplyKind::nil: return "nil";
    case ReplyKind::array: return "array";
  }
  return "unknown";
}

std::string Reply::debug_string() const {
  switch (kind) {
    case ReplyKind::string: return fmt::format("\"{}\"", str);
    case ReplyKind::status: return str;
    case ReplyKind::error: return fmt::format("(error) {}", str);
    case ReplyKind::integer: return fmt::format("(integer) {}", integer);
    case ReplyKind::nil: return "(nil)";
    case ReplyKind::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements[i].debug_string();
      }
      return out + "]";
    }
  }
  return "?";
}

Reply to_reply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING: return Reply::string(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS: return Reply::status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR: return Reply::error(std::string(reply.str, reply.len));
    case REDIS_REPLY_INTEGER: return Reply::of_integer(reply.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        elements.push_back(to_reply(*reply.element[i]));
      }
      return Reply::array(std::move(elements));
    }
    default: return Reply::nil();  // REDIS_REPLY_NIL (and nothing else exists in RESP2)
  }
}

}  // namespace sk::store::redis
