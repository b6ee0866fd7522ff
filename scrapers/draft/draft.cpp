#include "scrapers/draft/draft.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/curl_handles.h"
#include "scrapers/fetch/retry_after.h"

namespace herald {
namespace {

using json = nlohmann::json;

// The answer's text (title + summary) is a few hundred characters; anything near this is a
// runaway model or not a model at all.
constexpr std::size_t kMaxAnswerBytes = 256 * 1024;
// A streamed answer carries a JSON envelope of ~200 bytes per token, so the raw response
// may be many times the text it carries.
constexpr std::size_t kMaxResponseBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxErrorDetail = 300;  // bytes of a server's error text quoted
constexpr long kMaxConnectSeconds = 10;

// Extractive summaries: about what editors write, in characters (code points).
constexpr std::size_t kCjkSummaryChars = 400;
constexpr std::size_t kLatinSummaryChars = 900;
constexpr std::size_t kMaxLeadSentences = 5;
constexpr std::size_t kMinSentenceChars = 6;  // shorter fragments are menus, labels, dates

constexpr std::string_view kPromptSeparator = "---";

// kDefaultPrompt: config/draft_prompt.txt as shipped, generated at configure time.
#include "scrapers/draft/default_prompt.inc"

// ---- UTF-8 -------------------------------------------------------------------------------

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The code point at text[i] and its length in bytes; a malformed byte counts as one
// character of its own (U+FFFD), so a bad byte never swallows its neighbours.
std::pair<char32_t, std::size_t> decode_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t length = 1;
  char32_t code = c;
  if (c >= 0xF0 && c < 0xF8) {
    length = 4;
    code = c & 0x07;
  } else if (c >= 0xE0) {
    length = c < 0xF0 ? 3 : 1;
    code = c & 0x0F;
  } else if (c >= 0xC0) {
    length = 2;
    code = c & 0x1F;
  } else if (c >= 0x80) {
    return {U'\uFFFD', 1};
  }
  if (length == 1) {
    return {c < 0x80 ? code : U'\uFFFD', 1};
  }
  if (i + length > text.size()) {
    return {U'\uFFFD', 1};
  }
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if (!is_continuation(next)) {
      return {U'\uFFFD', 1};
    }
    code = (code << 6) | (next & 0x3F);
  }
  return {code, length};
}

std::size_t count_chars(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); i += decode_at(text, i).second) {
    ++n;
  }
  return n;
}

bool is_cjk(char32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) ||   // kana
         (c >= 0x3400 && c <= 0x4DBF) ||   // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||   // CJK unified ideographs
         (c >= 0xAC00 && c <= 0xD7AF) ||   // hangul
         (c >= 0xF900 && c <= 0xFAFF);     // compatibility ideographs
}

bool is_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\f' || c == U'\v' ||
         c == 0x00A0 || c == 0x3000 || c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(first, last - first + 1);
}

// Printable one-line text for an error message (a server's error body may hold anything).
std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
  }
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && is_continuation(static_cast<unsigned char>(out[cut]))) {
      --cut;
    }
    out.resize(cut);
    out += "…";
  }
  return out;
}

// ---- prompt ------------------------------------------------------------------------------

// Page text goes between <<< and >>> in the user message; a page cannot close its block
// early or open a new one.
std::string neutralise_delimiters(std::string_view text) {
  std::string out(text);
  for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"<<<", "<<‹"},
                                 std::pair<std::string_view, std::string_view>{">>>", ">>›"}}) {
    for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, at)) {
      out.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return out;
}

