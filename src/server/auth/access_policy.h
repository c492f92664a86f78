// Who may do what (SPEC §7), as one pure function of a token's claims and an action:
//   participant - reads its sessions; switches only while it is the active one
//   arbiter     - everything on its sessions; creates only with sessions ["*"]
//   admin       - everything
// "Its sessions" are the token's `sessions` claim (or ["*"]). A participant's turn
// depends on the session's state, so it is not decided here: the verdict names the
// participant, and the engine refuses the switch unless it is the active one, against
// the very state it is applied to. No I/O here.
#pragma once

#include <optional>
#include <string_view>

#include "domain/uuid.h"
#include "server/auth/claims.h"

namespace sk::server::auth {

enum class Action {
  read,         // GET a session, watch it over WebSocket
  create,       // POST /v1/sessions
  switch_turn,  // POST .../switch
  control,      // start, pause, resume, complete, cancel, participants, time adjustments
  remove,       // DELETE a session
};

struct Verdict {
  bool allowed = false;
  // A participant's switch: the engine checks this participant is the active one.
  std::optional<domain::Uuid> acting_participant;
  std::string_view reason;  // when refused: a literal for the 403 message and the log
};

// `session`: the session acted on (absent for create).
Verdict authorize(const Claims& claims, Action action, const std::optional<domain::Uuid>& session);

}  // namespace sk::server::auth
