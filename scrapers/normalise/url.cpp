#include "scrapers/normalise/url.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herald {

namespace {

// Query parameters that only say where a click came from. Dropped from the dedup key so
// that the same article shared with different campaign tags is one item.
constexpr std::array<std::string_view, 24> kTrackingParams{
    "spm",    "from",   "fbclid",  "gclid",          "yclid",   "dclid",    "msclkid",  "mc_cid",
    "mc_eid", "_hsenc", "_hsmi",   "igshid",         "scene",   "srcid",    "ref_src",  "vd_source",
    "wfr",    "_ga",    "mkt_tok", "isappinstalled", "clickid", "wt.mc_id", "wt_mc_id", "ved"};
// Every parameter starting with one of these is tracking too.
constexpr std::array<std::string_view, 2> kTrackingPrefixes{"utm_", "share_"};

// RFC 3986 appendix B split. `has_*` distinguishes "absent" from "present but empty".
struct UrlParts {
  std::string scheme{};
  bool has_authority = false;
  std::string authority{};
  std::string path{};
  bool has_query = false;
  std::string query{};
  bool has_fragment = false;
  std::string fragment{};
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_unreserved(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string lower_str(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

int hex_value(char c) {
  if (is_digit(c)) {
    return c - '0';
  }
  return lower(c) - 'a' + 10;
}

bool valid_scheme(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
  });
}

UrlParts split(std::string_view s) {
  UrlParts p;
  const std::size_t colon = s.find(':');
  const std::size_t first_delim = s.find_first_of("/?#");
  if (colon != std::string_view::npos &&
      (first_delim == std::string_view::npos || colon < first_delim) &&
      valid_scheme(s.substr(0, colon))) {
    p.scheme = lower_str(s.substr(0, colon));
    s.remove_prefix(colon + 1);
  }
  if (s.size() >= 2 && s[0] == '/' && s[1] == '/') {
    s.remove_prefix(2);
    const std::size_t end = s.find_first_of("/?#");
    p.has_authority = true;
    p.authority = std::string(s.substr(0, end));
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  }
  const std::size_t path_end = s.find_first_of("?#");
  p.path = std::string(s.substr(0, path_end));
  s.remove_prefix(path_end == std::string_view::npos ? s.size() : path_end);
  if (!s.empty() && s[0] == '?') {
    const std::size_t end = s.find('#');
    p.has_query = true;
    p.query =
        std::string(s.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  }
  if (!s.empty() && s[0] == '#') {
    p.has_fragment = true;
    p.fragment = std::string(s.substr(1));
  }
  return p;
}

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../") || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const std::size_t last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      const std::size_t len = next == std::string_view::npos ? in.size() : next;
      out.append(in.substr(0, len));
      in.remove_prefix(len);
    }
  }
  return out;
}

// RFC 3986 §5.2.3.
std::string merge(const UrlParts& base, std::string_view ref_path) {
  if (base.has_authority && base.path.empty()) {
    return "/" + std::string(ref_path);
  }
  const std::size_t last = base.path.rfind('/');
  if (last == std::string::npos) {
    return std::string(ref_path);
  }
  return base.path.substr(0, last + 1) + std::string(ref_path);
}

// Percent-encodes what may not appear raw in a URL: controls, space, non-ASCII bytes and
// the few ASCII characters browsers escape. Existing %XX escapes are kept; a stray '%'
// becomes %25.
std::string encode_component(std::string_view s) {
  static constexpr std::string_view kEscape = " \"<>\\^`{|}";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
        out.push_back('%');
      } else {
        out += "%25";
      }
    } else if (c <= 0x20 || c >= 0x7F ||
               kEscape.find(static_cast<char>(c)) != std::string_view::npos) {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// The host part of an authority ("user@Host:80" -> lower-cased host), with ports kept.
std::string normalise_authority(std::string_view authority) {
  const std::size_t at = authority.rfind('@');
  const std::string_view userinfo =
      at == std::string_view::npos ? std::string_view() : authority.substr(0, at + 1);
  std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::string out(userinfo);
  out += lower_str(hostport);
  return out;
}

struct HostPort {
  std::string_view host{};
  std::optional<std::string_view> port{};
};

HostPort split_host_port(std::string_view hostport) {
  // IPv6 literal: [::1]:8080
  const std::size_t bracket = hostport.rfind(']');
  const std::size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    return {hostport.substr(0, colon), hostport.substr(colon + 1)};
  }
  return {hostport, std::nullopt};
}

