#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace herald {

// A selector as an admin writes it in a source file, compiled once at load time.
//
//   "ul.list li"            CSS, compiled to XPath 1.0
//   "a@title"               CSS, then take the attribute "title" of the first match
//   "@href"                 the attribute of the context node itself
//   "xpath://div[@id='x']"  raw XPath, used as written
//
// CSS supported: type, *, .class, #id, [attr], [attr=v], [attr^=v], [attr$=v], [attr*=v],
// [attr~=v], descendant, >, +, ~, :first-child, :last-child, :nth-child(an+b), :not(...),
// comma lists.
struct Selector {
  std::string text{};                   // as written, for messages and `sources list`
  std::string xpath{};                  // empty = the context node itself ("@href" alone)
  std::optional<std::string> attribute{};  // take this attribute instead of the text
};

enum class SelectorScope {
  kDocument,  // evaluated from the document root (the [list] item selector)
  kRelative,  // evaluated from an item node (title, link, date, summary)
};

// Compiles `text`. On failure returns kConfig with a message of the form
// "position N: <what is wrong>; <what to write instead>" (N counts characters from 1);
// the config loader prefixes the file, line and key.
Result<Selector> compile_selector(std::string_view text, SelectorScope scope);

}  // namespace herald
