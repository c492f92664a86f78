// FanOut: see fan_out.h. No I/O, no threads, no store calls here.
#include "store/fan_out.h"

#include <algorithm>
#include <iterator>

namespace sk::store {

Subscription FanOut::subscribe(MessageHandler handler) {
  auto subscriber = std::make_shared<Subscriber>(std::move(handler));
  {
    std::lock_guard lock(mu_);
    auto next = std::make_shared<List>(*list_);
    next->push_back(subscriber);
    list_ = std::move(next);
  }
  return Subscription([weak = weak_from_this(), subscriber] {
    if (auto self = weak.lock()) self->remove(subscriber);
    // Waits for a delivery in progress on another thread; re-entrant on this one.
    std::lock_guard lock(subscriber->mu);
    subscriber->active = false;
  });
}

void FanOut::remove(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<List>();
  next->reserve(list_->size());
  std::copy_if(list_->begin(), list_->end(), std::back_inserter(*next),
               [&](const auto& s) { return s != subscriber; });
  list_ = std::move(next);
}

void FanOut::publish(const StoreMessage& message) const {
  std::shared_ptr<const List> list;
  {
    std::lock_guard lock(mu_);
    list = list_;
  }
  for (const auto& subscriber : *list) {
    std::lock_guard lock(subscriber->mu);
    if (!subscriber->active) continue;
    try {
      subscriber->handler(message);
    } catch (...) {  // NOLINT(bugprone-empty-catch): see publish() in the header
    }
  }
}

std::size_t FanOut::size() const {
  std::lock_guard lock(mu_);
  return list_->size();
}

}  // namespace sk::store
