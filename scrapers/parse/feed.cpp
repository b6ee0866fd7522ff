#include "scrapers/parse/feed.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/c_handles.h"
#include "common/text.h"

namespace herald {
namespace {

// c_handles.h has no owner for a parser context; it lives only inside this file.
using XmlParserCtxt = std::unique_ptr<xmlParserCtxt, CFree<xmlFreeParserCtxt>>;

constexpr std::size_t kMaxFeedBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxItems = 5000;
constexpr std::size_t kMaxFieldBytes = 64 * 1024;

// RELIABILITY.md C7/C8: never NOENT (reads local files even with NONET), DTDLOAD or HUGE
// (lifts the entity amplification limit). IGNORE_ENC: the text was decoded to UTF-8
// already, so the encoding="gb2312" still written in the declaration must not be obeyed.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                              XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA;

constexpr std::string_view kNsRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr std::string_view kNsRss10 = "http://purl.org/rss/1.0/";
constexpr std::string_view kNsRss090 = "http://my.netscape.com/rdf/simple/0.9/";
constexpr std::string_view kNsAtom10 = "http://www.w3.org/2005/Atom";
constexpr std::string_view kNsAtom03 = "http://purl.org/atom/ns#";
constexpr std::string_view kNsDc = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view kNsDcTerms = "http://purl.org/dc/terms/";
constexpr std::string_view kNsContent = "http://purl.org/rss/1.0/modules/content/";
constexpr std::string_view kNsXhtml = "http://www.w3.org/1999/xhtml";
constexpr std::string_view kNsItunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
constexpr std::string_view kNsMedia = "http://search.yahoo.com/mrss/";

// Atom 1.0, Atom 0.3, the pre-0.3 drafts (Echo, Pie, Necho) some old blogs still serve, and no
// namespace at all: a root <feed> means Atom whatever it declares.
constexpr std::array<std::string_view, 7> kAtomNamespaces = {
    kNsAtom10,
    kNsAtom03,
    "http://purl.org/echo/",
    "http://purl.org/pie/",
    "http://example.com/necho",
    "http://example.com/newformat#",
    "",
};

// Namespaces that RSS's own elements appear in: none (the usual case), RSS 1.0 / 0.90 for
// RDF feeds, and the UserLand/Harvard URIs some RSS 2.0 generators declared as default.
constexpr std::array<std::string_view, 7> kRssCoreNamespaces = {
    "",
    kNsRss10,
    kNsRss090,
    "http://backend.userland.com/rss",
    "http://backend.userland.com/rss2",
    "http://backend.userland.com/rss2.1",
    "http://blogs.law.harvard.edu/tech/rss",
};

std::string_view as_view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

std::string_view local_name(const xmlNode* node) { return as_view(node->name); }

std::string_view namespace_of(const xmlNode* node) {
  return node->ns == nullptr ? std::string_view() : as_view(node->ns->href);
}

bool is_rss_core_ns(std::string_view ns) {
  for (std::string_view core : kRssCoreNamespaces) {
    if (ns == core) {
      return true;
    }
  }
  return false;
}

bool is_atom_ns(std::string_view ns) {
  return std::find(kAtomNamespaces.begin(), kAtomNamespaces.end(), ns) != kAtomNamespaces.end();
}

bool is_element(const xmlNode* node, std::string_view name, std::string_view ns) {
  return node->type == XML_ELEMENT_NODE && local_name(node) == name && namespace_of(node) == ns;
}

bool is_rss_element(const xmlNode* node, std::string_view name) {
  return node->type == XML_ELEMENT_NODE && local_name(node) == name &&
         is_rss_core_ns(namespace_of(node));
}

bool is_atom_element(const xmlNode* node, std::string_view name) {
  return node->type == XML_ELEMENT_NODE && local_name(node) == name &&
         is_atom_ns(namespace_of(node));
}

// Only direct children count: an <image><title> must not stand in for the item's title.
template <typename Pred>
const xmlNode* first_child(const xmlNode* parent, Pred pred) {
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (pred(child)) {
      return child;
    }
  }
  return nullptr;
}

const xmlNode* rss_child(const xmlNode* parent, std::string_view name) {
  return first_child(parent, [name](const xmlNode* n) { return is_rss_element(n, name); });
}

const xmlNode* ns_child(const xmlNode* parent, std::string_view name, std::string_view ns) {
  return first_child(parent, [name, ns](const xmlNode* n) { return is_element(n, name, ns); });
}

const xmlNode* atom_child(const xmlNode* parent, std::string_view name) {
  return first_child(parent, [name](const xmlNode* n) { return is_atom_element(n, name); });
}

std::string attribute(const xmlNode* node, const char* name) {
  XmlString value(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name)));
  return std::string(as_view(value.get()));
}

std::string ns_attribute(const xmlNode* node, const char* name, std::string_view ns) {
  const std::string ns_z(ns);
  XmlString value(xmlGetNsProp(node, reinterpret_cast<const xmlChar*>(name),
                               reinterpret_cast<const xmlChar*>(ns_z.c_str())));
  return std::string(as_view(value.get()));
}

// ---------------------------------------------------------------------------------------
// HTML entities and text

struct NamedEntity {
  std::string_view name{};
  char32_t code_point = 0;
};