// Fills {{name}} placeholders in one pass: a value that itself contains "{{title}}" is
// never expanded again. Unknown placeholders are left as written.
std::string fill_placeholders(std::string_view text,
                              const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      break;
    }
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      break;
    }
    const std::string_view name = trim(text.substr(open + 2, close - open - 2));
    const auto found = std::find_if(values.begin(), values.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    out.append(text.substr(i, open - i));
    if (found == values.end()) {
      out.append(text.substr(open, close + 2 - open));
    } else {
      out.append(found->second);
    }
    i = close + 2;
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

// The user part used when a prompt file has no "---" line.
constexpr std::string_view kDefaultUserPart =
    "来源：{{source}}\n来源名称：{{publisher}}\n原文语言：{{language}}\n发布日期：{{published}}\n"
    "链接：{{url}}\n\n原标题：\n<<<\n{{title}}\n>>>\n\n列表摘要：\n<<<\n{{summary}}\n>>>\n\n"
    "正文：\n<<<\n{{article}}\n>>>\n";

// ---- the answer --------------------------------------------------------------------------

DraftError permanent(std::string message) {
  return DraftError{DraftErrorKind::kPermanent, std::move(message), std::nullopt};
}

DraftError transient(std::string message,
                     std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  return DraftError{DraftErrorKind::kTransient, std::move(message), retry_after};
}

// Reasoning models (DeepSeek-R1, Qwen3) may put their thinking before the answer.
std::string drop_thinking(std::string_view content) {
  std::string out(content);
  for (std::size_t open = out.find("<think>"); open != std::string::npos;
       open = out.find("<think>", open)) {
    const std::size_t close = out.find("</think>", open);
    if (close == std::string::npos) {
      out.erase(open);
      break;
    }
    out.erase(open, close + 8 - open);
  }
  return out;
}

// The text inside the first ``` fence (```json or bare), or the whole text without one.
std::string_view unfence(std::string_view text) {
  const std::size_t open = text.find("```");
  if (open == std::string_view::npos) {
    return text;
  }
  const std::size_t line_end = text.find('\n', open);
  if (line_end == std::string_view::npos) {
    return text;
  }
  const std::size_t close = text.find("```", line_end);
  return text.substr(line_end + 1,
                     close == std::string_view::npos ? std::string_view::npos : close - line_end - 1);
}

std::optional<std::string> string_field(const json& object,
                                        std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto it = object.find(name);
    if (it != object.end() && it->is_string()) {
      return std::string(trim(it->get_ref<const std::string&>()));
    }
  }
  return std::nullopt;
}

// "标题：…" / "Title: …" / "# …" labels a model may put in a plain-text answer.
std::string_view drop_label(std::string_view line,
                            std::initializer_list<std::string_view> labels) {
  line = trim(line);
  while (!line.empty() && (line.front() == '#' || line.front() == '*')) {
    line.remove_prefix(1);
  }
  while (!line.empty() && line.back() == '*') {
    line.remove_suffix(1);
  }
  line = trim(line);
  for (const std::string_view label : labels) {
    if (line.substr(0, label.size()) == label) {
      line.remove_prefix(label.size());
      for (const std::string_view colon : {"：", ":"}) {
        if (line.substr(0, colon.size()) == colon) {
          line.remove_prefix(colon.size());
          break;
        }
      }
      return trim(line);
    }
  }
  return line;
}

// ---- HTTP --------------------------------------------------------------------------------

struct Exchange {
  std::string body{};
  std::optional<std::string> retry_after{};
  bool too_large = false;
  const std::atomic<bool>* cancel = nullptr;
  bool cancelled = false;
};

// libcurl calls this at least once a second while a transfer runs, waiting included.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  auto* exchange = static_cast<Exchange*>(user);
  if (exchange->cancel != nullptr && exchange->cancel->load()) {
    exchange->cancelled = true;
    return 1;  // aborts the transfer (CURLE_ABORTED_BY_CALLBACK)
  }
  return 0;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange->body.size() + bytes > kMaxResponseBytes) {
    exchange->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  try {
    exchange->body.append(data, bytes);
  } catch (...) {  // no exception crosses libcurl
    return 0;
  }
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  const std::string_view line(data, bytes);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size(); ++i) {
      const char c = line[i];
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      match = match && lower == kName[i];
    }
    if (match) {
      try {
        exchange->retry_after = std::string(trim(line.substr(kName.size())));
      } catch (...) {
        return 0;
      }
    }
  }
  return bytes;
}

