#include "web/templates.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace herald::web {

namespace mustache = kainjow::mustache;

Result<Templates> Templates::load(const std::filesystem::path& dir) {
  Templates templates;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".mustache") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return fail(ErrorCode::kConfig, fmt::format("cannot read {}", entry.path().string()));
    }
    const std::string body = text.str();
    if (body.find("{{{") != std::string::npos || body.find("{{&") != std::string::npos) {
      return fail(ErrorCode::kConfig,
                  fmt::format("{} uses unescaped output ({{{{{{ }}}}}} or {{{{& }}}}); web "
                              "templates must only use escaped {{{{name}}}}",
                              entry.path().string()));
    }
    mustache::mustache parsed(body);
    if (!parsed.is_valid()) {
      return fail(ErrorCode::kConfig,
                  fmt::format("{}: {}", entry.path().string(), parsed.error_message()));
    }
    templates.texts_[entry.path().stem().string()] = body;
  }
  if (ec) {
    return fail(ErrorCode::kConfig,
                fmt::format("cannot read the web templates in {}: {}", dir.string(), ec.message()));
  }
  if (!templates.texts_.contains("layout")) {
    return fail(ErrorCode::kConfig,
                fmt::format("{} has no layout.mustache; set [web] assets_dir to herald's web/ "
                            "folder",
                            dir.string()));
  }
  return templates;
}

std::string Templates::render_page(const std::string& page, mustache::data data) const {
  const auto page_it = texts_.find(page);
  const std::string content =
      page_it == texts_.end() ? std::string("<p>missing template</p>") : page_it->second;
  data.set("content", mustache::partial([content] { return content; }));
  for (const auto& [name, text] : texts_) {
    if (name.starts_with("_")) {
      data.set(name, mustache::partial([text = text] { return text; }));
    }
  }
  mustache::mustache layout(texts_.at("layout"));
  return layout.render(data);
}

}  // namespace herald::web
