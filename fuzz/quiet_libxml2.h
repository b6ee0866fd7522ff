#pragma once

#include <libxml/xmlerror.h>

namespace herald::fuzz {

inline void discard_libxml2_message(void*, const char*, ...) {}

// libxml2 prints every parse error to stderr, which would drown the fuzzer's own output.
inline void quiet_libxml2() { xmlSetGenericErrorFunc(nullptr, discard_libxml2_message); }

}  // namespace herald::fuzz