// The server's own words about a refused request: {"error":{"message":…}} (OpenAI, vLLM),
// {"error":"…"} (Ollama), or the body itself; never the key, even if a server echoes it.
std::string error_detail(std::string_view body, const std::string& api_key) {
  std::string detail;
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    const auto error = parsed.find("error");
    if (error != parsed.end() && error->is_string()) {
      detail = error->get<std::string>();
    } else if (error != parsed.end() && error->is_object()) {
      detail = string_field(*error, {"message"}).value_or("");
    } else {
      detail = string_field(parsed, {"message", "detail"}).value_or("");
    }
  }
  if (detail.empty()) {
    detail = std::string(trim(body));
  }
  if (!api_key.empty()) {
    for (std::size_t at = detail.find(api_key); at != std::string::npos;
         at = detail.find(api_key, at)) {
      detail.replace(at, api_key.size(), "***");
    }
  }
  detail = one_line(detail, kMaxErrorDetail);
  return detail.empty() ? std::string() : fmt::format(" (the server said: {})", detail);
}

DraftError status_error(long status, const std::string& url, const Exchange& exchange,
                        const DraftSettings& settings) {
  const std::string detail = error_detail(exchange.body, settings.api_key);
  std::optional<std::chrono::seconds> wait;
  if (exchange.retry_after) {
    wait = parse_retry_after(*exchange.retry_after, static_cast<std::int64_t>(std::time(nullptr)));
  }
  if (status == 429) {
    return transient(fmt::format("the drafting endpoint {} is rate limiting herald (HTTP 429){}; "
                                 "herald tries again later. If this persists, lower [draft] "
                                 "concurrency or daily_budget, or raise the provider's quota",
                                 url, detail),
                     wait);
  }
  if (status >= 500 || status == 408) {
    return transient(fmt::format("the drafting endpoint {} failed (HTTP {}){}; herald tries "
                                 "again later. Check that the model server is healthy",
                                 url, status, detail),
                     wait);
  }
  if (status == 401 || status == 403) {
    return permanent(fmt::format(
        "the drafting endpoint {} refused herald's key (HTTP {}){}; check that [draft] "
        "api_key_file names the file holding a valid API key for this provider{}",
        url, status, detail, settings.api_key.empty() ? " (no key is configured now)" : ""));
  }
  if (status == 404) {
    return permanent(fmt::format(
        "the drafting endpoint {} answered 404 Not Found{}; check [draft] endpoint (usually "
        "the server's /v1 base, e.g. http://127.0.0.1:11434/v1) and that [draft] model = "
        "\"{}\" is a model this server has",
        url, detail, one_line(settings.model, 100)));
  }
  if (status == 400 || status == 422) {
    return permanent(fmt::format(
        "the drafting endpoint {} rejected the request (HTTP {}){}; check [draft] model = "
        "\"{}\" and that the server speaks the OpenAI chat-completions API",
        url, status, detail, one_line(settings.model, 100)));
  }
  return permanent(fmt::format("the drafting endpoint {} answered HTTP {}{}; check [draft] "
                               "endpoint and model",
                               url, status, detail));
}

// Non-streaming body -> the message content and the model name.
std::variant<std::pair<std::string, std::string>, DraftError> read_completion(
    std::string_view body) {
  const json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) {
    return permanent(fmt::format("the drafting endpoint's answer is not JSON (it starts: {}); "
                                 "check that [draft] endpoint is an OpenAI-compatible API",
                                 one_line(body.substr(0, 80), 80)));
  }
  const auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return permanent("the drafting endpoint's answer has no choices[0]; check that [draft] "
                     "endpoint is an OpenAI-compatible chat-completions API");
  }
  const json& choice = (*choices)[0];
  const auto message = choice.find("message");
  std::string content;
  if (message != choice.end() && message->is_object()) {
    content = string_field(*message, {"content"}).value_or("");
  }
  return std::pair{content, string_field(parsed, {"model"}).value_or("")};
}

