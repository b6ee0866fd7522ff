#include "scrapers/extract/json_list.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace herald {
namespace {

using ::testing::HasSubstr;

JsonRules rules(std::string items, std::string title = "title", std::string link = "url") {
  return JsonRules{.items = std::move(items), .title = std::move(title), .link = std::move(link)};
}

TEST(JsonPathTest, WalksObjectsAndArrayIndexes) {
  auto doc = parse_json(R"({"a": {"b": [ {"c": 1}, {"c": "two", "0": "key"} ]}})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(json_text(json_at(*doc, "a.b.0.c")), "1");
  EXPECT_EQ(json_text(json_at(*doc, "a.b.1.c")), "two");
  EXPECT_EQ(json_at(*doc, "a.b.2.c"), nullptr);
  EXPECT_EQ(json_at(*doc, "a.x"), nullptr);
  EXPECT_EQ(json_at(*doc, "a.b.c"), nullptr);       // a name on an array
  EXPECT_EQ(json_at(*doc, "a.b.0.c.d"), nullptr);   // into a scalar
  EXPECT_EQ(json_at(*doc, ""), &*doc);
  EXPECT_EQ(json_text(json_at(*doc, "a.b.1.0")), "key");  // digits on an object are a key
}

TEST(JsonPathTest, ScalarsAsText) {
  auto doc = parse_json(
      R"({"s": "x", "i": -3, "u": 1701331200000, "f": 1.7013312E12, "g": 0.5, "t": true,
          "n": null, "o": {}, "l": []})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(json_text(json_at(*doc, "s")), "x");
  EXPECT_EQ(json_text(json_at(*doc, "i")), "-3");
  EXPECT_EQ(json_text(json_at(*doc, "u")), "1701331200000");
  EXPECT_EQ(json_text(json_at(*doc, "f")), "1701331200000");
  EXPECT_EQ(json_text(json_at(*doc, "g")), "0.5");
  EXPECT_EQ(json_text(json_at(*doc, "t")), "true");
  EXPECT_EQ(json_text(json_at(*doc, "n")), "");
  EXPECT_EQ(json_text(json_at(*doc, "o")), "");
  EXPECT_EQ(json_text(json_at(*doc, "l")), "");
  EXPECT_EQ(json_text(nullptr), "");
}

TEST(JsonListTest, ReadsItemsWithAllFields) {
  JsonRules r = rules("data.list", "t", "u");
  r.date = "d";
  r.summary = "s.0";
  r.link_base = "https://www.example.gov.cn/";
  auto items = extract_json_list(
      R"({"data": {"list": [
          {"t": "第一条", "u": "/a/1.html", "d": "2023-11-07 10:00", "s": ["摘要"]},
          {"t": "Second", "u": "https://other.example/2", "d": 1699344000}]}})",
      r);
  ASSERT_TRUE(items.has_value()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].title, "第一条");
  EXPECT_EQ((*items)[0].link, "/a/1.html");
  EXPECT_EQ((*items)[0].date_text, "2023-11-07 10:00");
  EXPECT_EQ((*items)[0].summary, "摘要");
  EXPECT_EQ((*items)[0].base_url, "https://www.example.gov.cn/");
  EXPECT_EQ((*items)[1].date_text, "1699344000");
  EXPECT_EQ((*items)[1].summary, "");
}

TEST(JsonListTest, EmptyItemsPathMeansTheDocumentIsTheList) {
  auto items = extract_json_list(R"([{"title": "a", "url": "/a"}, {"title": "b", "url": "/b"}])",
                                 rules(""));
  ASSERT_TRUE(items.has_value()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1].title, "b");
  EXPECT_EQ((*items)[1].base_url, "");  // no link_base: the page URL applies
}

TEST(JsonListTest, IncompleteElementsAreKeptForNormaliseToCount) {
  auto items = extract_json_list(R"([{"title": "no link"}, "not an object", {"url": "/x"}])",
                                 rules(""));
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].link, "");
  EXPECT_EQ((*items)[1].title, "");
  EXPECT_EQ((*items)[2].title, "");
}

TEST(JsonListTest, MissingOrWrongItemsPathIsNoMatch) {
  auto missing = extract_json_list(R"({"data": {}})", rules("data.list"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNoMatch);
  EXPECT_THAT(missing.error().message, HasSubstr("'data.list'"));

  auto object = extract_json_list(R"({"data": {"list": {"a": 1}}})", rules("data.list"));
  ASSERT_FALSE(object.has_value());
  EXPECT_EQ(object.error().code, ErrorCode::kNoMatch);
  EXPECT_THAT(object.error().message, HasSubstr("object"));
}

TEST(JsonListTest, NotJsonIsAParseErrorQuotingTheStart) {
  auto items = extract_json_list("<html><body>登录</body></html>", rules(""));
  ASSERT_FALSE(items.has_value());
  EXPECT_EQ(items.error().code, ErrorCode::kParse);
  EXPECT_THAT(items.error().message, HasSubstr("not JSON"));
  EXPECT_THAT(items.error().message, HasSubstr("<html><body>"));

  auto truncated = extract_json_list(R"({"data": [{"title": "a")", rules("data"));
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error().code, ErrorCode::kParse);

  auto empty = extract_json_list("", rules(""));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kParse);
}

TEST(JsonListTest, DeepNestingIsRefusedBeforeParsing) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  auto items = extract_json_list(deep, rules(""));
  ASSERT_FALSE(items.has_value());
  EXPECT_EQ(items.error().code, ErrorCode::kParse);
  EXPECT_THAT(items.error().message, HasSubstr("nested"));
  // Brackets inside strings do not count.
  const std::string quoted = "[{\"title\": \"" + std::string(5000, '[') + "\", \"url\": \"/a\"}]";
  auto fine = extract_json_list(quoted, rules(""));
  ASSERT_TRUE(fine.has_value()) << fine.error().message;
  EXPECT_EQ(fine->size(), 1u);
}

TEST(JsonListTest, AtMostAThousandItems) {
  std::string body = "[";
  for (int i = 0; i < 1500; ++i) {
    body += (i == 0 ? "" : ",") + std::string("{\"title\": \"t\", \"url\": \"/") +
            std::to_string(i) + "\"}";
  }
  body += "]";
  auto items = extract_json_list(body, rules(""));
  ASSERT_TRUE(items.has_value());
  EXPECT_EQ(items->size(), kMaxJsonItems);
  EXPECT_EQ(items->back().link, "/999");
}

}  // namespace
}  // namespace herald
