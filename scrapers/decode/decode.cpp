#include "scrapers/decode/decode.h"

#include <iconv.h>
#include <uchardet/uchardet.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>

#include "common/text.h"

namespace herald {
namespace {

// iconv_t is a void* with (iconv_t)-1 as its failure value, so the owner is only
// created after that value has been ruled out.
struct IconvClose {
  void operator()(void* cd) const noexcept { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvHandle = std::unique_ptr<void, IconvClose>;

struct UchardetDelete {
  void operator()(uchardet_t ud) const noexcept { uchardet_delete(ud); }
};
using UchardetHandle = std::unique_ptr<std::remove_pointer_t<uchardet_t>, UchardetDelete>;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::size_t kPrescanBytes = 1024;                // WHATWG prescan window
constexpr std::string_view kUtf8 = "UTF-8";

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (to_lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Labels

using LabelTable = std::unordered_map<std::string, std::string>;

// Labels follow the WHATWG Encoding Standard's table; the values are glibc iconv names.
// Where WHATWG names a superset (gbk for gb2312, windows-949 for euc-kr, windows-1252 for
// latin1) the superset is used, because servers mislabel the superset far more often than
// they send bytes only the subset would reject.
LabelTable build_label_table() {
  LabelTable t;
  auto add = [&t](std::initializer_list<const char*> labels, const std::string& name) {
    for (const char* label : labels) t.emplace(label, name);
  };
  add({"unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"},
      "UTF-8");
  add({"chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk",
       "iso-ir-58", "x-gbk", "gb18030", "cp936", "windows-936"},
      "GB18030");
  add({"big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", "big5hkscs", "cp950"}, "BIG5-HKSCS");
  add({"cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"}, "EUC-JP");
  add({"csiso2022jp", "iso-2022-jp"}, "ISO-2022-JP");
  add({"csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis",
       "cp932"},
      "WINDOWS-31J");
  add({"cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987",
       "ks_c_5601-1989", "ksc5601", "ksc_5601", "windows-949", "cp949", "uhc"},
      "CP949");
  add({"unicodefffe", "utf-16be"}, "UTF-16BE");
  add({"csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"},
      "UTF-16LE");
  add({"ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
       "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
       "us-ascii", "windows-1252", "x-cp1252"},
      "WINDOWS-1252");
  add({"csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9",
       "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254"},
      "WINDOWS-1254");
  add({"dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"},
      "WINDOWS-874");
  for (int n : {2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16}) {
    const std::string name = fmt::format("ISO-8859-{}", n);
    for (const char* pattern : {"iso-8859-{}", "iso8859-{}", "iso8859{}", "iso_8859-{}"}) {
      t.emplace(fmt::format(fmt::runtime(pattern), n), name);
    }
  }
  add({"csisolatin2", "iso-ir-101", "iso_8859-2:1987", "l2", "latin2"}, "ISO-8859-2");
  add({"csisolatin3", "iso-ir-109", "iso_8859-3:1988", "l3", "latin3"}, "ISO-8859-3");
  add({"csisolatin4", "iso-ir-110", "iso_8859-4:1988", "l4", "latin4"}, "ISO-8859-4");
  add({"csisolatincyrillic", "cyrillic", "iso-ir-144", "iso_8859-5:1988"}, "ISO-8859-5");
  add({"arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114",
       "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso_8859-6:1987"},
      "ISO-8859-6");
  add({"csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-ir-126",
       "iso_8859-7:1987", "sun_eu_greek"},
      "ISO-8859-7");
  add({"csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8-e", "iso-ir-138", "iso_8859-8:1988",
       "visual", "csiso88598i", "iso-8859-8-i", "logical"},
      "ISO-8859-8");
  add({"csisolatin6", "iso-ir-157", "l6", "latin6"}, "ISO-8859-10");
  add({"csisolatin9", "l9"}, "ISO-8859-15");
  for (int n : {1250, 1251, 1253, 1255, 1256, 1257, 1258}) {
    const std::string name = fmt::format("WINDOWS-{}", n);
    t.emplace(fmt::format("windows-{}", n), name);
    t.emplace(fmt::format("cp{}", n), name);
    t.emplace(fmt::format("x-cp{}", n), name);
  }
  add({"cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"}, "KOI8-R");
  add({"koi8-ru", "koi8-u"}, "KOI8-U");
  add({"866", "cp866", "csibm866", "ibm866"}, "IBM866");
  add({"csmacintosh", "mac", "macintosh", "x-mac-roman"}, "MACINTOSH");
  add({"x-mac-cyrillic", "x-mac-ukrainian", "mac-cyrillic"}, "MAC-CYRILLIC");
  // Names uchardet reports that WHATWG does not list.
  add({"euc-tw"}, "EUC-TW");
  add({"viscii"}, "VISCII");
  return t;
}

const LabelTable& label_table() {
  static const LabelTable table = build_label_table();
  return table;
}

// ---------------------------------------------------------------------------------------
// Byte statistics

struct Utf8Stats {
  std::size_t invalid = 0;     // ill-formed sequences (maximal subparts), not counting a cut tail
  std::size_t multibyte = 0;   // well-formed sequences of two or more bytes
  std::size_t high_bytes = 0;  // bytes >= 0x80
  bool cut_tail = false;       // the text ends inside a sequence
};

// One linear pass following Unicode's table 3-7 of well-formed byte sequences.
Utf8Stats scan_utf8(std::string_view s) {
  Utf8Stats st;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // Markup is mostly ASCII: eight bytes at a time while none has its high bit set.
    while (i + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, p + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t need = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      ++st.high_bytes;
      ++st.invalid;
      ++i;
      continue;
    }
    std::size_t j = 1;
    bool ok = true;
    for (; j <= need; ++j) {
      if (i + j >= n) break;
      const unsigned char c = p[i + j];
      const unsigned char min = (j == 1) ? lo : 0x80;
      const unsigned char max = (j == 1) ? hi : 0xBF;
      if (c < min || c > max) {
        ok = false;
        break;
      }
    }
    st.high_bytes += j;
    if (ok && j > need) {
      ++st.multibyte;
    } else if (!ok || i + j < n) {
      ++st.invalid;
    } else {
      st.cut_tail = true;  // cut by the end of the body (a size cap), not evidence
    }
    i += j;
  }
  return st;
}

bool is_utf16(std::string_view charset) { return charset == "UTF-16LE" || charset == "UTF-16BE"; }

// UTF-16 markup is mostly ASCII, so half its bytes are 0x00. Servers that say
// "charset=utf-16" over ASCII-compatible bytes are simply wrong.
bool looks_like_utf16(std::string_view body) {
  return body.substr(0, std::min(body.size(), kPrescanBytes)).find('\0') != std::string_view::npos;
}

bool is_multibyte(std::string_view charset) {
  return charset == "GB18030" || charset == "BIG5-HKSCS" || charset == "WINDOWS-31J" ||
         charset == "EUC-JP" || charset == "CP949" || charset == "EUC-TW";
}

// ---------------------------------------------------------------------------------------
// iconv decoding

std::optional<IconvHandle> open_to_utf8(const std::string& from) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  return IconvHandle(cd);
}

struct Decoded {
  std::string utf8{};
  std::size_t replacements = 0;  // U+FFFD inserted for bytes the charset rejected
  bool valid = false;            // known to be well-formed UTF-8 (else make_page checks)
};

// Bytes to drop after an ill-formed sequence. Double-byte encodings lose the lead and
// trail together, unless the trail is ASCII: then (as WHATWG decoders do) only the lead
// goes, so a stray lead byte cannot swallow a following '<' or quote.
std::size_t skip_length(std::string_view charset, const char* in, std::size_t left) {
  if (is_utf16(charset)) return std::min<std::size_t>(2, left);
  if (is_multibyte(charset) && left >= 2 && static_cast<unsigned char>(in[1]) >= 0x80 &&
      static_cast<unsigned char>(in[0]) >= 0x81 && static_cast<unsigned char>(in[0]) <= 0xFE) {
    return 2;
  }
  return 1;
}

// Some labels are served with bytes from a neighbouring table (Big5 pages with CP950-only
// punctuation such as A1FE). The fallback is tried one character at a time where the
// primary charset fails, before giving up with U+FFFD.
std::optional<std::string> fallback_for(std::string_view charset) {
  if (charset == "BIG5-HKSCS") return std::string("CP950");
  return std::nullopt;
}

// Converts one two-byte character with `cd`; returns the bytes consumed (2), or 0. Single
// bytes are left to U+FFFD: CP950 would turn a stray 0x80 into a C1 control.
std::size_t try_pair(void* cd, const char* in, std::size_t left, std::string& out) {
  if (left < 2) return 0;
  iconv(static_cast<iconv_t>(cd), nullptr, nullptr, nullptr, nullptr);
  std::array<char, 16> buf{};
  char* src = const_cast<char*>(in);
  std::size_t src_left = 2;
  char* dst = buf.data();
  std::size_t dst_left = buf.size();
  const std::size_t rc = iconv(static_cast<iconv_t>(cd), &src, &src_left, &dst, &dst_left);
  if (rc == static_cast<std::size_t>(-1) || src_left != 0) return 0;
  out.append(buf.data(), buf.size() - dst_left);
  return 2;
}

// Converts all of `body` from `charset`; never fails once the converter opens. Linear:
// each iconv call either consumes input, drains the output buffer, or is followed by
// skipping at least one byte.
std::optional<Decoded> convert(std::string_view body, const std::string& charset) {
  auto cd = open_to_utf8(charset);
  if (!cd) return std::nullopt;
  std::optional<IconvHandle> fallback;
  if (auto name = fallback_for(charset)) fallback = open_to_utf8(*name);

  Decoded result;
  result.utf8.reserve(body.size() + body.size() / 2);
  std::array<char, 64 * 1024> buf{};
  // iconv's prototype takes char** even though it never writes through the input.
  char* in = const_cast<char*>(body.data());
  std::size_t in_left = body.size();
  iconv_t handle = static_cast<iconv_t>(cd->get());

  auto drain = [&](bool flush_state) {
    for (;;) {
      char* out = buf.data();
      std::size_t out_left = buf.size();
      const std::size_t rc = flush_state ? iconv(handle, nullptr, nullptr, &out, &out_left)
                                         : iconv(handle, &in, &in_left, &out, &out_left);
      const int err = errno;
      result.utf8.append(buf.data(), buf.size() - out_left);
      if (rc != static_cast<std::size_t>(-1)) return 0;
      if (err != E2BIG) return err;
    }
  };

  while (in_left > 0) {
    const int err = drain(false);
    if (err == 0) break;
    if (err == EINVAL) {  // the input ends inside a character
      result.utf8.append(kReplacement);
      ++result.replacements;
      in += in_left;
      in_left = 0;
      break;
    }
    // EILSEQ (or anything unexpected): back to the initial shift state, then step past
    // the bad character.
    iconv(handle, nullptr, nullptr, nullptr, nullptr);
    if (fallback) {
      if (std::size_t used = try_pair(fallback->get(), in, in_left, result.utf8); used > 0) {
        in += used;
        in_left -= used;
        continue;
      }
    }
    const std::size_t skip = skip_length(charset, in, in_left);
    result.utf8.append(kReplacement);
    ++result.replacements;
    in += skip;
    in_left -= skip;
  }
  drain(true);
  return result;
}

// The bytes stay as they are here: make_page sanitises every result once, at the end.
Decoded decode_utf8(std::string_view body, const Utf8Stats& st) {
  return Decoded{.utf8 = std::string(body),
                 .replacements = st.invalid,
                 .valid = st.invalid == 0 && !st.cut_tail};
}

std::optional<Decoded> decode_as(std::string_view body, const std::string& charset) {
  if (charset == kUtf8) return decode_utf8(body, scan_utf8(body));
  return convert(body, charset);
}

// ---------------------------------------------------------------------------------------
// Prescan (WHATWG "prescan a byte stream to determine its encoding", simplified: it
// stops at the window's end rather than reading on for a tag that straddles it).

struct Attribute {
  std::string name{};
  std::string value{};
};

// WHATWG "get an attribute". Returns nullopt at '>' or at the end of the window.
std::optional<Attribute> next_attribute(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && (is_ascii_space(s[pos]) || s[pos] == '/')) ++pos;
  if (pos >= s.size() || s[pos] == '>') return std::nullopt;
  Attribute attr;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '=' && !attr.name.empty()) break;
    if (is_ascii_space(c)) break;
    if (c == '/' || c == '>') return attr;
    attr.name.push_back(to_lower(c));
    ++pos;
  }
  while (pos < s.size() && is_ascii_space(s[pos])) ++pos;
  if (pos >= s.size() || s[pos] != '=') return attr;
  ++pos;
  while (pos < s.size() && is_ascii_space(s[pos])) ++pos;
  if (pos >= s.size()) return attr;
  if (s[pos] == '"' || s[pos] == '\'') {
    const char quote = s[pos++];
    while (pos < s.size() && s[pos] != quote) attr.value.push_back(to_lower(s[pos++]));
    if (pos < s.size()) ++pos;
    return attr;
  }
  while (pos < s.size() && !is_ascii_space(s[pos]) && s[pos] != '>') {
    attr.value.push_back(to_lower(s[pos++]));
  }
  return attr;
}