// An SSE stream of chat.completion.chunk objects -> the content and the model name.
std::variant<std::pair<std::string, std::string>, DraftError> read_stream(std::string_view body) {
  std::string content;
  std::string model;
  bool done = false;
  bool finished = false;
  std::size_t start = 0;
  while (start < body.size() && !done) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.substr(0, 5) != "data:") {
      continue;  // comments (":keep-alive"), event:, id:, blank separators
    }
    const std::string_view payload = trim(line.substr(5));
    if (payload == "[DONE]") {
      done = true;
      break;
    }
    const json chunk = json::parse(payload, nullptr, false);
    if (!chunk.is_object()) {
      return permanent(fmt::format("the drafting endpoint's stream holds a line that is not "
                                   "JSON ({}); check that [draft] endpoint is an "
                                   "OpenAI-compatible API, or set stream = false",
                                   one_line(payload.substr(0, 80), 80)));
    }
    if (const auto error = chunk.find("error"); error != chunk.end()) {
      return transient(fmt::format("the drafting endpoint reported an error mid-stream: {}; "
                                   "herald tries again later",
                                   one_line(error->dump(-1, ' ', false,
                                                        json::error_handler_t::replace),
                                            kMaxErrorDetail)));
    }
    if (model.empty()) {
      model = string_field(chunk, {"model"}).value_or("");
    }
    const auto choices = chunk.find("choices");
    if (choices == chunk.end() || !choices->is_array() || choices->empty() ||
        !(*choices)[0].is_object()) {
      continue;  // e.g. a final usage-only chunk
    }
    const json& choice = (*choices)[0];
    if (const auto delta = choice.find("delta"); delta != choice.end() && delta->is_object()) {
      if (const auto piece = delta->find("content"); piece != delta->end() && piece->is_string()) {
        content += piece->get_ref<const std::string&>();
        if (content.size() > kMaxAnswerBytes) {
          break;  // reported by the caller's size check
        }
      }
    }
    if (const auto reason = choice.find("finish_reason");
        reason != choice.end() && reason->is_string()) {
      finished = true;
    }
  }
  if (!done && !finished && content.size() <= kMaxAnswerBytes) {
    return transient("the drafting endpoint's stream ended before its last chunk ([DONE]); "
                     "the connection was probably cut. herald tries again later");
  }
  return std::pair{content, model};
}

bool looks_like_sse(std::string_view body) {
  const std::string_view start = trim(body);
  return start.substr(0, 5) == "data:" || body.find("\ndata:") != std::string_view::npos;
}

}  // namespace

// ---- public ------------------------------------------------------------------------------

std::string_view default_draft_prompt() { return kDefaultPrompt; }

DraftSettings draft_settings(const DraftConfig& config) {
  DraftSettings settings;
  settings.endpoint = config.endpoint;
  settings.model = config.model;
  settings.api_key = config.api_key;
  settings.timeout = config.timeout;
  settings.concurrency = config.concurrency;
  settings.daily_budget = config.daily_budget;
  settings.max_article_chars = config.max_article_chars;
  settings.prompt_template = config.prompt;
  settings.stream = config.stream;
  return settings;
}

std::string utf8_prefix(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0;
  std::size_t n = 0;
  while (i < text.size() && n < max_chars) {
    i += decode_at(text, i).second;
    ++n;
  }
  return std::string(text.substr(0, i));
}

