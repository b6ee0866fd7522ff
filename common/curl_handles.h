#pragma once

#include <memory>

#include <curl/curl.h>

#include "common/c_free.h"

namespace herald {

using CurlEasy = std::unique_ptr<CURL, CFree<curl_easy_cleanup>>;
using CurlHeaderList = std::unique_ptr<curl_slist, CFree<curl_slist_free_all>>;

}  // namespace herald
