// RedisSubscriber: see redis_subscriber.h. Subscribing and message delivery only; the
// reconnect loop is SupervisedConnection's.
#include "store/redis/redis_subscriber.h"

#include <mutex>

#include "store/redis/redis_errors.h"
#include "store/redis/supervised_connection.h"

namespace sk::store::redis {

struct RedisSubscriber::Callbacks {
  std::vector<std::string> channels;
  MessageHandler on_message;
  std::function<void()> on_resubscribed;
  std::function<void()> on_lost;
  int subscriptions = 0;  // successful subscriptions; on the strand only

  // Held while a callback runs, so close() returns only once none is running. A
  // recursive mutex, so a callback may itself call close().
  std::recursive_mutex mu;
  bool closed = false;

  template <typename F>
  void call(F&& f) {
    std::lock_guard lock(mu);
    if (closed) return;
    try {
      f();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a throwing handler must not end delivery
    }
  }
};

namespace {

std::vector<Command> subscribe_command(const std::vector<std::string>& channels) {
  Command command{std::string("SUBSCRIBE")};
  command.insert(command.end(), channels.begin(), channels.end());
  return {std::move(command)};
}

bool confirmed(const Reply& r) {
  return r.kind == ReplyKind::array && r.elements.size() == 3 && r.elements[0].str == "subscribe";
}

void resubscribed(const std::shared_ptr<RedisSubscriber::Callbacks>& cb);

// Sends SUBSCRIBE for every channel and checks each confirmation. (No lambdas or
// braced lists in here: GCC 12 mis-compiles some of them inside coroutines.)
asio::awaitable<Status> subscribe(std::shared_ptr<RedisSubscriber::Callbacks> cb,
                                  RedisConnection& conn) {
  auto replies = co_await conn.execute_here(subscribe_command(cb->channels), cb->channels.size());
  if (!replies.ok()) co_return replies.error();
  for (const auto& r : *replies) {
    if (!confirmed(r)) co_return unavailable("SUBSCRIBE failed (" + r.debug_string() + ")");
  }
  if (cb->subscriptions++ > 0) resubscribed(cb);
  co_return std::nullopt;
}

void resubscribed(const std::shared_ptr<RedisSubscriber::Callbacks>& cb) {
  cb->call([&] { cb->on_resubscribed(); });
}

}  // namespace

RedisSubscriber::RedisSubscriber(asio::any_io_executor executor, RedisUrl url,
                                 RedisClientOptions options, std::vector<std::string> channels,
                                 MessageHandler on_message, std::function<void()> on_resubscribed,
                                 std::function<void()> on_lost)
    : executor_(std::move(executor)),
      url_(std::move(url)),
      options_(options),
      callbacks_(std::make_shared<Callbacks>()) {
  callbacks_->channels = std::move(channels);
  callbacks_->on_message = std::move(on_message);
  callbacks_->on_resubscribed = std::move(on_resubscribed);
  callbacks_->on_lost = std::move(on_lost);
  if (!callbacks_->on_message) callbacks_->on_message = [](std::string_view, std::string_view) {};
  if (!callbacks_->on_resubscribed) callbacks_->on_resubscribed = [] {};
  if (!callbacks_->on_lost) callbacks_->on_lost = [] {};
}

RedisSubscriber::~RedisSubscriber() { close(); }

void RedisSubscriber::start() {
  std::lock_guard lock(mu_);
  if (closed_ || conn_ || callbacks_->channels.empty()) return;
  auto on_push = [cb = callbacks_](const Reply& message) {
    // ["message", channel, payload]; the connection only routes those here.
    const auto& e = message.elements;
    if (e.size() != 3 || e[0].str != "message") return;  // never subscribed to patterns
    cb->call([&] { cb->on_message(e[1].str, e[2].str); });
  };
  auto on_connected = [cb = callbacks_](RedisConnection& conn) { return subscribe(cb, conn); };
  auto on_lost = [cb = callbacks_] { cb->call([&] { cb->on_lost(); }); };
  conn_ = SupervisedConnection::start(executor_, url_, options_, std::move(on_push),
                                      std::move(on_connected), std::move(on_lost));
}

void RedisSubscriber::close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    if (conn_) conn_->close();
  }
  std::lock_guard lock(callbacks_->mu);  // waits for a callback in progress
  callbacks_->closed = true;
}

bool RedisSubscriber::subscribed() const {
  std::lock_guard lock(mu_);
  return !closed_ && conn_ && conn_->ready();
}

}  // namespace sk::store::redis
