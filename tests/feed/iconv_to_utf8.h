#pragma once

#include <iconv.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <string_view>

namespace herald::testing {

// Converts legacy-charset fixture bytes to UTF-8 with glibc iconv, strictly (an invalid
// byte throws). The decode stage does this in production; parse_feed only sees UTF-8.
inline std::string iconv_to_utf8(std::string_view bytes, const char* charset) {
  iconv_t cd = iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw std::runtime_error(std::string("iconv cannot convert from ") + charset);
  }
  std::string out(bytes.size() * 4 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  const int saved_errno = errno;
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || in_left != 0) {
    throw std::runtime_error(std::string("iconv failed from ") + charset +
                             " errno=" + std::to_string(saved_errno));
  }
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace herald::testing