// The HTML 4 entity set (Python's html.entities.name2codepoint) plus XML's &apos;. Feeds
// written by HTML templates use any of them (&alpha;, &rarr;, &oelig;) with no DTD declaring
// them; the 2,000+ HTML5-only names are rare enough in feeds not to carry. Sorted by name
// (ASCII) for binary search; entities_sorted() below checks the order at compile time.
constexpr std::array<NamedEntity, 253> kNamedEntities = {{
    {"AElig", 0x00C6}, {"Aacute", 0x00C1}, {"Acirc", 0x00C2}, {"Agrave", 0x00C0},
    {"Alpha", 0x0391}, {"Aring", 0x00C5}, {"Atilde", 0x00C3}, {"Auml", 0x00C4}, {"Beta", 0x0392},
    {"Ccedil", 0x00C7}, {"Chi", 0x03A7}, {"Dagger", 0x2021}, {"Delta", 0x0394}, {"ETH", 0x00D0},
    {"Eacute", 0x00C9}, {"Ecirc", 0x00CA}, {"Egrave", 0x00C8}, {"Epsilon", 0x0395},
    {"Eta", 0x0397}, {"Euml", 0x00CB}, {"Gamma", 0x0393}, {"Iacute", 0x00CD}, {"Icirc", 0x00CE},
    {"Igrave", 0x00CC}, {"Iota", 0x0399}, {"Iuml", 0x00CF}, {"Kappa", 0x039A}, {"Lambda", 0x039B},
    {"Mu", 0x039C}, {"Ntilde", 0x00D1}, {"Nu", 0x039D}, {"OElig", 0x0152}, {"Oacute", 0x00D3},
    {"Ocirc", 0x00D4}, {"Ograve", 0x00D2}, {"Omega", 0x03A9}, {"Omicron", 0x039F},
    {"Oslash", 0x00D8}, {"Otilde", 0x00D5}, {"Ouml", 0x00D6}, {"Phi", 0x03A6}, {"Pi", 0x03A0},
    {"Prime", 0x2033}, {"Psi", 0x03A8}, {"Rho", 0x03A1}, {"Scaron", 0x0160}, {"Sigma", 0x03A3},
    {"THORN", 0x00DE}, {"Tau", 0x03A4}, {"Theta", 0x0398}, {"Uacute", 0x00DA}, {"Ucirc", 0x00DB},
    {"Ugrave", 0x00D9}, {"Upsilon", 0x03A5}, {"Uuml", 0x00DC}, {"Xi", 0x039E}, {"Yacute", 0x00DD},
    {"Yuml", 0x0178}, {"Zeta", 0x0396}, {"aacute", 0x00E1}, {"acirc", 0x00E2}, {"acute", 0x00B4},
    {"aelig", 0x00E6}, {"agrave", 0x00E0}, {"alefsym", 0x2135}, {"alpha", 0x03B1},
    {"amp", 0x0026}, {"and", 0x2227}, {"ang", 0x2220}, {"apos", 0x0027}, {"aring", 0x00E5},
    {"asymp", 0x2248},
    {"atilde", 0x00E3}, {"auml", 0x00E4}, {"bdquo", 0x201E}, {"beta", 0x03B2}, {"brvbar", 0x00A6},
    {"bull", 0x2022}, {"cap", 0x2229}, {"ccedil", 0x00E7}, {"cedil", 0x00B8}, {"cent", 0x00A2},
    {"chi", 0x03C7}, {"circ", 0x02C6}, {"clubs", 0x2663}, {"cong", 0x2245}, {"copy", 0x00A9},
    {"crarr", 0x21B5}, {"cup", 0x222A}, {"curren", 0x00A4}, {"dArr", 0x21D3}, {"dagger", 0x2020},
    {"darr", 0x2193}, {"deg", 0x00B0}, {"delta", 0x03B4}, {"diams", 0x2666}, {"divide", 0x00F7},
    {"eacute", 0x00E9}, {"ecirc", 0x00EA}, {"egrave", 0x00E8}, {"empty", 0x2205},
    {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x03B5}, {"equiv", 0x2261}, {"eta", 0x03B7},
    {"eth", 0x00F0}, {"euml", 0x00EB}, {"euro", 0x20AC}, {"exist", 0x2203}, {"fnof", 0x0192},
    {"forall", 0x2200}, {"frac12", 0x00BD}, {"frac14", 0x00BC}, {"frac34", 0x00BE},
    {"frasl", 0x2044}, {"gamma", 0x03B3}, {"ge", 0x2265}, {"gt", 0x003E}, {"hArr", 0x21D4},
    {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0x00ED},
    {"icirc", 0x00EE}, {"iexcl", 0x00A1}, {"igrave", 0x00EC}, {"image", 0x2111},
    {"infin", 0x221E}, {"int", 0x222B}, {"iota", 0x03B9}, {"iquest", 0x00BF}, {"isin", 0x2208},
    {"iuml", 0x00EF}, {"kappa", 0x03BA}, {"lArr", 0x21D0}, {"lambda", 0x03BB}, {"lang", 0x2329},
    {"laquo", 0x00AB}, {"larr", 0x2190}, {"lceil", 0x2308}, {"ldquo", 0x201C}, {"le", 0x2264},
    {"lfloor", 0x230A}, {"lowast", 0x2217}, {"loz", 0x25CA}, {"lrm", 0x200E}, {"lsaquo", 0x2039},
    {"lsquo", 0x2018}, {"lt", 0x003C}, {"macr", 0x00AF}, {"mdash", 0x2014}, {"micro", 0x00B5},
    {"middot", 0x00B7}, {"minus", 0x2212}, {"mu", 0x03BC}, {"nabla", 0x2207}, {"nbsp", 0x00A0},
    {"ndash", 0x2013}, {"ne", 0x2260}, {"ni", 0x220B}, {"not", 0x00AC}, {"notin", 0x2209},
    {"nsub", 0x2284}, {"ntilde", 0x00F1}, {"nu", 0x03BD}, {"oacute", 0x00F3}, {"ocirc", 0x00F4},
    {"oelig", 0x0153}, {"ograve", 0x00F2}, {"oline", 0x203E}, {"omega", 0x03C9},
    {"omicron", 0x03BF}, {"oplus", 0x2295}, {"or", 0x2228}, {"ordf", 0x00AA}, {"ordm", 0x00BA},
    {"oslash", 0x00F8}, {"otilde", 0x00F5}, {"otimes", 0x2297}, {"ouml", 0x00F6},
    {"para", 0x00B6}, {"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5}, {"phi", 0x03C6},
    {"pi", 0x03C0}, {"piv", 0x03D6}, {"plusmn", 0x00B1}, {"pound", 0x00A3}, {"prime", 0x2032},
    {"prod", 0x220F}, {"prop", 0x221D}, {"psi", 0x03C8}, {"quot", 0x0022}, {"rArr", 0x21D2},
    {"radic", 0x221A}, {"rang", 0x232A}, {"raquo", 0x00BB}, {"rarr", 0x2192}, {"rceil", 0x2309},
    {"rdquo", 0x201D}, {"real", 0x211C}, {"reg", 0x00AE}, {"rfloor", 0x230B}, {"rho", 0x03C1},
    {"rlm", 0x200F}, {"rsaquo", 0x203A}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"scaron", 0x0161},
    {"sdot", 0x22C5}, {"sect", 0x00A7}, {"shy", 0x00AD}, {"sigma", 0x03C3}, {"sigmaf", 0x03C2},
    {"sim", 0x223C}, {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286}, {"sum", 0x2211},
    {"sup", 0x2283}, {"sup1", 0x00B9}, {"sup2", 0x00B2}, {"sup3", 0x00B3}, {"supe", 0x2287},
    {"szlig", 0x00DF}, {"tau", 0x03C4}, {"there4", 0x2234}, {"theta", 0x03B8},
    {"thetasym", 0x03D1}, {"thinsp", 0x2009}, {"thorn", 0x00FE}, {"tilde", 0x02DC},
    {"times", 0x00D7}, {"trade", 0x2122}, {"uArr", 0x21D1}, {"uacute", 0x00FA}, {"uarr", 0x2191},
    {"ucirc", 0x00FB}, {"ugrave", 0x00F9}, {"uml", 0x00A8}, {"upsih", 0x03D2},
    {"upsilon", 0x03C5}, {"uuml", 0x00FC}, {"weierp", 0x2118}, {"xi", 0x03BE}, {"yacute", 0x00FD},
    {"yen", 0x00A5}, {"yuml", 0x00FF}, {"zeta", 0x03B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
}};

constexpr bool entities_sorted() {
  for (std::size_t i = 1; i < kNamedEntities.size(); ++i) {
    if (!(kNamedEntities[i - 1].name < kNamedEntities[i].name)) {
      return false;
    }
  }
  return true;
}
static_assert(entities_sorted());

const NamedEntity* find_entity(std::string_view name) {
  const auto* it = std::lower_bound(
      kNamedEntities.begin(), kNamedEntities.end(), name,
      [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  return it != kNamedEntities.end() && it->name == name ? &*it : nullptr;
}

// HTML maps &#128;..&#159; to Windows-1252, and old CMS output relies on it (&#146; for ’).
constexpr std::array<char32_t, 32> kWindows1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }

int hex_value(char c) {
  if (is_ascii_digit(c)) {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes the reference starting at s[0] == '&'. Returns the bytes consumed, 0 when it is not
// a complete reference we know (the '&' is then literal text).
std::size_t decode_reference(std::string_view s, std::string& out) {
  if (s.size() < 3) {
    return 0;
  }
  if (s[1] == '#') {
    const bool hex = s.size() > 2 && (s[2] == 'x' || s[2] == 'X');
    std::size_t i = hex ? 3 : 2;
    const std::size_t digits_start = i;
    std::uint32_t value = 0;
    while (i < s.size() && i - digits_start < 8) {
      const int d = hex ? hex_value(s[i]) : (is_ascii_digit(s[i]) ? s[i] - '0' : -1);
      if (d < 0) {
        break;
      }
      value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      ++i;
    }
    if (i == digits_start || i >= s.size() || s[i] != ';') {
      return 0;
    }
    char32_t cp = value;
    if (cp >= 0x80 && cp <= 0x9F) {
      cp = kWindows1252High[cp - 0x80];
    } else if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      cp = 0xFFFD;
    } else if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
      return i + 1;  // a control character carries no text: drop it
    }
    append_utf8(out, cp);
    return i + 1;
  }
  std::size_t i = 1;
  while (i < s.size() && i <= 8 && is_ascii_alnum(s[i])) {
    ++i;
  }
  if (i == 1 || i >= s.size() || s[i] != ';') {
    return 0;
  }
  const NamedEntity* entity = find_entity(s.substr(1, i - 1));
  if (entity == nullptr) {
    return 0;
  }
  append_utf8(out, entity->code_point);
  return i + 1;
}

// `prefix` must be lower-case ASCII.
bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = s[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::size_t find_ci(std::string_view s, std::string_view needle, std::size_t from) {
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i) {
    if (starts_with_ci(s.substr(i), needle)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Elements whose boundaries separate words; inline ones (<i>, <a>, <span>) must not, or
// "USS <i>Enterprise</i>" would gain spaces in the wrong places for CJK text.
bool is_block_element(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 27> kBlocks = {
      "p",  "br", "div", "li",  "ul",      "ol",      "h1",     "h2",     "h3",
      "h4", "h5", "h6",  "tr",  "td",      "th",      "table",  "hr",     "blockquote",
      "dd", "dt", "dl",  "pre", "section", "article", "header", "footer", "img",
  };
  for (std::string_view block : kBlocks) {
    if (lower_name == block) {
      return true;
    }
  }
  return false;
}

// Position of the '>' closing a tag whose name ends at `from`; quoted attribute values may
// contain '>'. Falls back to the first '>' when a quote is never closed (broken markup). The
// quote-aware scan is bounded so that many unclosed quotes cannot make this quadratic.
std::size_t tag_end(std::string_view html, std::size_t from) {
  constexpr std::size_t kMaxQuotedScan = 1024;
  char quote = 0;
  const std::size_t limit = std::min(html.size(), from + kMaxQuotedScan);
  for (std::size_t k = from; k < limit; ++k) {
    const char c = html[k];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return k;
    }
  }
  return html.find('>', from);
}

// ---------------------------------------------------------------------------------------
// Reading text out of the DOM

enum class TextKind { kText, kHtml, kXhtml, kBase64, kSkip };

void append_capped(std::string& out, std::string_view text) {
  // One byte over the cap lets truncate_utf8 see that the text was cut.
  const std::size_t room = kMaxFieldBytes + 1 > out.size() ? kMaxFieldBytes + 1 - out.size() : 0;
  out.append(text.substr(0, room));
}

// Concatenated text of a subtree. Elements are flattened (xhtml content); an entity reference
// left unexpanded (no DTD is loaded) is decoded when it is a known HTML name.
void collect_text(const xmlNode* node, std::string& out) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (out.size() > kMaxFieldBytes) {
      return;
    }
    switch (child->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        append_capped(out, as_view(child->content));
        break;
      case XML_ENTITY_REF_NODE:
        if (const NamedEntity* e = find_entity(local_name(child)); e != nullptr) {
          append_utf8(out, e->code_point);
        }
        break;
      case XML_ELEMENT_NODE: {
        const std::string name = to_lower_ascii(local_name(child));
        if (name == "script" || name == "style") {
          break;
        }
        const bool block = is_block_element(name);
        if (block) {
          out.push_back(' ');
        }
        // Depth is bounded: libxml2 refuses documents nested deeper than 256 without HUGE.
        collect_text(child, out);
        if (block) {
          out.push_back(' ');
        }
        break;
      }
      default:
        break;
    }
  }
}

// U+0080..U+009F are C1 controls nobody means; in feeds they are Windows-1252 punctuation that
// went through a Latin-1 decoder or a numeric reference (&#146; for ’), which libxml2 expands
// to U+0092 where HTML would give U+2019. Map them as HTML does; unmapped ones are dropped.
std::string c1_to_windows1252(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto next = i + 1 < utf8.size() ? static_cast<unsigned char>(utf8[i + 1]) : 0;
    if (static_cast<unsigned char>(utf8[i]) == 0xC2 && next >= 0x80 && next <= 0x9F) {
      const char32_t cp = kWindows1252High[next - 0x80];
      if (cp != 0xFFFD) {
        append_utf8(out, cp);
      }
      ++i;
      continue;
    }
    out.push_back(utf8[i]);
  }
  return out;
}

std::string clean(std::string_view text) {
  return collapse_whitespace(c1_to_windows1252(sanitize_utf8(text)));
}

// HTML tags or entity references in what should be plain text: feeds often escape their
// markup once too often, leaving "<b>" or "&amp;" in the unescaped text.
bool looks_like_html(std::string_view s) {
  const std::size_t last_gt = s.rfind('>');
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() &&
        (is_ascii_alpha(s[i + 1]) ||
         (s[i + 1] == '/' && i + 2 < s.size() && is_ascii_alpha(s[i + 2])))) {
      if (last_gt != std::string_view::npos && last_gt > i) {
        return true;
      }
    } else if (s[i] == '&') {
      std::string ignored;
      if (decode_reference(s.substr(i), ignored) > 0) {
        return true;
      }
    }
  }
  return false;
}

