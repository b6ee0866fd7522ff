#pragma once

// 征求意见 (GET /consultations): drafts open for comment whose deadline has not passed,
// soonest first, with the days left counted in the desk's zone (docs/legal.md).

#include <httplib.h>

namespace herald::web {

class App;

void register_consultation_pages(App& app, httplib::Server& server);

}  // namespace herald::web
