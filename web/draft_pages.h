#pragma once

// Drafts on the item page (docs/drafts.md): the Chinese headline and 摘要 herald drafted,
// shown beside the original, never replacing it, with 采用 / 编辑后采用 / 丢弃 / 重新起草
// (POST /items/ID/draft/accept|edit|discard|redo, CSRF-checked like every state change).

#include <cstdint>
#include <optional>

#include <httplib.h>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "storage/store.h"

namespace herald::web {

class App;

void register_draft_pages(App& app, httplib::Server& server);

// The item page's "draft" block for `draft` (nothing when there is none, or when editors
// already decided it). Text only: the template escapes every field.
void set_draft_view(kainjow::mustache::data& data, std::int64_t candidate_id,
                    const std::optional<Draft>& draft);

// "draft": {...} of GET /api/v1/candidates/ID (null when there is none).
nlohmann::json draft_json(const std::optional<Draft>& draft);

}  // namespace herald::web
