// wait_while: the audit queues' way to wait for their own batches, e.g. at stop():
// checks `busy` every 10 ms on the calling coroutine's executor (the queue's strand,
// so `busy` may read strand-only state) until it is false or `until` has passed.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sk::audit {

inline boost::asio::awaitable<void> wait_while(std::function<bool()> busy,
                                               std::chrono::steady_clock::time_point until) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (busy() && std::chrono::steady_clock::now() < until) {
    timer.expires_after(std::chrono::milliseconds{10});
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

}  // namespace sk::audit
