#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <kainjow/mustache.hpp>

#include "common/result.h"

namespace herald::web {

// The page templates (web/templates/*.mustache), read once at start.
//
// Escaping is the default and the only mode: {{name}} HTML-escapes (& < > " '), and
// load() refuses a template that uses mustache's unescaped forms ({{{...}}} or {{&...}}),
// so scraped text can only ever reach a page as text. Links go through is_safe_link()
// before they are handed to a template as an href.
class Templates {
 public:
  // Errors: kConfig (folder or layout.mustache missing, a template does not parse, or a
  // template uses unescaped output).
  static Result<Templates> load(const std::filesystem::path& dir);

  // Renders template `page` as the {{> content}} of layout.mustache. Templates named
  // "_x.mustache" are available to every page as the partial {{> _x}}.
  std::string render_page(const std::string& page, kainjow::mustache::data data) const;

 private:
  std::map<std::string, std::string> texts_;  // by name without ".mustache"
};

}  // namespace herald::web
