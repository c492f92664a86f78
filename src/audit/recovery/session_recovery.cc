// See session_recovery.h.
#include "audit/recovery/session_recovery.h"

#include "domain/json.h"

namespace sk::audit {

SessionRecovery::SessionRecovery(std::shared_ptr<WriterPool> writers, const domain::Clock& clock,
                                 std::chrono::seconds ttl)
    : writers_(std::move(writers)), clock_(clock), ttl_(ttl) {}

boost::asio::awaitable<domain::Result<std::optional<domain::Session>>> SessionRecovery::load(
    domain::Uuid id) {
  auto state = co_await writers_->latest_state(id);
  if (!state) co_return state.error();
  if (!*state) co_return std::optional<domain::Session>{};
  auto session = domain::decode_session(**state);
  if (!session) co_return session.error();
  if (session->session_id != id) {
    co_return domain::Error::deserialization("the audited snapshot has another session id");
  }
  if (session->updated_at + ttl_ <= clock_.wall_now()) co_return std::optional<domain::Session>{};
  co_return std::optional<domain::Session>{std::move(*session)};
}

}  // namespace sk::audit