// RFC 4648 base64; whitespace is skipped and decoding stops at the first '=' or foreign byte.
std::string decode_base64(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (is_ascii_digit(c)) {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    } else {
      break;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// Text that came out of base64: only UTF-8 without control characters is text at all (an
// image or a PDF payload is not a summary).
bool is_plain_utf8_text(std::string_view s) {
  if (!is_valid_utf8(s)) {
    return false;
  }
  return std::none_of(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
           c == 0x7F;
  });
}

std::string text_of(const xmlNode* node, TextKind kind) {
  if (node == nullptr || kind == TextKind::kSkip) {
    return {};
  }
  std::string raw;
  collect_text(node, raw);
  raw = truncate_utf8(raw, kMaxFieldBytes);
  if (kind == TextKind::kBase64) {
    raw = decode_base64(raw);
    if (!is_plain_utf8_text(raw)) {
      return {};
    }
    return clean(looks_like_html(raw) ? html_fragment_to_text(raw) : raw);
  }
  if (kind == TextKind::kHtml) {
    return clean(html_fragment_to_text(raw));
  }
  return clean(raw);
}

// Plain-text fields of RSS (titles) that some generators fill with escaped HTML anyway.
std::string sniffed_text_of(const xmlNode* node) {
  if (node == nullptr) {
    return {};
  }
  std::string raw;
  collect_text(node, raw);
  raw = truncate_utf8(raw, kMaxFieldBytes);
  return clean(looks_like_html(raw) ? html_fragment_to_text(raw) : raw);
}

// Atom 1.0 type="text|html|xhtml|<mime>", Atom 0.3 type="<mime>" mode="xml|escaped|base64".
TextKind atom_text_kind(const xmlNode* node) {
  const std::string type = to_lower_ascii(attribute(node, "type"));
  const std::string mode = to_lower_ascii(attribute(node, "mode"));
  if (!attribute(node, "src").empty()) {
    return TextKind::kSkip;
  }
  if (mode == "base64") {
    return TextKind::kBase64;
  }
  if (type.empty() || type == "text" || type == "text/plain") {
    return mode == "escaped" && type.empty() ? TextKind::kHtml : TextKind::kText;
  }
  if (type == "html" || type == "text/html") {
    return TextKind::kHtml;
  }
  if (type == "xhtml" || type == "application/xhtml+xml") {
    return mode == "escaped" ? TextKind::kHtml : TextKind::kXhtml;
  }
  if (type.ends_with("+xml") || type.ends_with("/xml")) {
    return TextKind::kXhtml;
  }
  if (type.starts_with("text/")) {
    return TextKind::kText;
  }
  return TextKind::kBase64;  // other media types are base64 in Atom 1.0
}

std::string atom_text(const xmlNode* node) {
  return node == nullptr ? std::string() : text_of(node, atom_text_kind(node));
}

bool has_xml_base_in_scope(const xmlNode* node) {
  for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    if (xmlHasNsProp(n, reinterpret_cast<const xmlChar*>("base"), XML_XML_NAMESPACE) != nullptr) {
      return true;
    }
  }
  return false;
}

