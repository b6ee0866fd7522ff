#include "daemon/passwords.h"

#include <array>
#include <string>

#include <sodium.h>

namespace herald {
namespace {

bool sodium_ready() {
  // sodium_init is thread-safe and idempotent; the static runs it once.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

// crypto_pwhash_str_verify reads a NUL-terminated string of at most STRBYTES - 1 bytes.
bool to_hash_buffer(std::string_view hash, std::array<char, crypto_pwhash_STRBYTES>& out) {
  if (hash.empty() || hash.size() >= out.size() || hash.find('\0') != std::string_view::npos) {
    return false;
  }
  out.fill('\0');
  hash.copy(out.data(), hash.size());
  return true;
}

}  // namespace

std::string hash_password(std::string_view password) {
  if (!sodium_ready()) {
    return {};
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return {};
  }
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  std::array<char, crypto_pwhash_STRBYTES> buffer{};
  if (!sodium_ready() || !to_hash_buffer(hash, buffer)) {
    return false;
  }
  return crypto_pwhash_str_verify(buffer.data(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view hash) {
  std::array<char, crypto_pwhash_STRBYTES> buffer{};
  if (!sodium_ready() || !to_hash_buffer(hash, buffer)) {
    return true;
  }
  return crypto_pwhash_str_needs_rehash(buffer.data(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

}  // namespace herald
