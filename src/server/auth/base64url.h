// base64url without padding (RFC 4648 §5, as JWS uses it: RFC 7515 §2).
//
// Decoding is strict so that one token has exactly one spelling: padding, whitespace,
// characters outside [A-Za-z0-9_-], an impossible length (4n+1) and non-zero unused
// trailing bits are all refused. Otherwise a signed token could be re-spelled into
// distinct strings that all verify, which defeats replay caches and log correlation.
// No I/O, no allocation beyond the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sk::server::auth {

std::string base64url_encode(std::string_view bytes);
void append_base64url(std::string& out, std::string_view bytes);

// nullopt when `text` is not the canonical unpadded base64url of some bytes.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace sk::server::auth