// RFC 3986 §3.2: reg-name characters (non-ASCII allowed for IDN hosts, left as written),
// or a bracketed IPv6 literal; a port of digits only.
bool valid_authority(std::string_view authority) {
  const std::size_t at = authority.rfind('@');
  const HostPort hp =
      split_host_port(at == std::string_view::npos ? authority : authority.substr(at + 1));
  if (hp.host.empty()) {
    return false;
  }
  if (hp.port &&
      (hp.port->size() > 5 || !std::all_of(hp.port->begin(), hp.port->end(), is_digit))) {
    return false;
  }
  if (hp.host.front() == '[') {
    return hp.host.size() > 2 && hp.host.back() == ']' &&
           std::all_of(hp.host.begin() + 1, hp.host.end() - 1,
                       [](char c) { return is_hex(c) || c == ':' || c == '.'; });
  }
  static constexpr std::string_view kSubDelims = "-._~%!$&'()*+,;=";
  return std::all_of(hp.host.begin(), hp.host.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || static_cast<unsigned char>(c) >= 0x80 ||
           kSubDelims.find(c) != std::string_view::npos;
  });
}

std::string recompose(const UrlParts& p) {
  std::string out;
  if (!p.scheme.empty()) {
    out += p.scheme + ":";
  }
  if (p.has_authority) {
    out += "//" + p.authority;
  }
  out += p.path;
  if (p.has_query) {
    out += "?" + p.query;
  }
  if (p.has_fragment) {
    out += "#" + p.fragment;
  }
  return out;
}

// A link quoted in an error message: bounded, and never cut inside a UTF-8 sequence.
std::string_view for_message(std::string_view s) {
  constexpr std::size_t kMax = 160;
  if (s.size() <= kMax) {
    return s;
  }
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return s.substr(0, cut);
}

bool is_http(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

bool trimmable(unsigned char c) { return c <= 0x20 || c == 0x7F; }

// Strips ASCII whitespace/controls and the Unicode spaces pages put around links
// (NBSP U+00A0, ideographic space U+3000, zero-width space U+200B, BOM U+FEFF).
std::string_view trim_ref(std::string_view s) {
  static constexpr std::array<std::string_view, 4> kUnicodeSpaces{"\xC2\xA0", "\xE3\x80\x80",
                                                                  "\xE2\x80\x8B", "\xEF\xBB\xBF"};
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    while (!s.empty() && trimmable(static_cast<unsigned char>(s.front()))) {
      s.remove_prefix(1);
      changed = true;
    }
    while (!s.empty() && trimmable(static_cast<unsigned char>(s.back()))) {
      s.remove_suffix(1);
      changed = true;
    }
    for (std::string_view sp : kUnicodeSpaces) {
      if (s.starts_with(sp)) {
        s.remove_prefix(sp.size());
        changed = true;
      }
      if (s.ends_with(sp)) {
        s.remove_suffix(sp.size());
        changed = true;
      }
    }
  }
  return s;
}

// Browsers drop tabs and newlines anywhere in a URL (WHATWG URL "basic URL parser").
std::string drop_tabs_and_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '\t' && c != '\n' && c != '\r') {
      out.push_back(c);
    }
  }
  return out;
}

// In http(s) URLs browsers read '\' as '/' before the query (WHATWG "special" schemes).
void backslashes_to_slashes(std::string& s) {
  const std::size_t end = s.find_first_of("?#");
  std::replace(s.begin(),
               end == std::string::npos ? s.end() : s.begin() + static_cast<std::ptrdiff_t>(end),
               '\\', '/');
}