std::string chat_completions_url(std::string_view endpoint) {
  std::string url(trim(endpoint));
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  constexpr std::string_view kPath = "/chat/completions";
  if (url.size() >= kPath.size() && url.compare(url.size() - kPath.size(), kPath.size(), kPath) == 0) {
    return url;
  }
  return url + std::string(kPath);
}

DraftPrompt build_draft_prompt(std::string_view prompt_template, const DraftInput& input,
                               std::size_t max_article_chars) {
  if (trim(prompt_template).empty()) {
    prompt_template = default_draft_prompt();
  }
  // The first line that is exactly "---" ends the instructions.
  std::string_view system = prompt_template;
  std::string_view user = kDefaultUserPart;
  std::size_t line_start = 0;
  while (line_start < prompt_template.size()) {
    std::size_t line_end = prompt_template.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = prompt_template.size();
    }
    if (trim(prompt_template.substr(line_start, line_end - line_start)) == kPromptSeparator) {
      system = prompt_template.substr(0, line_start);
      user = prompt_template.substr(std::min(line_end + 1, prompt_template.size()));
      break;
    }
    line_start = line_end + 1;
  }

  std::string article = utf8_prefix(trim(input.body), max_article_chars);
  if (article.size() < trim(input.body).size()) {
    article += "……（后文已截断）";
  }
  const auto page = [](std::string_view text) {
    const std::string cleaned = neutralise_delimiters(trim(text));
    return cleaned.empty() ? std::string("（无）") : cleaned;
  };
  const std::vector<std::pair<std::string_view, std::string>> values = {
      {"title", page(input.title)},
      {"summary", page(input.summary)},
      {"article", page(article)},
      {"source", page(input.source_name)},
      {"publisher", page(input.publisher)},
      {"language", page(input.language)},
      {"url", page(input.url)},
      {"published", page(input.published)},
  };
  return DraftPrompt{std::string(trim(system)), std::string(trim(fill_placeholders(user, values)))};
}

std::variant<DraftText, DraftError> parse_draft_answer(std::string_view raw) {
  if (raw.size() > kMaxAnswerBytes) {
    return permanent(fmt::format("the model's answer is larger than {} KiB; it is not a draft. "
                                 "Check the prompt file asks for a short JSON answer",
                                 kMaxAnswerBytes / 1024));
  }
  const std::string content = drop_thinking(raw);
  const std::string_view text = trim(unfence(trim(content)));
  if (text.empty()) {
    return permanent("the model answered with no text; check [draft] model and the prompt file");
  }
  // JSON, possibly with words around it.
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_object()) {
    const std::size_t open = text.find('{');
    const std::size_t close = text.rfind('}');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      parsed = json::parse(text.substr(open, close - open + 1), nullptr, false);
    }
  }
  if (parsed.is_object()) {
    const auto title = string_field(parsed, {"title", "headline", "标题"});
    const auto summary = string_field(parsed, {"summary", "abstract", "摘要"});
    if (!title || !summary || title->empty() || summary->empty()) {
      return permanent("the model answered JSON without a non-empty \"title\" and \"summary\"; "
                       "check the prompt file asks for {\"title\": …, \"summary\": …}");
    }
    return DraftText{*title, *summary, "", false};
  }
  if (text.front() == '{' || text.front() == '[') {
    return permanent(fmt::format("the model's answer looks like JSON but cannot be read ({}); "
                                 "a smaller or overloaded model may cut its answers",
                                 one_line(text.substr(0, 80), 80)));
  }
  // Plain text: the first line is the headline, the rest the summary.
  const std::size_t line_end = text.find('\n');
  if (line_end == std::string_view::npos) {
    return permanent("the model answered one line only, no headline and summary; check the "
                     "prompt file and [draft] model");
  }
  const std::string title(drop_label(text.substr(0, line_end), {"标题", "Title", "title"}));
  const std::string summary(drop_label(text.substr(line_end + 1), {"摘要", "Summary", "summary"}));
  if (title.empty() || summary.empty()) {
    return permanent("the model's answer has no headline or no summary; check the prompt file "
                     "and [draft] model");
  }
  return DraftText{title, summary, "", false};
}

