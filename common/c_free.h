#pragma once

namespace herald {

// A stateless deleter calling a C library's free function, for std::unique_ptr owners of
// C handles. Unlike a function-pointer deleter it keeps the owner pointer-sized.
template <auto kFree>
struct CFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    kFree(p);  // unique_ptr never passes nullptr
  }
};

}  // namespace herald