// The xml:base in force at `node`, or "" when no element up the tree sets one (the page URL
// is then the base, which the normaliser knows and this parser does not).
std::string base_of(const xmlDoc* doc, const xmlNode* node) {
  if (!has_xml_base_in_scope(node)) {
    return {};
  }
  XmlString base(xmlNodeGetBase(doc, node));
  return clean(truncate_utf8(as_view(base.get()), kMaxFieldBytes));
}

bool looks_like_http_url(std::string_view s) {
  return starts_with_ci(s, "http://") || starts_with_ci(s, "https://");
}

// The first of `nodes` with any text: an empty <description/> must not hide content:encoded.
std::string first_text(std::initializer_list<const xmlNode*> nodes, TextKind kind) {
  for (const xmlNode* n : nodes) {
    std::string text = text_of(n, kind);
    if (!text.empty()) {
      return text;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// RSS 0.9x/2.0 and RSS 1.0

// Media RSS elements sit on the item or inside its <media:group>.
const xmlNode* media_child(const xmlNode* item, std::string_view name) {
  const xmlNode* direct = ns_child(item, name, kNsMedia);
  if (direct != nullptr) {
    return direct;
  }
  const xmlNode* group = ns_child(item, "group", kNsMedia);
  return group == nullptr ? nullptr : ns_child(group, name, kNsMedia);
}

// Podcast and video feeds often carry their only title or description in these.
std::string media_title(const xmlNode* item) { return sniffed_text_of(media_child(item, "title")); }

// Apple's own examples spell the iTunes namespace both "dtds" and "DTDs".
const xmlNode* itunes_child(const xmlNode* item, std::string_view name) {
  return first_child(item, [name](const xmlNode* n) {
    return n->type == XML_ELEMENT_NODE && local_name(n) == name &&
           to_lower_ascii(namespace_of(n)) == kNsItunes;
  });
}

std::string fallback_summary(const xmlNode* item) {
  std::string summary = text_of(itunes_child(item, "summary"), TextKind::kText);
  return summary.empty() ? sniffed_text_of(media_child(item, "description")) : summary;
}

std::string rss_title(const xmlNode* parent) {
  std::string title = sniffed_text_of(rss_child(parent, "title"));
  return title.empty() ? sniffed_text_of(ns_child(parent, "title", kNsDc)) : title;
}

RawItem read_rss_item(const xmlDoc* doc, const xmlNode* item) {
  RawItem out;
  out.title = rss_title(item);
  if (out.title.empty()) {
    out.title = media_title(item);
  }

  const xmlNode* link_node = rss_child(item, "link");
  out.link = text_of(link_node, TextKind::kText);

  const xmlNode* guid_node = rss_child(item, "guid");
  out.guid = text_of(guid_node, TextKind::kText);
  const std::string about =
      clean(truncate_utf8(ns_attribute(item, "about", kNsRdf), kMaxFieldBytes));
  if (out.link.empty() && guid_node != nullptr && attribute(guid_node, "isPermaLink") != "false" &&
      looks_like_http_url(out.guid)) {
    out.link = out.guid;
    link_node = guid_node;
  }
  if (out.link.empty() && !about.empty()) {
    out.link = about;
    link_node = nullptr;
  }
  if (out.guid.empty()) {
    out.guid = about;
  }

  out.date_text =
      first_text({rss_child(item, "pubDate"), ns_child(item, "date", kNsDc),
                  ns_child(item, "issued", kNsDcTerms), ns_child(item, "created", kNsDcTerms),
                  ns_child(item, "modified", kNsDcTerms)},
                 TextKind::kText);

  // RSS descriptions are HTML by definition (usually entity-escaped), and so is the old
  // <fullitem>; xhtml:body (or a bare <body>) is inline XHTML whose text is all we want.
  out.summary = first_text({rss_child(item, "description"), ns_child(item, "description", kNsDc),
                            ns_child(item, "encoded", kNsContent), rss_child(item, "fullitem")},
                           TextKind::kHtml);
  if (out.summary.empty()) {
    out.summary = first_text({ns_child(item, "body", kNsXhtml), rss_child(item, "body")},
                             TextKind::kXhtml);
  }
  if (out.summary.empty()) {
    out.summary = fallback_summary(item);
  }

  out.base_url = base_of(doc, link_node != nullptr ? link_node : item);
  return out;
}

void read_rss_items(const xmlDoc* doc, const xmlNode* parent, std::vector<RawItem>& items) {
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (items.size() >= kMaxItems) {
      return;
    }
    if (is_rss_element(child, "item")) {
      items.push_back(read_rss_item(doc, child));
    }
  }
}

Feed read_rss(const xmlDoc* doc, const xmlNode* root, FeedFormat format) {
  Feed feed;
  feed.format = format;
  const xmlNode* channel = rss_child(root, "channel");
  if (channel != nullptr) {
    feed.title = rss_title(channel);
    feed.link = text_of(rss_child(channel, "link"), TextKind::kText);
    // RSS 0.9x/2.0 nest items in <channel>; RSS 1.0 makes them siblings of it.
    read_rss_items(doc, channel, feed.items);
  }
  // Loose generators put items straight under the root in RSS too.
  read_rss_items(doc, root, feed.items);
  return feed;
}

// ---------------------------------------------------------------------------------------
// Atom 1.0 and 0.3

// rel="alternate", or no rel (which means alternate); the first one in document order.
const xmlNode* atom_alternate_link(const xmlNode* parent) {
  return first_child(parent, [](const xmlNode* n) {
    if (!is_atom_element(n, "link")) {
      return false;
    }
    const std::string rel = to_lower_ascii(clean(attribute(n, "rel")));
    return rel.empty() || rel == "alternate";
  });
}

std::string atom_link_href(const xmlNode* link) {
  if (link == nullptr) {
    return {};
  }
  std::string href = clean(truncate_utf8(attribute(link, "href"), kMaxFieldBytes));
  return href.empty() ? text_of(link, TextKind::kText) : href;
}

RawItem read_atom_entry(const xmlDoc* doc, const xmlNode* entry) {
  RawItem out;
  out.title = atom_text(atom_child(entry, "title"));
  if (out.title.empty()) {
    out.title = media_title(entry);
  }
  const xmlNode* link = atom_alternate_link(entry);
  out.link = atom_link_href(link);
  out.date_text = first_text(
      {atom_child(entry, "published"), atom_child(entry, "issued"), atom_child(entry, "created"),
       atom_child(entry, "updated"), atom_child(entry, "modified"), ns_child(entry, "date", kNsDc)},
      TextKind::kText);
  out.summary = atom_text(atom_child(entry, "summary"));
  if (out.summary.empty()) {
    out.summary = atom_text(atom_child(entry, "content"));
  }
  if (out.summary.empty()) {
    out.summary = fallback_summary(entry);
  }
  out.guid = text_of(atom_child(entry, "id"), TextKind::kText);
  out.base_url = base_of(doc, link != nullptr ? link : entry);
  return out;
}

Feed read_atom(const xmlDoc* doc, const xmlNode* root) {
  Feed feed;
  feed.format = FeedFormat::kAtom;
  feed.title = atom_text(atom_child(root, "title"));
  feed.link = atom_link_href(atom_alternate_link(root));
  for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (feed.items.size() >= kMaxItems) {
      break;
    }
    if (is_atom_element(child, "entry")) {
      feed.items.push_back(read_atom_entry(doc, child));
    }
  }
  return feed;
}

// ---------------------------------------------------------------------------------------
// Parsing

// True when the DOCTYPE in the prolog has an internal subset that declares an entity. Checked
// before parsing so that entity bombs cost nothing; the parsed DTD is checked again after.
bool prolog_declares_entities(std::string_view text) {
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("<?")) {
      const std::size_t end = text.find("?>", i + 2);
      if (end == std::string_view::npos) {
        return false;
      }
      i = end + 2;
    } else if (rest.starts_with("<!--")) {
      const std::size_t end = text.find("-->", i + 4);
      if (end == std::string_view::npos) {
        return false;
      }
      i = end + 3;
    } else if (rest.starts_with("<!DOCTYPE")) {
      const std::size_t open = text.find('[', i);
      const std::size_t close = text.find('>', i);
      if (open == std::string_view::npos || close < open) {
        return false;  // no internal subset
      }
      const std::size_t entity = text.find("<!ENTITY", open);
      const std::size_t subset_end = text.find("]>", open);
      return entity != std::string_view::npos && entity < subset_end;
    } else {
      return false;  // the root element: the prolog is over
    }
  }
  return false;
}

