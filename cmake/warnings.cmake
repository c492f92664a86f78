# Strict warnings for our own targets only (third-party headers come in as SYSTEM).
add_library(sk_warnings INTERFACE)
target_compile_options(sk_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${SK_WERROR}>:-Werror>)