std::variant<DraftText, DraftError> draft_with_model(const DraftSettings& settings,
                                                     const DraftInput& input) {
  if (trim(settings.endpoint).empty()) {
    return permanent("no drafting endpoint is configured ([draft] endpoint); herald writes "
                     "extractive drafts only");
  }
  const std::string url = chat_completions_url(settings.endpoint);
  const DraftPrompt prompt =
      build_draft_prompt(settings.prompt_template, input, settings.max_article_chars);
  json request = {
      {"model", settings.model},
      {"messages",
       json::array({{{"role", "system"}, {"content", prompt.system}},
                    {{"role", "user"}, {"content", prompt.user}}})},
      {"temperature", 0.2},
      {"stream", settings.stream},
  };
  // Page text is not always valid UTF-8; a bad byte becomes U+FFFD rather than an exception.
  const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);

  const CurlEasy easy(curl_easy_init());
  if (!easy) {
    return transient("curl_easy_init failed (out of memory?); herald tries again later");
  }
  CurlHeaderList headers;
  std::vector<std::string> lines = {"Content-Type: application/json",
                                    settings.stream ? "Accept: text/event-stream"
                                                    : "Accept: application/json",
                                    "Expect:"};
  if (!settings.api_key.empty()) {
    if (settings.api_key.find_first_of("\r\n") != std::string::npos) {
      return permanent("the API key has a line break inside; check [draft] api_key_file holds "
                       "the key on one line");
    }
    lines.push_back("Authorization: Bearer " + settings.api_key);
  }
  for (const std::string& line : lines) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) {
      return transient("out of memory building the drafting request; herald tries again later");
    }
    (void)headers.release();  // the list's head stays the same pointer after the first append
    headers.reset(appended);
  }

  Exchange exchange;
  exchange.cancel = settings.cancel;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  const long timeout_ms = static_cast<long>(std::max<std::int64_t>(settings.timeout.count(), 1) * 1000);
  CURL* const curl = easy.get();
  CURLcode setup = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (setup == CURLE_OK) {
      setup = curl_easy_setopt(curl, option, value);
    }
  };
  set(CURLOPT_ERRORBUFFER, error_buffer.data());
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);  // a POST is never replayed elsewhere
  set(CURLOPT_TIMEOUT_MS, timeout_ms);
  set(CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, kMaxConnectSeconds * 1000));
  set(CURLOPT_PROXY, "");  // as for fetches: never from *_proxy variables
  // As for fetches: a resolver stuck on a silent DNS server must not hold the worker past
  // its timeout.
  set(CURLOPT_QUICK_EXIT, 1L);
  set(CURLOPT_USERAGENT, "herald-draft");
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  set(CURLOPT_POSTFIELDS, body.c_str());
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&exchange));
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&exchange));
  set(CURLOPT_XFERINFOFUNCTION, &on_progress);
  set(CURLOPT_XFERINFODATA, static_cast<void*>(&exchange));
  set(CURLOPT_NOPROGRESS, 0L);
  if (setup != CURLE_OK) {
    return permanent(fmt::format("libcurl refused an option for {}: {}", url,
                                 curl_easy_strerror(setup)));
  }
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

  if (exchange.cancelled) {
    return transient(fmt::format("the request to {} was abandoned: herald is stopping. The "
                                 "item is drafted after the next start",
                                 url));
  }
  if (exchange.too_large) {
    return permanent(fmt::format("the drafting endpoint {} sent more than {} MiB; that is not "
                                 "a draft. Check [draft] endpoint and model",
                                 url, kMaxResponseBytes / (1024 * 1024)));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return transient(fmt::format("the drafting endpoint {} did not answer within {} s; herald "
                                 "tries again later. A slow model may need a longer [draft] "
                                 "timeout_seconds",
                                 url, settings.timeout.count()));
  }
  if (code != CURLE_OK) {
    const std::string reason = error_buffer[0] != '\0' ? std::string(error_buffer.data())
                                                       : std::string(curl_easy_strerror(code));
    return transient(fmt::format("could not reach the drafting endpoint {}: {}; check [draft] "
                                 "endpoint and that the model server is running. herald tries "
                                 "again later",
                                 url, one_line(reason, 200)));
  }
  if (status < 200 || status >= 300) {
    return status_error(status, url, exchange, settings);
  }

  auto read = looks_like_sse(exchange.body) ? read_stream(exchange.body)
                                            : read_completion(exchange.body);
  if (auto* error = std::get_if<DraftError>(&read)) {
    return std::move(*error);
  }
  auto& [content, model] = std::get<std::pair<std::string, std::string>>(read);
  auto answer = parse_draft_answer(content);
  if (auto* text = std::get_if<DraftText>(&answer)) {
    text->model = model.empty() ? settings.model : one_line(model, 200);
  }
  return answer;
}