// WHATWG "extract a character encoding from a meta element" (the content attribute).
std::optional<std::string> charset_from_meta_content(std::string_view content) {
  std::size_t pos = 0;
  for (;;) {
    const std::size_t at = content.find("charset", pos);
    if (at == std::string_view::npos) return std::nullopt;
    pos = at + 7;
    while (pos < content.size() && is_ascii_space(content[pos])) ++pos;
    if (pos < content.size() && content[pos] == '=') break;
  }
  ++pos;
  while (pos < content.size() && is_ascii_space(content[pos])) ++pos;
  if (pos >= content.size()) return std::nullopt;
  if (content[pos] == '"' || content[pos] == '\'') {
    const char quote = content[pos];
    const std::size_t end = content.find(quote, pos + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(content.substr(pos + 1, end - pos - 1));
  }
  std::size_t end = pos;
  while (end < content.size() && !is_ascii_space(content[end]) && content[end] != ';') ++end;
  return std::string(content.substr(pos, end - pos));
}

struct Sniffed {
  std::string charset{};
  std::string origin{};  // "meta" or "xml"
};

// `<?xml version="1.0" encoding="gb2312"?>` at the start of the document.
std::optional<Sniffed> sniff_xml_declaration(std::string_view window) {
  if (!window.starts_with("<?xml")) return std::nullopt;
  const std::size_t end = window.find("?>");
  const std::string_view decl = window.substr(0, end);
  std::size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return std::nullopt;
  pos += 8;
  while (pos < decl.size() && is_ascii_space(decl[pos])) ++pos;
  if (pos >= decl.size() || decl[pos] != '=') return std::nullopt;
  ++pos;
  while (pos < decl.size() && is_ascii_space(decl[pos])) ++pos;
  if (pos >= decl.size() || (decl[pos] != '"' && decl[pos] != '\'')) return std::nullopt;
  const char quote = decl[pos];
  const std::size_t close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return std::nullopt;
  auto charset = canonical_charset(decl.substr(pos + 1, close - pos - 1));
  if (!charset) return std::nullopt;
  // An XML declaration readable as ASCII cannot be in UTF-16.
  if (is_utf16(*charset)) charset = std::string(kUtf8);
  return Sniffed{.charset = *charset, .origin = "xml"};
}

std::optional<Sniffed> sniff_meta(std::string_view window) {
  std::size_t pos = 0;
  while (pos < window.size()) {
    const std::size_t lt = window.find('<', pos);
    if (lt == std::string_view::npos) return std::nullopt;
    pos = lt;
    const std::string_view rest = window.substr(pos);
    if (rest.starts_with("<!--")) {
      const std::size_t end = window.find("-->", pos + 4);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 3;
      continue;
    }
    if (starts_with_ci(rest, "<meta") && rest.size() > 5 &&
        (is_ascii_space(rest[5]) || rest[5] == '/')) {
      pos += 5;
      bool http_equiv_content_type = false;
      std::optional<std::string> charset_attr;
      std::optional<std::string> content_attr;
      while (auto attr = next_attribute(window, pos)) {
        if (attr->name == "http-equiv") {
          http_equiv_content_type = attr->value == "content-type";
        } else if (attr->name == "content" && !content_attr) {
          content_attr = attr->value;
        } else if (attr->name == "charset" && !charset_attr) {
          charset_attr = attr->value;
        }
      }
      if (pos >= window.size()) return std::nullopt;  // the tag runs past the window
      std::optional<std::string> label = charset_attr;
      if (!label && http_equiv_content_type && content_attr) {
        label = charset_from_meta_content(*content_attr);
      }
      if (label) {
        if (auto charset = canonical_charset(*label)) {
          if (is_utf16(*charset)) *charset = std::string(kUtf8);
          return Sniffed{.charset = *charset, .origin = "meta"};
        }
      }
      continue;
    }
    const bool tag_start =
        rest.size() > 1 &&
        (is_ascii_alpha(rest[1]) || (rest[1] == '/' && rest.size() > 2 && is_ascii_alpha(rest[2])));
    if (tag_start) {
      // Skip the tag name, then its attributes, so a quoted '>' or a
      // <script charset="utf-8"> attribute is not mistaken for anything.
      pos += rest[1] == '/' ? 2 : 1;
      while (pos < window.size() && !is_ascii_space(window[pos]) && window[pos] != '>') ++pos;
      while (next_attribute(window, pos)) {
      }
      ++pos;
      continue;
    }
    if (rest.starts_with("<!") || rest.starts_with("</") || rest.starts_with("<?")) {
      const std::size_t end = window.find('>', pos + 2);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 1;
      continue;
    }
    ++pos;
  }
  return std::nullopt;
}

std::optional<Sniffed> prescan(std::string_view body) {
  const std::string_view window = body.substr(0, std::min(body.size(), kPrescanBytes));
  if (auto xml = sniff_xml_declaration(window)) return xml;
  return sniff_meta(window);
}

// ---------------------------------------------------------------------------------------
// Detection

std::optional<std::string> detect_charset(std::string_view body) {
  UchardetHandle ud(uchardet_new());
  if (!ud) return std::nullopt;
  if (uchardet_handle_data(ud.get(), body.data(), body.size()) != 0) return std::nullopt;
  uchardet_data_end(ud.get());
  const char* name = uchardet_get_charset(ud.get());
  if (name == nullptr || *name == '\0') return std::nullopt;
  const std::string_view detected(name);
  if (detected == "ASCII") return std::string(kUtf8);
  if (auto charset = canonical_charset(detected)) return charset;
  // uchardet knows a few charsets WHATWG does not list; glibc may still have them.
  if (open_to_utf8(std::string(detected))) return std::string(detected);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Fit checks

// UTF-8 declared, but a real share (5%) of the non-ASCII bytes do not form UTF-8. A few
// bad sequences in a long UTF-8 page (a pasted legacy snippet, a cut character) do not
// count; in legacy text nearly every non-ASCII byte fails.
bool utf8_misfits(const Utf8Stats& st) {
  return st.invalid > 0 && st.invalid * 20 >= st.high_bytes;
}

// Non-ASCII text in a legacy charset is practically never well-formed UTF-8, so
// well-formed UTF-8 beats a legacy label when that label also fails on some bytes, or when
// there is plenty of UTF-8 (legacy decoders like GB18030 accept most byte pairs, so
// mislabelled UTF-8 often decodes without a single error, only as nonsense).
bool prefer_utf8_over_legacy(const Utf8Stats& st, std::size_t legacy_replacements) {
  if (st.invalid > 0 || st.multibyte == 0) return false;
  return legacy_replacements > 0 || st.multibyte >= 16;
}

// Private-use code points (U+E000..U+F8FF) in decoded text: legacy decoders produce them
// for user-defined byte ranges, which real pages hardly use but text in another charset
// hits often.
std::size_t count_private_use(std::string_view utf8) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 2 < utf8.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    const auto b1 = static_cast<unsigned char>(utf8[i + 1]);
    if (b0 == 0xEE || (b0 == 0xEF && b1 <= 0xA3)) ++n;
  }
  return n;
}

