#include "daemon/notify_message.h"

#include <algorithm>
#include <array>
#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/text.h"

namespace herald {

namespace {

// Field caps: a hostile page cannot make one story fill a message.
constexpr std::size_t kTitleMaxBytes = 300;
constexpr std::size_t kNameMaxBytes = 120;
constexpr std::size_t kReasonMaxBytes = 400;
constexpr std::size_t kTermMaxBytes = 40;
constexpr std::size_t kMaxTerms = 8;
// A longer link is not shown at all: a cut URL points somewhere else.
constexpr std::size_t kUrlMaxBytes = 1000;
constexpr std::size_t kDingTalkTitleMaxBytes = 64;

// How a chat service reads the text herald writes into it.
enum class Style {
  kPlain,     // e-mail and the generic JSON's "text": nothing is markup
  kFeishu,    // plain text, but <at user_id="all"> would mention everyone
  kMarkdown,  // WeCom and DingTalk markdown
  kSlack,     // Slack mrkdwn: <url|text> links, <!channel> mentions
};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Untrusted text for a given style: markup characters become their full-width look-alikes
// (WeCom and DingTalk document no escape character, and a backslash would show), Slack's
// three control characters become entities as Slack asks.
std::string escape(std::string_view text, Style style) {
  std::string out(text);
  switch (style) {
    case Style::kPlain:
      break;
    case Style::kFeishu:
      replace_all(out, "<", "＜");
      replace_all(out, ">", "＞");
      break;
    case Style::kMarkdown: {
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kMap = {{
          {"\\", "＼"}, {"[", "［"}, {"]", "］"}, {"*", "＊"}, {"_", "＿"}, {"`", "｀"},
          {"<", "＜"}, {">", "＞"}, {"#", "＃"}, {"~", "～"}, {"|", "｜"}}};
      for (const auto& [from, to] : kMap) {
        replace_all(out, from, to);
      }
      break;
    }
    case Style::kSlack:
      replace_all(out, "&", "&amp;");
      replace_all(out, "<", "&lt;");
      replace_all(out, ">", "&gt;");
      break;
  }
  return out;
}

// An http(s) link that no markup syntax can break out of: everything outside a
// conservative set of URL characters is percent-encoded. Empty when there is no usable link.
std::string safe_url(std::string_view url) {
  if (url.size() > kUrlMaxBytes ||
      !(url.starts_with("http://") || url.starts_with("https://"))) {
    return {};
  }
  static constexpr std::string_view kKeep =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&'*+,;=%";
  std::string out;
  out.reserve(url.size());
  for (const char c : url) {
    if (kKeep.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string local_date(std::int64_t utc, const TimeZone& zone) {
  const std::int64_t local = utc + zone.offset_at_utc(utc);
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const CivilDate date = civil_from_days(days);
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::string local_minute(std::int64_t utc, const TimeZone& zone) {
  const std::int64_t local = utc + zone.offset_at_utc(utc);
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const std::int64_t seconds = local - days * 86400;
  return fmt::format("{} {:02}:{:02}", local_date(utc, zone), seconds / 3600,
                     (seconds % 3600) / 60);
}

std::string display_name(const std::string& name, const std::string& id) {
  return clean_text(name.empty() ? id : name, kNameMaxBytes);
}

std::string terms_text(const std::vector<std::string>& terms) {
  std::string out;
  for (std::size_t i = 0; i < terms.size() && i < kMaxTerms; ++i) {
    if (i > 0) {
      out += "、";
    }
    out += clean_text(terms[i], kTermMaxBytes);
  }
  return out;
}

std::string digest_title(const Digest& digest, const MessageContext& context) {
  std::string title = fmt::format(
      "herald 新候选：{} 条（{} 以来）",
      static_cast<std::int64_t>(digest.entries.size()) + digest.more_uncounted,
      local_minute(digest.since_utc, context.zone));
  if (!digest.closing.empty()) {
    title += fmt::format("；{} 项征求意见即将截止", digest.closing.size());
  }
  return title;
}

std::string alert_title(const AlertBatch& batch) {
  if (batch.alerts.size() == 1) {
    const SourceAlert& alert = batch.alerts.front();
    return fmt::format("herald 来源{}：{}",
                       alert.kind == AlertKind::kUnhealthy ? "异常" : "已恢复",
                       display_name(alert.source_name, alert.source_id));
  }
  return fmt::format("herald 来源状态：{} 个变化", batch.alerts.size());
}

std::string link(const std::string& text, const std::string& url, Style style) {
  switch (style) {
    case Style::kMarkdown:
      return fmt::format("[{}]({})", text, url);
    case Style::kSlack:
      return fmt::format("<{}|{}>", url, text);
    case Style::kPlain:
    case Style::kFeishu:
      break;
  }
  return fmt::format("{}\n   {}", text, url);
}

// Markdown needs a blank line where plain text needs a line break (DingTalk drops single
// newlines).
std::string_view line_break(Style style) { return style == Style::kMarkdown ? "\n\n" : "\n"; }

std::string days_left_text(std::int64_t days) {
  return days <= 0 ? std::string("今天截止") : fmt::format("剩余 {} 天", days);
}

// The section 「即将截止的征求意见」: each consultation with its deadline and days left.
// Its size is bounded by kMaxClosingListed, so `fit` never needs to drop from it.
std::string render_closing(const Digest& digest, Style style) {
  if (digest.closing.empty()) {
    return {};
  }
  const std::string_view br = line_break(style);
  const std::string_view gap = br == "\n" ? "\n" : "";
  std::string heading = "即将截止的征求意见";
  if (style == Style::kMarkdown) {
    heading = "**" + heading + "**";
  } else if (style == Style::kSlack) {
    heading = "*" + heading + "*";
  }
  std::string out = fmt::format("{}{}{}", gap, heading, br);
  const std::size_t listed = std::min(digest.closing.size(), kMaxClosingListed);
  for (std::size_t i = 0; i < listed; ++i) {
    const DigestConsultation& c = digest.closing[i];
    const std::string title = escape(clean_text(c.title, kTitleMaxBytes), style);
    const std::string url = safe_url(c.url);
    out += fmt::format("{}- {}{}", gap, url.empty() ? title : link(title, url, style), br);
    const std::string meta = fmt::format("截止日期：{} · {}", clean_text(c.deadline, 32),
                                         days_left_text(c.days_left));
    out += fmt::format("{}{}{}", style == Style::kMarkdown ? "> " : "   ", escape(meta, style),
                       br);
  }
  if (listed < digest.closing.size()) {
    out += fmt::format("{}另有 {} 项未列出。{}", gap, digest.closing.size() - listed, br);
  }
  return out;
}

std::string render_digest(const Digest& digest, const MessageContext& context, Style style,
                          std::size_t listed) {
  const std::string_view br = line_break(style);
  std::string out = escape(digest_title(digest, context), style);
  if (style == Style::kMarkdown) {
    out = "**" + out + "**";
  } else if (style == Style::kSlack) {
    out = "*" + out + "*";
  }
  out += br;
  for (std::size_t i = 0; i < listed && i < digest.entries.size(); ++i) {
    const DigestEntry& entry = digest.entries[i];
    out += br == "\n" ? "\n" : "";
    const std::string title = escape(clean_text(entry.title, kTitleMaxBytes), style);
    const std::string url = safe_url(entry.url);
    out += fmt::format("{}. {}", i + 1, url.empty() ? title : link(title, url, style));
    out += br;
    std::string meta = fmt::format("{}：{}", "来源", display_name(entry.source_name,
                                                                    entry.source_id));
    if (entry.published_at) {
      meta += fmt::format(" · {}", local_date(*entry.published_at, context.zone));
    }
    if (!entry.matched.empty()) {
      meta += fmt::format(" · 关键词：{}", terms_text(entry.matched));
    }
    if (entry.also_reported > 0) {
      meta += fmt::format(" · 另见 {} 家", entry.also_reported);
    }
    out += fmt::format("{}{}", style == Style::kMarkdown ? "> " : "   ", escape(meta, style));
    out += br;
  }
  const std::int64_t more =
      static_cast<std::int64_t>(digest.entries.size() - std::min(listed, digest.entries.size())) +
      digest.more_uncounted;
  if (more > 0) {
    out += fmt::format("{}另有 {} 条未列出。{}", br == "\n" ? "\n" : "", more, br);
  }
  out += render_closing(digest, style);
  if (!context.web_origin.empty()) {
    const std::string queue = safe_url(context.web_origin + "/queue");
    if (!queue.empty()) {
      out += fmt::format("{}{}", br == "\n" ? "\n" : "",
                         style == Style::kPlain || style == Style::kFeishu
                             ? "审核队列：" + queue
                             : link("打开审核队列", queue, style));
      out += br;
    }
  }
  return out;
}

std::string render_alerts(const AlertBatch& batch, const MessageContext& context, Style style,
                          std::size_t listed) {
  const std::string_view br = line_break(style);
  std::string out = escape(alert_title(batch), style);
  if (style == Style::kMarkdown) {
    out = "**" + out + "**";
  } else if (style == Style::kSlack) {
    out = "*" + out + "*";
  }
  out += br;
  for (std::size_t i = 0; i < listed && i < batch.alerts.size(); ++i) {
    const SourceAlert& alert = batch.alerts[i];
    std::string line = fmt::format(
        "{}：{}（{}）", alert.kind == AlertKind::kUnhealthy ? "异常" : "已恢复",
        display_name(alert.source_name, alert.source_id), clean_text(alert.source_id, 64));
    if (!alert.reason.empty()) {
      line += "：" + clean_text(alert.reason, kReasonMaxBytes);
    }
    out += fmt::format("{}- {}{}", br == "\n" ? "\n" : "", escape(line, style), br);
  }
  if (listed < batch.alerts.size()) {
    out += fmt::format("{}另有 {} 个来源未列出。{}", br == "\n" ? "\n" : "",
                       batch.alerts.size() - listed, br);
  }
  if (!context.web_origin.empty()) {
    const std::string sources = safe_url(context.web_origin + "/sources");
    if (!sources.empty()) {
      out += fmt::format("{}{}", br == "\n" ? "\n" : "",
                         style == Style::kPlain || style == Style::kFeishu
                             ? "来源状态：" + sources
                             : link("打开来源状态", sources, style));
      out += br;
    }
  }
  return out;
}

std::size_t listable(const Notification& note) {
  if (const auto* digest = std::get_if<Digest>(&note)) {
    return std::min(digest->entries.size(),
                    static_cast<std::size_t>(std::max(digest->max_items, 0)));
  }
  return std::get<AlertBatch>(note).alerts.size();
}

std::string render(const Notification& note, const MessageContext& context, Style style,
                   std::size_t listed) {
  if (const auto* digest = std::get_if<Digest>(&note)) {
    return render_digest(*digest, context, style, listed);
  }
  return render_alerts(std::get<AlertBatch>(note), context, style, listed);
}

std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The largest number of stories (at most what may be listed) whose rendering `make` keeps
// within `max_bytes`; then the body. If even none fits, the body is cut by `make` itself.
// A rendering grows with each story listed, so the count is found by bisection.
std::string fit(const Notification& note, std::size_t max_bytes,
                const std::function<std::string(std::size_t)>& make) {
  std::size_t high = listable(note);
  std::string body = make(high);
  if (body.size() <= max_bytes) {
    return body;
  }
  std::size_t low = 0;  // the answer is in [low, high - 1]
  --high;
  while (low < high) {
    const std::size_t mid = low + (high - low + 1) / 2;
    if (make(mid).size() <= max_bytes) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return make(low);
}

nlohmann::json generic_json(const Notification& note, const MessageContext& context,
                            std::size_t listed) {
  nlohmann::json json;
  json["event"] = std::string(notification_event(note));
  if (const auto* digest = std::get_if<Digest>(&note)) {
    json["title"] = digest_title(*digest, context);
    json["since"] = local_minute(digest->since_utc, context.zone);
    json["total"] = static_cast<std::int64_t>(digest->entries.size()) + digest->more_uncounted;
    json["items"] = nlohmann::json::array();
    for (std::size_t i = 0; i < listed && i < digest->entries.size(); ++i) {
      const DigestEntry& entry = digest->entries[i];
      nlohmann::json item;
      item["id"] = entry.candidate_id;
      item["title"] = clean_text(entry.title, kTitleMaxBytes);
      item["source"] = clean_text(entry.source_id, 64);
      item["source_name"] = display_name(entry.source_name, entry.source_id);
      item["published_at"] = entry.published_at
                                 ? nlohmann::json(local_date(*entry.published_at, context.zone))
                                 : nlohmann::json(nullptr);
      item["url"] = safe_url(entry.url);
      nlohmann::json terms = nlohmann::json::array();
      for (std::size_t t = 0; t < entry.matched.size() && t < kMaxTerms; ++t) {
        terms.push_back(clean_text(entry.matched[t], kTermMaxBytes));
      }
      item["matched"] = std::move(terms);
      item["also_reported"] = entry.also_reported;
      json["items"].push_back(std::move(item));
    }
    json["more"] = json["total"].get<std::int64_t>() - static_cast<std::int64_t>(json["items"].size());
    json["closing_consultations"] = nlohmann::json::array();
    for (std::size_t i = 0; i < digest->closing.size() && i < kMaxClosingListed; ++i) {
      const DigestConsultation& c = digest->closing[i];
      json["closing_consultations"].push_back({
          {"id", c.candidate_id},
          {"title", clean_text(c.title, kTitleMaxBytes)},
          {"url", safe_url(c.url)},
          {"comment_deadline", clean_text(c.deadline, 32)},
          {"days_left", c.days_left},
      });
    }
    json["closing_more"] = static_cast<std::int64_t>(digest->closing.size()) -
                           static_cast<std::int64_t>(json["closing_consultations"].size());
    if (!context.web_origin.empty()) {
      json["queue_url"] = safe_url(context.web_origin + "/queue");
    }
  } else {
    const auto& batch = std::get<AlertBatch>(note);
    json["title"] = alert_title(batch);
    json["alerts"] = nlohmann::json::array();
    for (std::size_t i = 0; i < listed && i < batch.alerts.size(); ++i) {
      const SourceAlert& alert = batch.alerts[i];
      json["alerts"].push_back({
          {"kind", alert.kind == AlertKind::kUnhealthy ? "unhealthy" : "recovered"},
          {"source", clean_text(alert.source_id, 64)},
          {"source_name", display_name(alert.source_name, alert.source_id)},
          {"state", clean_text(alert.state, 32)},
          {"reason", clean_text(alert.reason, kReasonMaxBytes)},
      });
    }
    json["more"] = static_cast<std::int64_t>(batch.alerts.size() - json["alerts"].size());
    if (!context.web_origin.empty()) {
      json["sources_url"] = safe_url(context.web_origin + "/sources");
    }
  }
  json["text"] = render(note, context, Style::kPlain, listed);
  return json;
}

bool is_ascii_printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7F;
  });
}

// RFC 2047 encoded words, each at most 39 bytes of whole UTF-8 characters so that
// "=?UTF-8?B?...?=" stays under 66 characters, folded onto continuation lines.
std::string encoded_words(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = std::min(pos + 39, text.size());
    while (end < text.size() && end > pos &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (end == pos) {
      end = std::min(pos + 39, text.size());
    }
    if (!out.empty()) {
      out += "\r\n ";
    }
    out += "=?UTF-8?B?" + base64_encode(text.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

// A header's phrase: plain when it is a simple ASCII word sequence, quoted when it holds
// specials, encoded words when it is not ASCII.
std::string header_phrase(std::string_view phrase) {
  if (!is_ascii_printable(phrase)) {
    return encoded_words(phrase);
  }
  if (phrase.find_first_of("()<>[]:;@\\,.\"") == std::string_view::npos) {
    return std::string(phrase);
  }
  std::string quoted = "\"";
  for (const char c : phrase) {
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
    }
    quoted.push_back(c);
  }
  return quoted + "\"";
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

// "Name <addr>" as a header value; the bare address when there is no name.
std::string mailbox_header(std::string_view mailbox) {
  const auto address = mail_address(mailbox);
  if (!address) {
    return {};
  }
  const auto open = mailbox.find('<');
  std::string name = open == std::string_view::npos ? std::string() : trim(mailbox.substr(0, open));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  name = clean_text(name, 200);
  if (name.empty()) {
    return *address;
  }
  return fmt::format("{} <{}>", header_phrase(name), *address);
}

std::string rfc5322_date(std::int64_t utc, const TimeZone& zone) {
  static constexpr std::array<std::string_view, 7> kDays = {"Thu", "Fri", "Sat", "Sun",
                                                            "Mon", "Tue", "Wed"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int offset = zone.offset_at_utc(utc);
  const std::int64_t local = utc + offset;
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const std::int64_t seconds = local - days * 86400;
  const CivilDate date = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>(((days % 7) + 7) % 7);
  const int minutes = (offset < 0 ? -offset : offset) / 60;
  return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} {}{:02}{:02}", kDays[weekday], date.day,
                     kMonths[static_cast<std::size_t>(date.month - 1)], date.year,
                     seconds / 3600, (seconds % 3600) / 60, seconds % 60,
                     offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

}  // namespace

std::string clean_text(std::string_view text, std::size_t max_bytes) {
  return truncate_utf8(collapse_whitespace(strip_controls(sanitize_utf8(text))), max_bytes);
}

std::string base64_encode(std::string_view data) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t n = (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16) |
                            (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8) |
                            static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (const std::size_t rest = data.size() - i; rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (rest == 2) {
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    }
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string_view notification_event(const Notification& note) {
  return std::holds_alternative<Digest>(note) ? "digest" : "alert";
}

std::string webhook_body(const Notification& note, WebhookFormat format,
                         const MessageContext& context) {
  switch (format) {
    case WebhookFormat::kGeneric:
      return fit(note, kGenericBodyMaxBytes, [&](std::size_t listed) {
        return dump(generic_json(note, context, listed));
      });
    case WebhookFormat::kSlack: {
      const std::string text = fit(note, kSlackTextMaxBytes, [&](std::size_t listed) {
        return render(note, context, Style::kSlack, listed);
      });
      return dump({{"text", truncate_utf8(text, kSlackTextMaxBytes)},
                   {"unfurl_links", false},
                   {"unfurl_media", false}});
    }
    case WebhookFormat::kWeCom: {
      const std::string content = fit(note, kWeComMarkdownMaxBytes, [&](std::size_t listed) {
        return render(note, context, Style::kMarkdown, listed);
      });
      return dump({{"msgtype", "markdown"},
                   {"markdown", {{"content", truncate_utf8(content, kWeComMarkdownMaxBytes)}}}});
    }
    case WebhookFormat::kDingTalk: {
      const std::string text = fit(note, kDingTalkTextMaxBytes, [&](std::size_t listed) {
        return render(note, context, Style::kMarkdown, listed);
      });
      const std::string title = std::holds_alternative<Digest>(note)
                                    ? digest_title(std::get<Digest>(note), context)
                                    : alert_title(std::get<AlertBatch>(note));
      return dump({{"msgtype", "markdown"},
                   {"markdown",
                    {{"title", truncate_utf8(title, kDingTalkTitleMaxBytes)},
                     {"text", truncate_utf8(text, kDingTalkTextMaxBytes)}}}});
    }
    case WebhookFormat::kFeishu: {
      auto make = [&](std::size_t listed) {
        return dump({{"msg_type", "text"},
                     {"content", {{"text", render(note, context, Style::kFeishu, listed)}}}});
      };
      std::string body = fit(note, kFeishuBodyMaxBytes, make);
      if (body.size() > kFeishuBodyMaxBytes) {
        // Nothing left to drop: cut the text itself (JSON escaping at most doubles it).
        body = dump({{"msg_type", "text"},
                     {"content",
                      {{"text", truncate_utf8(render(note, context, Style::kFeishu, 0),
                                              kFeishuBodyMaxBytes / 2)}}}});
      }
      return body;
    }
  }
  return {};
}

EmailContent email_content(const Notification& note, const MessageContext& context) {
  EmailContent content;
  content.subject = std::holds_alternative<Digest>(note)
                        ? digest_title(std::get<Digest>(note), context)
                        : alert_title(std::get<AlertBatch>(note));
  content.text = render(note, context, Style::kPlain, listable(note));
  content.text += "\n-- \nherald（自动发送，请勿回复）\n";
  return content;
}

std::optional<std::string> mail_address(std::string_view mailbox) {
  std::string address;
  const auto open = mailbox.find('<');
  if (open != std::string_view::npos) {
    const auto close = mailbox.find('>', open);
    if (close == std::string_view::npos || trim(mailbox.substr(close + 1)).size() > 0) {
      return std::nullopt;
    }
    address = trim(mailbox.substr(open + 1, close - open - 1));
  } else {
    address = trim(mailbox);
  }
  const auto at = address.find('@');
  if (address.empty() || at == std::string::npos || at == 0 || at + 1 == address.size() ||
      !is_ascii_printable(address) ||
      address.find_first_of(" <>\"(),;\\") != std::string::npos) {
    return std::nullopt;
  }
  return address;
}

std::string build_email(const EmailContent& content, const EmailTarget& target,
                        std::int64_t now_utc, const TimeZone& zone,
                        const std::string& message_id) {
  std::string to;
  for (const std::string& recipient : target.to) {
    const std::string header = mailbox_header(recipient);
    if (header.empty()) {
      continue;
    }
    to += to.empty() ? header : ",\r\n " + header;
  }
  const std::string subject = clean_text(content.subject, 400);
  std::string message;
  message += "Date: " + rfc5322_date(now_utc, zone) + "\r\n";
  message += "From: " + mailbox_header(target.from) + "\r\n";
  message += "To: " + to + "\r\n";
  message += "Subject: " +
             (is_ascii_printable(subject) && subject.size() <= 68 ? subject
                                                                  : encoded_words(subject)) +
             "\r\n";
  message += "Message-ID: " + message_id + "\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=UTF-8\r\n";
  message += "Content-Transfer-Encoding: base64\r\n";
  // RFC 3834: vacation responders and the like do not answer it.
  message += "Auto-Submitted: auto-generated\r\n";
  message += "\r\n";
  std::string text = sanitize_utf8(content.text);
  replace_all(text, "\r\n", "\n");
  replace_all(text, "\n", "\r\n");
  const std::string encoded = base64_encode(text);
  for (std::size_t pos = 0; pos < encoded.size(); pos += 76) {
    message += encoded.substr(pos, 76) + "\r\n";
  }
  return message;
}

}  // namespace herald