// ---- extractive ----------------------------------------------------------------------------

namespace {

// Short fragments that are page furniture, not the article's first sentence.
bool is_furniture(std::string_view sentence, std::size_t chars) {
  if (chars < kMinSentenceChars) {
    return true;
  }
  if (chars > 40) {
    return false;
  }
  constexpr std::array<std::string_view, 18> kMarkers = {
      "来源：", "来源:", "发布时间", "发布日期", "字号", "打印", "关闭窗口", "责任编辑",
      "分享到", "浏览次数", "点击数", "【", "Share", "Print", "Skip to", "Published:",
      "Updated:", "Cookie"};
  return std::any_of(kMarkers.begin(), kMarkers.end(), [&](std::string_view marker) {
    return sentence.find(marker) != std::string_view::npos;
  });
}

// "Mr." "U.S." "e.g." and initials do not end a sentence.
bool is_abbreviation(std::string_view before) {
  const std::size_t space = before.find_last_of(" (\"'");
  const std::string_view word = space == std::string_view::npos ? before : before.substr(space + 1);
  if (word.size() == 1 && word[0] >= 'A' && word[0] <= 'Z') {
    return true;
  }
  constexpr std::array<std::string_view, 34> kAbbreviations = {
      "Mr",  "Mrs", "Ms",  "Dr",  "Prof", "St",  "No",  "Inc", "Ltd", "Co",   "Corp", "e.g",
      "i.e", "U.S", "U.K", "vs",  "Art",  "Sec", "Jr",  "Sr",  "Jan", "Feb",  "Mar",  "Apr",
      "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "para", "approx"};
  return std::find(kAbbreviations.begin(), kAbbreviations.end(), word) != kAbbreviations.end();
}

bool is_closing(char32_t c) {
  return c == U'”' || c == U'’' || c == U'」' || c == U'』' || c == U'）' || c == U')' ||
         c == U'"' || c == U'\'' || c == U'》';
}

// Splits text into sentences: after 。！？；…, after . ! ? ; followed by a space (or the
// end), and at line breaks. Whitespace runs become one space; sentences come back trimmed.
std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> sentences;
  std::string current;
  const auto flush = [&] {
    const std::string_view t = trim(current);
    if (!t.empty()) {
      sentences.emplace_back(t);
    }
    current.clear();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto [c, length] = decode_at(text, i);
    const std::string_view bytes = text.substr(i, length);
    i += length;
    if (c == U'\n' || c == 0x2029 || c == 0x2028) {
      flush();
      continue;
    }
    if (is_space(c)) {
      if (!current.empty() && current.back() != ' ') {
        current.push_back(' ');
      }
      continue;
    }
    current.append(c == U'\uFFFD' ? std::string_view("\xEF\xBF\xBD") : bytes);
    const bool cjk_end = c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'…';
    const bool latin_end = c == U'.' || c == U'!' || c == U'?' || c == U';';
    if (!cjk_end && !latin_end) {
      continue;
    }
    // Closing quotes and brackets, and runs of the same mark (……, ?!), stay with the sentence.
    while (i < text.size()) {
      const auto [next, next_length] = decode_at(text, i);
      if (!is_closing(next) && next != U'。' && next != U'！' && next != U'？' && next != U'…' &&
          next != U'!' && next != U'?' && next != U'.') {
        break;
      }
      current.append(text.substr(i, next_length));
      i += next_length;
    }
    if (cjk_end) {
      flush();
      continue;
    }
    const bool at_end = i >= text.size();
    const bool space_follows = !at_end && is_space(decode_at(text, i).first);
    if ((at_end || space_follows) &&
        !(c == U'.' && is_abbreviation(std::string_view(current).substr(0, current.size() - 1)))) {
      flush();
    }
  }
  flush();
  return sentences;
}

// Whether a fragment ends as a sentence does (。 ! ? …, maybe inside closing quotes), rather
// than being a line of its own: a heading, a byline, a dateline, the headline repeated.
bool ends_as_sentence(std::string_view fragment) {
  std::size_t end = fragment.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && is_continuation(static_cast<unsigned char>(fragment[start]))) {
      --start;
    }
    const char32_t c = decode_at(fragment, start).first;
    if (!is_closing(c)) {
      return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'…' || c == U'.' ||
             c == U'!' || c == U'?' || c == U';';
    }
    end = start;
  }
  return false;
}