// How badly a legacy decode went: characters that could not be decoded or landed in
// private use.
std::size_t misfit_score(const Decoded& d) { return d.replacements + count_private_use(d.utf8); }

// The declared legacy charset failed on more than a stray share (1%) of the non-ASCII
// bytes. CJK legacy tables overlap so much that even text in the wrong one mostly
// "decodes" (GBK read as Big5 fails on about 2% of its bytes), so the bar is low; the
// detected charset replaces the declared one only if it does strictly better.
bool legacy_misfits(const Utf8Stats& st, std::size_t score) {
  return score >= 3 && score * 100 >= st.high_bytes;
}

// sanitize_utf8 is the identity on valid UTF-8 without NULs, which is what iconv and
// nearly every UTF-8 page give; checking first skips its byte-by-byte copy (a tenth of
// the whole pipeline's time on a GBK page, bench/README.md).
// `valid`: the caller's scan of these very bytes found them well-formed.
std::string sanitized(std::string text, bool valid) {
  if (text.find('\0') == std::string::npos) {
    if (valid) return text;
    // scan_utf8 follows the same table as is_valid_utf8, with an ASCII fast path.
    const Utf8Stats st = scan_utf8(text);
    if (st.invalid == 0 && !st.cut_tail) return text;
  }
  return sanitize_utf8(text);
}