bool dtd_declares_entities(const xmlDoc* doc) {
  if (doc->intSubset == nullptr) {
    return false;
  }
  for (const xmlNode* n = doc->intSubset->children; n != nullptr; n = n->next) {
    if (n->type == XML_ENTITY_DECL) {
      return true;
    }
  }
  return doc->intSubset->entities != nullptr || doc->intSubset->pentities != nullptr;
}

// Rewrites entity references as character references: "&amp;" -> "&#38;", "&nbsp;" ->
// "&#160;". Used only after a strict parse failed, for two reasons: feeds written by HTML
// templates use &nbsp; and friends with no DTD declaring them (fatal in XML), and in recovery
// mode libxml2 silently drops every entity reference after the first error, even &amp; and
// &lt; (escaped HTML would lose its angle brackets), while character references survive.
// CDATA sections, comments and processing instructions are copied untouched.
std::string entity_refs_to_char_refs(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t i = 0;
  auto copy_through = [&](std::string_view terminator) {
    const std::size_t end = text.find(terminator, i);
    const std::size_t stop = end == std::string_view::npos ? text.size() : end + terminator.size();
    out.append(text.substr(i, stop - i));
    i = stop;
  };
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("<![CDATA[")) {
      copy_through("]]>");
    } else if (rest.starts_with("<!--")) {
      copy_through("-->");
    } else if (rest.starts_with("<?")) {
      copy_through("?>");
    } else if (rest.starts_with("&#X")) {
      out.append("&#x");  // HTML accepts the upper-case X, XML does not
      i += 3;
    } else if (rest[0] == '&' && rest.size() > 1 && is_ascii_alpha(rest[1])) {
      std::size_t end = 1;
      while (end < rest.size() && end <= 8 && is_ascii_alnum(rest[end])) {
        ++end;
      }
      const NamedEntity* entity =
          end < rest.size() && rest[end] == ';' ? find_entity(rest.substr(1, end - 1)) : nullptr;
      if (entity != nullptr) {
        out.append(fmt::format("&#{};", static_cast<std::uint32_t>(entity->code_point)));
        i += end + 1;
      } else {
        // A bare '&' ("?a=1&b=2", "&doesnotexist;") is text: escaped, recovery keeps it.
        out.append("&#38;");
        ++i;
      }
    } else if (rest[0] == '&' && !rest.starts_with("&#")) {
      out.append("&#38;");  // "AT&T", "& more"
      ++i;
    } else {
      out.push_back(rest[0]);
      ++i;
    }
  }
  return out;
}