// Lines shorter than this without a sentence's end are headings, bylines and datelines.
constexpr std::size_t kMinUnpunctuatedChars = 30;

std::string lead_sentences(std::string_view text, std::string_view title, bool strict) {
  const std::vector<std::string> sentences = split_sentences(text);
  std::size_t cjk = 0;
  std::size_t letters = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto [c, length] = decode_at(text, i);
    i += length;
    cjk += is_cjk(c) ? 1 : 0;
    letters += (c < 0x80 && std::isalpha(static_cast<int>(c))) ? 1 : 0;
  }
  // Chinese text carries about twice the information per character of English.
  const bool chinese = cjk * 3 >= letters;
  const std::size_t limit = chinese ? kCjkSummaryChars : kLatinSummaryChars;

  std::string out;
  std::size_t used = 0;
  std::size_t taken = 0;
  for (const std::string& sentence : sentences) {
    const std::size_t chars = count_chars(sentence);
    if (is_furniture(sentence, chars)) {
      continue;
    }
    if (strict && (sentence == title ||
                   (chars < kMinUnpunctuatedChars && !ends_as_sentence(sentence)))) {
      continue;
    }
    if (taken > 0 && used + chars > limit) {
      break;
    }
    if (chars > limit) {  // one sentence longer than the whole summary: cut it
      out += utf8_prefix(sentence, limit - 1) + "…";
      break;
    }
    if (taken > 0 && !chinese) {
      out += ' ';
      ++used;
    }
    out += sentence;
    used += chars;
    if (++taken == kMaxLeadSentences) {
      break;
    }
  }
  return out;
}

// The lead of `text`: first without headings and the headline repeated, and when that
// leaves nothing (a list summary of one unpunctuated line), with them.
std::string lead_of(std::string_view text, std::string_view title) {
  std::string lead = lead_sentences(text, title, true);
  return lead.empty() ? lead_sentences(text, title, false) : lead;
}

}  // namespace

DraftText draft_extractive(const DraftInput& input) {
  DraftText draft;
  draft.title = std::string(trim(input.title));
  draft.extractive = true;
  draft.summary = lead_of(input.body, draft.title);
  if (draft.summary.empty()) {
    draft.summary = lead_of(input.summary, draft.title);
  }
  return draft;
}

}  // namespace herald