DecodedPage make_page(Decoded decoded, std::string charset, std::string origin, bool suspect) {
  return DecodedPage{.utf8 = sanitized(std::move(decoded.utf8), decoded.valid),
                     .charset = std::move(charset),
                     .charset_origin = std::move(origin),
                     .charset_suspect = suspect};
}

struct Bom {
  std::string charset{};
  std::size_t length = 0;
};

std::optional<Bom> sniff_bom(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) return Bom{.charset = "UTF-8", .length = 3};
  if (body.starts_with("\xFF\xFE")) return Bom{.charset = "UTF-16LE", .length = 2};
  if (body.starts_with("\xFE\xFF")) return Bom{.charset = "UTF-16BE", .length = 2};
  return std::nullopt;
}

// Decodes with a charset the page declared (header, meta or xml) and checks that it fits.
std::optional<DecodedPage> decode_declared(std::string_view body, const std::string& charset,
                                           const std::string& origin, const Utf8Stats& st) {
  if (charset == kUtf8) {
    Decoded as_utf8 = decode_utf8(body, st);
    if (!utf8_misfits(st)) return make_page(std::move(as_utf8), charset, origin, false);
    // The header may be a server default while the page itself says what it is.
    std::optional<Sniffed> alternative;
    if (origin == "http") {
      if (auto sniffed = prescan(body); sniffed && sniffed->charset != kUtf8) alternative = sniffed;
    }
    if (!alternative) {
      if (auto detected = detect_charset(body); detected && *detected != kUtf8) {
        alternative = Sniffed{.charset = *detected, .origin = "detected"};
      }
    }
    if (alternative) {
      auto other = decode_as(body, alternative->charset);
      if (other && misfit_score(*other) < misfit_score(as_utf8)) {
        return make_page(std::move(*other), alternative->charset, alternative->origin, true);
      }
    }
    return make_page(std::move(as_utf8), charset, origin, true);
  }

  auto decoded = decode_as(body, charset);
  if (!decoded) return std::nullopt;  // glibc lacks it: let the next step decide
  if (prefer_utf8_over_legacy(st, decoded->replacements)) {
    std::string utf8_origin = "detected";
    if (auto sniffed = prescan(body); sniffed && sniffed->charset == kUtf8) {
      utf8_origin = sniffed->origin;
    }
    return make_page(decode_utf8(body, st), std::string(kUtf8), utf8_origin, true);
  }
  if (const std::size_t score = misfit_score(*decoded); legacy_misfits(st, score)) {
    // A gross mismatch (Big5 bytes labelled Shift_JIS, say): let uchardet have a go.
    if (auto detected = detect_charset(body); detected && *detected != charset) {
      auto other = decode_as(body, *detected);
      if (other && misfit_score(*other) < score) {
        return make_page(std::move(*other), *detected, "detected", true);
      }
    }
    return make_page(std::move(*decoded), charset, origin, true);
  }
  return make_page(std::move(*decoded), charset, origin, false);
}

}  // namespace