// Upper-cases the hex of every escape and decodes escapes of unreserved characters
// (RFC 3986 §6.2.2.1-2), so equivalent spellings give the same key.
std::string normalise_percent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      const char decoded = static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(decoded)) {
        out.push_back(decoded);
      } else {
        out.push_back('%');
        out.push_back(upper(s[i + 1]));
        out.push_back(upper(s[i + 2]));
      }
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool is_tracking_param(std::string_view key) {
  const std::string k = lower_str(key);
  if (std::find(kTrackingParams.begin(), kTrackingParams.end(), k) != kTrackingParams.end()) {
    return true;
  }
  return std::any_of(kTrackingPrefixes.begin(), kTrackingPrefixes.end(),
                     [&](std::string_view prefix) { return k.starts_with(prefix); });
}

// "www.x.gov.cn" and "m.x.gov.cn" -> "x.gov.cn". A host left without a dot ("www.com",
// "m.localhost") is kept: that prefix is the name, not a variant.
std::string_view without_www(std::string_view host) {
  for (std::string_view prefix : {std::string_view("www."), std::string_view("m.")}) {
    if (host.starts_with(prefix) &&
        host.substr(prefix.size()).find('.') != std::string_view::npos) {
      return host.substr(prefix.size());
    }
  }
  return host;
}

}  // namespace

Result<std::string> resolve_url(std::string_view base, std::string_view ref) {
  std::string base_text = drop_tabs_and_newlines(trim_ref(base));
  backslashes_to_slashes(base_text);
  UrlParts b = split(base_text);
  if (!is_http(b.scheme) || !b.has_authority || b.authority.empty()) {
    return fail(ErrorCode::kParse,
                fmt::format("base URL \"{}\" is not an absolute http(s) URL", for_message(base)));
  }

  std::string ref_text = drop_tabs_and_newlines(trim_ref(ref));
  backslashes_to_slashes(ref_text);
  UrlParts r = split(ref_text);
  if (!r.scheme.empty() && !is_http(r.scheme)) {
    return fail(ErrorCode::kParse, fmt::format("link \"{}\" has scheme \"{}\", not http(s)",
                                               for_message(ref), for_message(r.scheme)));
  }
  // "http:g" against an http base is read as the relative "g" (RFC 3986 §5.4.2's
  // backward-compatible choice, and what browsers do).
  if (r.scheme == b.scheme && !r.has_authority) {
    r.scheme.clear();
  }

  UrlParts t;
  if (!r.scheme.empty()) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    if (r.has_authority) {
      t.has_authority = true;
      t.authority = r.authority;
      t.path = remove_dot_segments(r.path);
      t.has_query = r.has_query;
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = b.path;
        t.has_query = r.has_query || b.has_query;
        t.query = r.has_query ? r.query : b.query;
      } else {
        t.path = r.path.starts_with('/') ? remove_dot_segments(r.path)
                                         : remove_dot_segments(merge(b, r.path));
        t.has_query = r.has_query;
        t.query = r.query;
      }
      t.has_authority = b.has_authority;
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.has_fragment = r.has_fragment;
  t.fragment = r.fragment;

  if (!t.has_authority || t.authority.empty() ||
      split_host_port(normalise_authority(t.authority)).host.empty()) {
    return fail(ErrorCode::kParse, fmt::format("link \"{}\" has no host", for_message(ref)));
  }
  t.authority = normalise_authority(t.authority);
  if (!valid_authority(t.authority)) {
    return fail(ErrorCode::kParse,
                fmt::format("link \"{}\" has an invalid host", for_message(ref)));
  }
  if (t.path.empty()) {
    t.path = "/";
  }
  t.path = encode_component(t.path);
  if (t.has_query) {
    t.query = encode_component(t.query);
  }
  if (t.has_fragment) {
    t.fragment = encode_component(t.fragment);
  }
  return recompose(t);
}

