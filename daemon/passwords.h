#pragma once

#include <string>
#include <string_view>

namespace herald {

// Argon2id password hashing for the web UI's accounts (libsodium crypto_pwhash_str with
// the INTERACTIVE limits: about 64 MiB and a fraction of a second per hash). The hash is a
// self-describing string ("$argon2id$v=19$m=65536,t=2,p=1$...") that includes its salt
// and parameters. Thread-safe; libsodium is initialised on first use.

// Empty only when libsodium cannot work at all (sodium_init failed, or the memory for the
// hash could not be allocated); callers treat that as an internal error.
std::string hash_password(std::string_view password);

// True when `password` matches `hash` (constant time in the password). False for any
// malformed or empty hash.
bool verify_password(std::string_view hash, std::string_view password);

// True when `hash` was made with weaker limits than hash_password uses today, so the
// password should be hashed again after a successful login.
bool password_needs_rehash(std::string_view hash);

}  // namespace herald