std::optional<std::string> canonical_charset(std::string_view label) {
  std::string_view s = trim(label);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = trim(s.substr(1, s.size() - 2));
  }
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string key(s);
  std::transform(key.begin(), key.end(), key.begin(), to_lower);
  const auto& table = label_table();
  if (auto it = table.find(key); it != table.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> charset_from_content_type(std::string_view content_type) {
  std::size_t pos = content_type.find(';');
  while (pos != std::string_view::npos) {
    const std::size_t next = content_type.find(';', pos + 1);
    std::string_view param = content_type.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    pos = next;
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = trim(param.substr(0, eq));
    if (name.size() != 7 || !starts_with_ci(name, "charset")) continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = trim(value.substr(1, value.size() - 2));
    }
    if (value.empty()) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

Result<DecodedPage> decode_to_utf8(std::string_view body, std::string_view content_type,
                                   const std::optional<std::string>& forced_charset) {
  const std::optional<Bom> bom = sniff_bom(body);

  if (forced_charset) {
    const auto charset = canonical_charset(*forced_charset);
    if (!charset) {
      return fail(ErrorCode::kDecode,
                  fmt::format("unknown charset '{}' in the source's config; use an encoding "
                              "label such as gbk, shift_jis, big5, euc-kr or utf-8",
                              *forced_charset));
    }
    std::string_view bytes = body;
    if (bom && bom->charset == *charset) bytes.remove_prefix(bom->length);
    auto decoded = decode_as(bytes, *charset);
    if (!decoded) {
      return fail(ErrorCode::kDecode,
                  fmt::format("charset '{}' (from the source's config) is not supported by "
                              "this system's iconv; pick another label for it",
                              *forced_charset));
    }
    // The operator's choice stands, but a charset that rejects the bytes is worth flagging.
    const bool suspect = decoded->replacements >= 3;
    return make_page(std::move(*decoded), *charset, "forced", suspect);
  }

  if (bom) {
    auto decoded = decode_as(body.substr(bom->length), bom->charset);
    if (decoded) return make_page(std::move(*decoded), bom->charset, "bom", false);
  }

  const Utf8Stats stats = scan_utf8(body);

  // A header that names a charset the bytes cannot be in does not stop the search, but
  // whatever is found instead is marked suspect.
  bool header_misfit = false;
  if (auto label = charset_from_content_type(content_type)) {
    if (auto charset = canonical_charset(*label)) {
      if (is_utf16(*charset) && !looks_like_utf16(body)) {
        header_misfit = true;
      } else if (auto page = decode_declared(body, *charset, "http", stats)) {
        return std::move(*page);
      }
    }
  }

  if (auto sniffed = prescan(body)) {
    if (auto page = decode_declared(body, sniffed->charset, sniffed->origin, stats)) {
      page->charset_suspect = page->charset_suspect || header_misfit;
      return std::move(*page);
    }
  }

  if (stats.high_bytes == 0) {
    return make_page(decode_utf8(body, stats), std::string(kUtf8), "default", header_misfit);
  }
  // Well-formed UTF-8 with real multi-byte text is decisive on its own, and much cheaper
  // than asking uchardet.
  if (stats.invalid == 0 && stats.multibyte > 0) {
    return make_page(decode_utf8(body, stats), std::string(kUtf8), "detected", header_misfit);
  }
  if (auto detected = detect_charset(body)) {
    if (auto decoded = decode_as(body, *detected)) {
      return make_page(std::move(*decoded), *detected, "detected", header_misfit);
    }
  }
  return make_page(decode_utf8(body, stats), std::string(kUtf8), "default", header_misfit);
}

}  // namespace herald
