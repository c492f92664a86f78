// AuditLink: what the server sees of the audit trail (SPEC §5, §6): the queue's
// figures for /metrics, the database's reachability for /ready, and the recovery of
// sessions the store lost. All optional: without an audit database every member is
// empty and the server behaves as if there were no audit trail.
#pragma once

#include <functional>

namespace sk::audit {
class AuditQueue;
class SessionRecovery;
}  // namespace sk::audit

namespace sk::server {

struct AuditLink {
  audit::AuditQueue* queue = nullptr;
  audit::SessionRecovery* recovery = nullptr;
  std::function<bool()> database_up;  // a cached probe: never blocks
};

}  // namespace sk::server
