#pragma once

// Drafts: a Chinese headline and a Chinese 摘要 written for a candidate, for the editors to
// accept, edit or discard. Two ways to write one:
//   - draft_with_model: one request to an OpenAI-compatible chat-completions endpoint the
//     firm configures ([draft] in herald.toml): Ollama, vLLM, llama.cpp server and the
//     Chinese providers all speak it;
//   - draft_extractive: no model; the original title and the article's lead sentences.
//
// No storage, no daemon, no web: the drafting queue and the worker that calls these live
// elsewhere. Everything in DraftInput is untrusted page text; the model's answer is only
// ever text (callers escape it like any other page text).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/herald_config.h"

namespace herald {

// What a draft is written from. Everything is untrusted page text.
struct DraftInput {
  std::string title{};
  std::string summary{};
  std::string body{};         // article text when enriched, may be empty
  std::string source_name{};  // config name, "UK National Cyber Security Centre · News"
  std::string publisher{};    // 来源 as editors write it, may be empty
  std::string language{};     // "zh", "en", "ja"
  std::string url{};
  std::string published{};    // "2023-11-27" or ""
};

struct DraftText {
  std::string title{};    // Chinese headline
  std::string summary{};  // Chinese 摘要
  std::string model{};    // the model that wrote it; "" for extractive
  bool extractive = false;
};

// [draft] in herald.toml (the config loader parses it into DraftConfig; the caller copies
// the values here, with the prompt file already read into prompt_template).
struct DraftSettings {
  std::string endpoint{};  // "" = no model: extractive drafts only
  std::string model{};
  std::string api_key{};   // "" = no Authorization header (local servers)
  std::chrono::seconds timeout{60};
  int concurrency = 1;
  int daily_budget = 500;  // requests per day; enforced by the caller (the queue)
  std::size_t max_article_chars = 6000;  // the article is cut to this many characters
  std::string prompt_template{};  // the prompt file's text; "" = the built-in prompt
  bool stream = false;            // ask for a streamed (SSE) answer
  // When set and true, a request in flight is abandoned within about a second (herald is
  // stopping); the result is then a transient error. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

// kTransient: try again later (timeouts, 429, 5xx, connection failures).
// kPermanent: trying again will not help (malformed answer, 400/401/403/404).
enum class DraftErrorKind { kTransient, kPermanent };

struct DraftError {
  DraftErrorKind kind = DraftErrorKind::kTransient;
  std::string message{};  // for a person: what failed and what to check; never the key
  std::optional<std::chrono::seconds> retry_after{};  // from a 429/503 Retry-After header
};

// The settings for draft_with_model from herald.toml's [draft] (key and prompt already read).
DraftSettings draft_settings(const DraftConfig& config);

// One chat-completions request: POST {endpoint}/chat/completions, or the endpoint as given
// when it already ends in /chat/completions. The prompt file's instructions go in the
// system message, the page text (filled into the template's placeholders, the article cut
// to max_article_chars on a UTF-8 boundary) in the user message, clearly delimited.
// Several threads may call it at once once curl_global_init has run (CurlGlobal in main).
std::variant<DraftText, DraftError> draft_with_model(const DraftSettings& settings,
                                                     const DraftInput& input);

// Without a model: title = the original title; summary = the article's lead sentences
// (Chinese and Latin sentence splitting), bounded; empty when there is no text at all.
DraftText draft_extractive(const DraftInput& input);

// ---- Pieces of the above, public so that tests and `herald` tools can check them. ----

// The prompt shipped in config/draft_prompt.txt, used when settings.prompt_template is "".
std::string_view default_draft_prompt();

// The two chat messages for `input`: system = the template's instructions (the part before
// the "---" line that starts the user part, or the whole template when it has none, with
// the page text then appended in the user message); placeholders {{title}} {{summary}}
// {{article}} {{source}} {{publisher}} {{url}} {{published}} {{language}} are filled only in
// the user message, so page text never lands among the instructions.
struct DraftPrompt {
  std::string system{};
  std::string user{};
};
DraftPrompt build_draft_prompt(std::string_view prompt_template, const DraftInput& input,
                               std::size_t max_article_chars);

// The model's message content -> title and summary: JSON {"title":…,"summary":…} (also
// inside ```json fences), else first line = title and the rest = summary. Empty or
// unusable content is a permanent error.
std::variant<DraftText, DraftError> parse_draft_answer(std::string_view content);

// The URL a request goes to: endpoint + "/chat/completions" unless it already ends so.
std::string chat_completions_url(std::string_view endpoint);

// Cuts `text` to at most max_chars code points, never inside a UTF-8 sequence.
std::string utf8_prefix(std::string_view text, std::size_t max_chars);

}  // namespace herald