std::string last_error_text(const xmlParserCtxt* ctxt) {
  const xmlError& error = ctxt->lastError;
  if (error.message == nullptr) {
    return "unknown error";
  }
  return fmt::format("line {}: {}", error.line, clean(error.message));
}

Error entities_refused() {
  return Error{ErrorCode::kFeedInvalid, "feed declares entities in a DOCTYPE; refused", false};
}

}  // namespace

std::string html_fragment_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      const std::size_t used = decode_reference(html.substr(i), out);
      if (used == 0) {
        out.push_back('&');
        ++i;
      } else {
        i += used;
      }
      continue;
    }
    if (c != '<') {
      out.push_back(c);
      ++i;
      continue;
    }
    const std::string_view rest = html.substr(i);
    if (rest.starts_with("<!--")) {
      const std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    // <!DOCTYPE ...>, <![CDATA[...]]> leftovers and <?xml ...?> carry no text.
    if ((rest.size() > 2 && rest[1] == '!' && (is_ascii_alpha(rest[2]) || rest[2] == '[')) ||
        rest.starts_with("<?")) {
      const std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) {
        out.append(rest);
        break;
      }
      i = end + 1;
      continue;
    }
    const bool closing = rest.size() > 1 && rest[1] == '/';
    const std::size_t name_start = i + (closing ? 2 : 1);
    if (name_start >= html.size() || !is_ascii_alpha(html[name_start])) {
      out.push_back('<');  // "1 < 2", "<-": text, not a tag
      ++i;
      continue;
    }
    std::size_t name_end = name_start;
    while (name_end < html.size() &&
           (is_ascii_alnum(html[name_end]) || html[name_end] == '-' || html[name_end] == ':')) {
      ++name_end;
    }
    const std::size_t end = tag_end(html, name_end);
    if (end == std::string_view::npos) {
      out.append(rest);  // an unterminated tag is more likely text than markup
      break;
    }
    std::string name = to_lower_ascii(html.substr(name_start, name_end - name_start));
    if (const std::size_t colon = name.rfind(':'); colon != std::string::npos) {
      name.erase(0, colon + 1);
    }
    i = end + 1;
    if (!closing && (name == "script" || name == "style")) {
      const std::size_t close = find_ci(html, "</" + name, i);
      if (close == std::string_view::npos) {
        break;
      }
      const std::size_t close_end = html.find('>', close);
      i = close_end == std::string_view::npos ? html.size() : close_end + 1;
      continue;
    }
    if (is_block_element(name)) {
      out.push_back(' ');
    }
  }
  return out;
}