std::string canonical_url_key(std::string_view absolute_url) {
  return canonical_url_key(absolute_url, UrlKeyOptions{});
}

std::string canonical_url_key(std::string_view absolute_url, const UrlKeyOptions& options) {
  std::string text = drop_tabs_and_newlines(trim_ref(absolute_url));
  UrlParts p = split(text);
  if (p.scheme.empty() || !p.has_authority) {
    return text;  // not what the contract promises; keep as is
  }

  // Host: lower case, no trailing root dot, no default port, no empty port.
  const std::string authority = normalise_authority(p.authority);
  const std::size_t at = authority.rfind('@');
  const std::string userinfo =
      at == std::string::npos ? std::string() : authority.substr(0, at + 1);
  HostPort hp =
      split_host_port(std::string_view(authority).substr(at == std::string::npos ? 0 : at + 1));
  std::string host(hp.host);
  while (!host.empty() && host.back() == '.') {
    host.pop_back();
  }
  if (options.ignore_www) {
    host = std::string(without_www(host));
  }
  p.authority = userinfo + host;
  if (hp.port && !hp.port->empty() && !(p.scheme == "http" && *hp.port == "80") &&
      !(p.scheme == "https" && *hp.port == "443")) {
    p.authority += ":" + std::string(*hp.port);
  }
  // After the default port went: http://x:80/ and https://x:443/ are both plain x.
  if (options.ignore_scheme && is_http(p.scheme)) {
    p.scheme = "https";
  }

  p.path = remove_dot_segments(normalise_percent(encode_component(p.path)));
  if (p.path.empty()) {
    p.path = "/";
  }
  p.has_fragment = false;
  p.fragment.clear();

  if (p.has_query) {
    std::vector<std::pair<std::string, std::string>> params;
    std::string_view q = p.query;
    while (true) {
      const std::size_t amp = q.find('&');
      const std::string_view piece = q.substr(0, amp);
      if (!piece.empty()) {
        const std::string norm = normalise_percent(encode_component(piece));
        const std::size_t eq = norm.find('=');
        std::string key = norm.substr(0, eq);
        std::string value =
            eq == std::string::npos ? std::string() : norm.substr(eq);  // keeps '=' if present
        if (!is_tracking_param(key)) {
          params.emplace_back(std::move(key), std::move(value));
        }
      }
      if (amp == std::string_view::npos) {
        break;
      }
      q.remove_prefix(amp + 1);
    }
    std::stable_sort(params.begin(), params.end());
    p.query.clear();
    for (const auto& [key, value] : params) {
      if (!p.query.empty()) {
        p.query.push_back('&');
      }
      p.query += key + value;
    }
    p.has_query = !p.query.empty();
  }
  return recompose(p);
}

std::string clean_link(std::string_view url) {
  UrlParts p = split(url);
  if (!is_http(p.scheme) || !p.has_authority || p.authority.empty()) {
    return std::string(url);
  }
  if (p.has_fragment && !p.fragment.starts_with('/') && !p.fragment.starts_with('!')) {
    p.has_fragment = false;
    p.fragment.clear();
  }
  if (p.has_query) {
    std::string kept;
    std::string_view q = p.query;
    while (true) {
      const std::size_t amp = q.find('&');
      const std::string_view piece = q.substr(0, amp);
      // The key is compared as the canonical key compares it ("utm%5Fsource" is utm_source),
      // but the piece is kept as written.
      const std::string norm = normalise_percent(encode_component(piece));
      if (!piece.empty() && !is_tracking_param(norm.substr(0, norm.find('=')))) {
        if (!kept.empty()) {
          kept.push_back('&');
        }
        kept.append(piece);
      }
      if (amp == std::string_view::npos) {
        break;
      }
      q.remove_prefix(amp + 1);
    }
    p.query = std::move(kept);
    p.has_query = !p.query.empty();
  }
  // recompose() writes the scheme lower-cased by split(); keep the site's spelling of the
  // rest by rebuilding only from the parts.
  return recompose(p);
}

}  // namespace herald
