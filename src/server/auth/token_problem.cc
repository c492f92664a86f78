// Names of the reasons a token is refused. See token_problem.h.
#include "server/auth/token_problem.h"

namespace sk::server::auth {

std::string_view to_string(TokenProblem problem) {
  switch (problem) {
    case TokenProblem::malformed: return "malformed";
    case TokenProblem::unsupported_algorithm: return "unsupported_algorithm";
    case TokenProblem::wrong_algorithm: return "wrong_algorithm";
    case TokenProblem::bad_signature: return "bad_signature";
    case TokenProblem::expired: return "expired";
    case TokenProblem::not_yet_valid: return "not_yet_valid";
    case TokenProblem::wrong_issuer: return "wrong_issuer";
    case TokenProblem::wrong_audience: return "wrong_audience";
    case TokenProblem::missing_claim: return "missing_claim";
    case TokenProblem::invalid_claim: return "invalid_claim";
  }
  return "malformed";  // unreachable: every enumerator is handled above
}

}  // namespace sk::server::auth