Result<Feed> parse_feed(std::string_view input) {
  // The decode stage promises UTF-8, but libxml2 meeting one bad byte may fall back to
  // Latin-1 for the rest of the document, garbling every CJK title after it.
  // Sanitising can triple the size (one bad byte becomes U+FFFD) and the entity rewrite can
  // quintuple it (a bare "&" -> "&#38;"), so libxml2's int length cannot overflow.
  static_assert(3 * 5 * kMaxFeedBytes <= static_cast<std::size_t>(INT_MAX));
  if (input.size() > kMaxFeedBytes) {
    return fail(ErrorCode::kFeedInvalid,
                fmt::format("feed is {} bytes; refusing anything over {} bytes", input.size(),
                            kMaxFeedBytes));
  }
  std::string sanitized;
  std::string_view utf8 = input;
  if (!is_valid_utf8(input)) {
    sanitized = sanitize_utf8(input);
    utf8 = sanitized;
  }
  if (utf8.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return fail(ErrorCode::kFeedInvalid, "empty document: not an RSS or Atom feed");
  }
  if (prolog_declares_entities(utf8)) {
    return fail(entities_refused());
  }

  // Initialises libxml2's globals once; later calls from any thread find them ready.
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;

  // A context of our own (not the global error handler) keeps libxml2 quiet: with NOERROR
  // and NOWARNING its error channels are null, so nothing reaches stderr.
  XmlParserCtxt ctxt(xmlNewParserCtxt());
  if (ctxt == nullptr) {
    return fail(ErrorCode::kInternal, "libxml2 could not allocate a parser context");
  }
  auto read = [&ctxt](std::string_view text, int options) {
    return XmlDoc(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), nullptr,
                                    "UTF-8", options));
  };
  XmlDoc doc = read(utf8, kParseOptions);
  if (doc == nullptr) {
    const std::string strict_error = last_error_text(ctxt.get());
    const std::string rewritten = entity_refs_to_char_refs(utf8);
    if (rewritten != utf8) {
      doc = read(rewritten, kParseOptions);
    }
    if (doc == nullptr) {
      // Real feeds are often slightly broken (a description cut inside "&#2"); take what
      // recovery salvages as long as it has a root element.
      doc = read(rewritten, kParseOptions | XML_PARSE_RECOVER);
    }
    if (doc == nullptr || xmlDocGetRootElement(doc.get()) == nullptr) {
      // An HTML page where a feed was expected (the feed URL moved, a login wall) is a
      // different fix for the operator than a broken feed, so say which it is.
      if (find_ci(utf8.substr(0, 1024), "<html", 0) != std::string_view::npos) {
        return fail(ErrorCode::kFeedInvalid,
                    "not an RSS or Atom document: root element <html> (an HTML page)");
      }
      return fail(ErrorCode::kFeedInvalid, "feed is not well-formed XML: " + strict_error);
    }
  }
  if (dtd_declares_entities(doc.get())) {
    return fail(entities_refused());
  }

  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) {
    return fail(ErrorCode::kFeedInvalid, "feed has no root element");
  }
  const std::string_view name = local_name(root);
  const std::string_view ns = namespace_of(root);
  if (name == "rss" && is_rss_core_ns(ns)) {
    return read_rss(doc.get(), root, FeedFormat::kRss);
  }
  if (name == "RDF" && ns == kNsRdf && first_child(root, [](const xmlNode* n) {
                                         return is_element(n, "channel", kNsRss10) ||
                                                is_element(n, "item", kNsRss10) ||
                                                is_element(n, "channel", kNsRss090) ||
                                                is_element(n, "item", kNsRss090);
                                       }) != nullptr) {
    return read_rss(doc.get(), root, FeedFormat::kRdf);
  }
  if (name == "feed" && is_atom_ns(ns)) {
    return read_atom(doc.get(), root);
  }
  return fail(ErrorCode::kFeedInvalid, fmt::format("not an RSS or Atom document: root element <{}>",
                                                   clean(truncate_utf8(name, 64))));
}

}  // namespace herald
