#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "config/source_config.h"

namespace herald {

// RFC 3986 §5 reference resolution. `base` must be absolute http(s). Whitespace around
// `ref` is trimmed; spaces and non-ASCII inside are percent-encoded. Errors (kParse) for
// an unparsable base or a reference with a scheme other than http/https
// (javascript:, mailto:, data: ...).
Result<std::string> resolve_url(std::string_view base, std::string_view ref);

// The canonical key two URLs of the same item share: scheme and host lower-cased,
// default port dropped, dot segments removed, fragment dropped, tracking parameters
// (utm_*, spm, from, share_*, fbclid, gclid, ...) dropped, remaining query sorted.
// Input must be an absolute http(s) URL (the output of resolve_url).
std::string canonical_url_key(std::string_view absolute_url);

// As above, and with `options` (a source's same_item_urls) also folding the variants the
// source declares the same item: ignore_scheme writes every http(s) key as https;
// ignore_www drops one leading "www." or "m." label from a host that keeps a dot.
// Default options give exactly canonical_url_key(absolute_url).
std::string canonical_url_key(std::string_view absolute_url, const UrlKeyOptions& options);

// The link as editors should see and share it: the tracking parameters the canonical key
// drops (utm_*, spm, from, ...) and the fragment are removed; everything else, the
// remaining parameters' order included, stays as the site wrote it. A query left empty
// loses its '?'. A fragment that is a client-side route ("#/detail/12", "#!/a") is kept,
// because on such sites it names the article. Anything that is not an absolute http(s)
// URL is returned unchanged.
std::string clean_link(std::string_view url);

}  // namespace herald
