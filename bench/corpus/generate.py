#!/usr/bin/python3
"""Generates the poll-cycle benchmark corpus: N synthetic government-style sites.

    bench/corpus/generate.py --out DIR [--sites 1000] [--port 18080] [--ports 16] [--seed 1]

Writes
    DIR/gen1/siteNNN/...   generation 1: every site's list page or feed, 20 items each
    DIR/gen2/siteNNN/...   generation 2: the same pages with 2 new items on top of each
                           (the 2 oldest drop off), every other byte unchanged
    DIR/www -> gen1        what nginx serves (scripts/bench-poll switches it to gen2)
    DIR/herald.toml        [fetch] min_delay "0s", database DIR/state/herald.db
    DIR/sources.d/siteNNN.toml
    DIR/manifest.json      per site: path, kind, charset, size, items (for gumbo_floor)

The list pages are modelled on the TRS/Hanweb CMS pages of Chinese provincial governments
(www.gd.gov.cn "文件库", sheitc.sh.gov.cn "最新信息", www.beijing.gov.cn, www.miit.gov.cn, see
/work/shared/sources/snapshots/): a long <head> with inline CSS and statistics scripts, a
two-level navigation menu, a breadcrumb, the list of 20 announcements (three layouts with
three date styles), side modules of links, a pager and a footer with the ministries' link
select boxes. Page sizes are spread uniformly over 30-80 KB. 30% of the sites are GBK with
<meta charset=gbk> (nginx sends a bare "text/html", so herald finds the charset by the
<meta> prescan, as on the real sites); 10% are RSS 2.0 feeds and 10% Atom 1.0 feeds.

Sites are spread over `--ports` listening ports of 127.0.0.1 (site i on port PORT + i %
ports): politeness counts host:port, so this models many sites on a few hosts; herald's
`poll --jobs` assigns all sources of one host to one worker.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys

PROVINCES = ["广东省", "上海市", "北京市", "浙江省", "江苏省", "四川省", "湖北省", "山东省", "福建省",
             "安徽省", "河南省", "湖南省", "重庆市", "天津市", "陕西省", "辽宁省", "广西壮族自治区",
             "贵州省", "云南省", "江西省", "河北省", "山西省", "吉林省", "黑龙江省", "海南省"]
AGENCIES = ["人民政府", "工业和信息化厅", "经济和信息化委员会", "发展和改革委员会", "科学技术厅",
            "市场监督管理局", "网信办", "司法厅", "商务厅", "人力资源和社会保障厅", "数据局",
            "通信管理局", "知识产权局", "教育厅", "财政厅"]
COLUMNS = ["文件库", "最新信息", "工作动态", "通知公告", "政策解读", "政务要闻", "部门动态", "公示公告"]
TOPICS_AI = ["人工智能", "大模型", "生成式人工智能", "算力基础设施", "数据安全", "个人信息保护",
             "人脸识别技术应用", "智能体", "数据跨境流动", "深度合成服务", "算法备案", "AI+制造"]
TOPICS_OTHER = ["中小企业纾困", "安全生产", "乡村振兴", "营商环境", "冬春季森林防火", "知识产权保护",
                "专精特新企业", "制造业数字化转型", "5G应用", "工业互联网", "标准化工作", "节能降碳",
                "新能源汽车推广应用", "老旧小区改造", "职业技能培训", "预算执行", "统计执法检查",
                "消费品以旧换新", "外贸稳规模优结构", "高新技术企业认定", "科技成果转化",
                "首台（套）重大技术装备", "绿色工厂", "信息通信业", "政务服务“一网通办”"]
DOC_KINDS = ["行动计划（2024—2026年）", "实施方案", "若干措施", "管理办法（试行）", "工作要点",
             "指导意见", "三年行动方案", "专项资金管理办法", "评价指标体系", "工作方案"]
TEMPLATES = [
    "关于印发《{p}{t}{k}》的通知",
    "{p}{a}关于开展{t}专项行动的通知",
    "{p}{a}召开{t}工作推进会",
    "关于公布{y}年度{p}{t}试点示范项目名单的通知",
    "{p}{a}关于征求《{t}{k}（征求意见稿）》意见的公告",
    "{a}负责同志赴{c}调研{t}工作",
    "关于组织申报{y}年{t}专项资金项目的通知",
    "{p}{t}发展情况新闻发布会召开",
    "一图读懂《{p}{t}{k}》",
    "关于做好{y}年{t}有关工作的通知",
    "{p}{a}{y}年{t}工作情况通报",
    "{a}与{c}签署{t}战略合作协议",
]
CITIES = ["广州市", "深圳市", "珠海市", "佛山市", "东莞市", "杭州市", "宁波市", "苏州市", "南京市",
          "成都市", "武汉市", "青岛市", "厦门市", "合肥市", "郑州市", "长沙市", "西安市", "浦东新区"]
EN_TITLES = [
    "Consultation on the {t} framework opens", "Guidance on {t} for small firms published",
    "Regulator fines company over {t} failures", "Statement on {t} and consumer protection",
    "Call for evidence: {t} in public services", "Annual report on {t} released",
    "New rules for {t} take effect", "Joint statement with partners on {t}",
]
EN_TOPICS = ["artificial intelligence", "generative AI", "data protection", "online safety",
             "cyber security", "competition in digital markets", "deepfake labelling",
             "machine learning audits", "cloud services", "telecoms resilience", "open banking",
             "large language model evaluation", "smart meters", "spectrum auctions"]
SUMMARY_BITS = ["为深入贯彻落实党中央、国务院决策部署", "进一步优化营商环境", "推动高质量发展",
                "经研究，现将有关事项通知如下", "请各地级以上市结合实际认真贯彻执行",
                "加快构建现代化产业体系", "切实加强组织领导", "有关情况报告如下",
                "着力提升公共服务水平", "按照工作安排", "统筹发展和安全", "现予以公布"]


def rng_for(seed, *parts):
    return random.Random(f"{seed}:" + ":".join(str(p) for p in parts))


def cn_title(r, year):
    topic = r.choice(TOPICS_AI) if r.random() < 0.15 else r.choice(TOPICS_OTHER)
    return r.choice(TEMPLATES).format(p=r.choice(PROVINCES), a=r.choice(AGENCIES), t=topic,
                                      k=r.choice(DOC_KINDS), y=year, c=r.choice(CITIES))


def en_title(r):
    return r.choice(EN_TITLES).format(t=r.choice(EN_TOPICS))


def cn_summary(r):
    return "，".join(r.sample(SUMMARY_BITS, 4)) + "。"


class Site:
    def __init__(self, index, args):
        self.index = index
        self.id = f"site{index:04d}"
        r = rng_for(args.seed, "site", index)
        self.port = args.port + index % args.ports
        slot = index % 10
        self.kind = "rss" if slot == 8 else "atom" if slot == 9 else "html"
        self.charset = "gbk" if slot in (0, 3, 6) or (self.kind == "rss" and index % 20 == 8) \
            else "utf-8"
        self.layout = r.randrange(3)
        self.english = self.kind == "atom" or (self.kind == "rss" and r.random() < 0.5)
        self.province = r.choice(PROVINCES)
        self.agency = r.choice(AGENCIES)
        self.column = r.choice(COLUMNS)
        self.target = r.randint(30_000, 80_000)
        self.file = {"html": "index.html", "rss": "rss.xml", "atom": "atom.xml"}[self.kind]
        self.path = f"/{self.id}/{self.file}"
        self.url = f"http://127.0.0.1:{self.port}{self.path}"
        # 22 items, newest first: generation 1 shows [2:22], generation 2 shows [0:20].
        base = dt.datetime(2026, 11, 20, 9, 0) - dt.timedelta(days=r.randint(0, 5))
        self.items = []
        when = base
        for n in range(22):
            ir = rng_for(args.seed, "item", index, n)
            when -= dt.timedelta(hours=ir.randint(3, 60), minutes=ir.randint(0, 59))
            title = en_title(ir) if self.english else cn_title(ir, when.year)
            doc_id = 5_000_000 + index * 100 + (22 - n)
            self.items.append({
                "title": title,
                "href": f"/{self.id}/content/post_{doc_id}.html",
                "when": when,
                "summary": ir.choice(["Officials said the measure would apply from next year.",
                                      "The document sets out the steps firms must take."])
                if self.english else cn_summary(ir),
            })

    def shown(self, generation):
        return self.items[2:22] if generation == 1 else self.items[0:20]


# ---------------------------------------------------------------------------------------
# HTML

def head(site, r):
    css = "\n".join(
        f".m{r.randrange(1000)} .t{n}{{float:left;width:{r.randrange(50, 980)}px;height:"
        f"{r.randrange(20, 400)}px;margin:0 {r.randrange(0, 20)}px;background:url(/images/"
        f"bg{n}.png) no-repeat;font-size:{r.choice([12, 14, 16])}px;color:#{r.randrange(0xffffff):06x};}}"
        for n in range(r.randint(40, 70)))
    meta_charset = '<meta charset="gbk">' if site.charset == "gbk" else \
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta_charset}
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<meta name="SiteName" content="{site.province}{site.agency}" />
<meta name="ColumnName" content="{site.column}" />
<meta name="ColumnType" content="{site.column}" />
<meta name="keywords" content="{site.province},{site.agency},{site.column},政务公开" />
<title>{site.column}-{site.province}{site.agency}</title>
<link rel="stylesheet" type="text/css" href="/images/{site.id}/common.css" />
<link rel="stylesheet" type="text/css" href="/images/{site.id}/list.css" />
<script type="text/javascript" src="/images/jquery-1.12.4.min.js"></script>
<script type="text/javascript" src="/images/{site.id}/common.js"></script>
<style type="text/css">
{css}
</style>
<script>
var _hmt = _hmt || [];
(function() {{
  var hm = document.createElement("script");
  hm.src = "//hm.baidu.com/hm.js?{r.randrange(16**32):032x}";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
}})();
</script>
</head>
"""


def nav(site, r):
    menus = []
    for m in range(8):
        name = r.choice(["首页", "要闻动态", "政务公开", "政务服务", "互动交流", "数据发布", "专题专栏",
                         "走进" + site.province[:2], "机构概况", "政策文件"])
        subs = "\n".join(f'        <li><a href="/{site.id}/{m}/{s}/" target="_blank" '
                         f'title="{c}">{c}</a></li>'
                         for s, c in enumerate(r.sample(COLUMNS + TOPICS_OTHER, 10)))
        menus.append(f"""    <li class="nav-item nav{m}"><a href="/{site.id}/{m}/">{name}</a>
      <div class="xiala" style="display:none;"><ul class="sub-list clearfix">
{subs}
      </ul></div></li>""")
    return f"""<body>
<div class="top-bar"><div class="w1200 center"><span class="date" id="today"></span>
<a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> |
<a href="javascript:void(0)" onclick="AddFavorite(window.location,document.title)">加入收藏</a> |
<a href="/{site.id}/wza/" class="wza">无障碍浏览</a> | <a href="/{site.id}/en/">English</a></div></div>
<div class="header"><div class="w1200 center">
  <a class="logo" href="/{site.id}/"><img src="/images/{site.id}/logo.png" alt="{site.province}{site.agency}" /></a>
  <form class="search" action="/{site.id}/search/" method="get" target="_blank">
    <input type="text" name="q" class="search-input" placeholder="请输入关键词" />
    <input type="submit" class="search-btn" value="搜索" /></form>
</div></div>
<div class="nav"><ul class="nav-con w1200 center clearfix">
{chr(10).join(menus)}
</ul></div>
<div class="crumbs w1200 center">当前位置：<a href="/{site.id}/">首页</a> &gt; <a href="/{site.id}/zwgk/">政务公开</a> &gt; <span>{site.column}</span></div>
"""


def date_text(site, when):
    if site.layout == 0:
        return when.strftime("%Y-%m-%d")
    if site.layout == 1:
        return when.strftime("[%Y-%m-%d]")
    return when.strftime("%Y年%m月%d日")


def list_block(site, items):
    rows = []
    for it in items:
        d = date_text(site, it["when"])
        if site.layout == 0:   # gd.gov.cn 文件库
            rows.append(f'      <li><a href="{it["href"]}" target="_blank">{it["title"]}</a>'
                        f'<span class="time">{d}</span></li>')
        elif site.layout == 1:  # sheitc / beijing TRS list
            rows.append(f'      <li><span class="date">{d}</span><a href="{it["href"]}" '
                        f'title="{it["title"]}" target="_blank">{it["title"]}</a></li>')
        else:                   # news list with a summary
            rows.append(f'      <dl class="news-item"><dt><a href="{it["href"]}" target="_blank">'
                        f'{it["title"]}</a></dt>\n        <dd class="summary">{it["summary"]}</dd>'
                        f'\n        <dd class="pubdate">发布日期：{d}</dd></dl>')
    body = "\n".join(rows)
    if site.layout == 2:
        return f'  <div class="news-list" id="newsList">\n{body}\n  </div>\n'
    cls = "viewList" if site.layout == 0 else "list-box"
    return f'  <div class="{cls}">\n    <ul class="list">\n{body}\n    </ul>\n  </div>\n'


def side_module(site, r, n):
    title = r.choice(["热点专题", "政策解读", "图片新闻", "便民服务", "相关链接", "网上办事", "公示公告",
                      "领导之窗", "数据发布", "互动交流"])
    links = "\n".join(
        f'      <li><a href="/{site.id}/side{n}/{k}.html" target="_blank" title="{t}">{t}</a>'
        f'<i class="ico ico{k % 4}"></i></li>'
        for k, t in enumerate(cn_title(r, 2026) for _ in range(r.randint(8, 14))))
    return f"""  <div class="side-box box{n}"><div class="side-title"><h3>{title}</h3><a class="more" href="/{site.id}/side{n}/">更多&gt;&gt;</a></div>
    <ul class="side-list">
{links}
    </ul></div>
"""


def footer(site, r):
    groups = []
    for g in ["中央政府网站", "省级政府网站", "市县政府网站", "部门网站"]:
        opts = "\n".join(f'      <option value="https://www.example-{r.randrange(10**6)}.gov.cn/">'
                         f'{r.choice(PROVINCES)}{r.choice(AGENCIES)}</option>'
                         for _ in range(r.randint(15, 30)))
        groups.append(f'    <select onchange="window.open(this.value)"><option>{g}</option>\n'
                      f'{opts}\n    </select>')
    return f"""<div class="links w1200 center">
{chr(10).join(groups)}
</div>
<div class="footer"><div class="w1200 center">
  <p><a href="/{site.id}/about/">关于本网</a> | <a href="/{site.id}/map/">网站地图</a> | <a href="/{site.id}/contact/">联系我们</a> | <a href="/{site.id}/privacy/">隐私声明</a></p>
  <p>主办：{site.province}{site.agency} 承办：{site.province}政务服务数据管理局</p>
  <p>网站标识码：{r.randrange(10**10):010d} <a href="https://beian.miit.gov.cn/" target="_blank">粤ICP备{r.randrange(10**8)}号</a>
  <img src="/images/gongan.png" alt="" />公网安备 {r.randrange(10**14)}号</p>
  <script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/{r.randrange(100)}/000/0000/{r.randrange(10**8)}/CA{r.randrange(10**12)}.js' type='text/javascript'%3E%3C/script%3E"));</script>
</div></div>
<script type="text/javascript">
$(function(){{ $(".nav-item").hover(function(){{ $(this).find(".xiala").show(); }},function(){{ $(this).find(".xiala").hide(); }}); }});
createPageHTML(50, 0, "index", "html");
</script>
</body>
</html>
"""


def html_page(site, generation, seed):
    # The chrome depends on the site only, so generation 2 differs from generation 1 in the
    # list alone, like a CMS republishing the column.
    r = rng_for(seed, "chrome", site.index)
    top = head(site, r) + nav(site, r)
    sides = []
    bottom = footer(site, r)
    pager = ('  <div class="page"><a href="index.html">首页</a> <a href="index_1.html">下一页</a> '
             '<a href="index_49.html">尾页</a> 共50页</div>\n')

    def assemble(lst):
        main = (f'<div class="main w1200 center clearfix">\n <div class="left">\n'
                f'  <div class="list-title"><h2>{site.column}</h2></div>\n{lst}{pager} </div>\n'
                f' <div class="right">\n{"".join(sides)} </div>\n</div>\n')
        return top + main + bottom

    # Side modules are added until generation 1 reaches the site's size; generation 2 gets
    # the same ones.
    encoding = "gbk" if site.charset == "gbk" else "utf-8"
    while len(assemble(list_block(site, site.shown(1))).encode(encoding)) < site.target \
            and len(sides) < 200:
        sides.append(side_module(site, r, len(sides)))
    return assemble(list_block(site, site.shown(generation)))


# ---------------------------------------------------------------------------------------
# Feeds

def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rss_page(site, generation):
    host = f"http://127.0.0.1:{site.port}"
    items = "\n".join(f"""  <item>
    <title>{esc(it["title"])}</title>
    <link>{host}{it["href"]}</link>
    <guid isPermaLink="true">{host}{it["href"]}</guid>
    <pubDate>{(it["when"] - dt.timedelta(hours=8)).strftime("%a, %d %b %Y %H:%M:%S")} GMT</pubDate>
    <description>{esc("<p>" + it["summary"] + "</p><p>" + it["summary"] + "</p>")}</description>
  </item>""" for it in site.shown(generation))
    enc = "GBK" if site.charset == "gbk" else "UTF-8"
    return f"""<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0">
<channel>
  <title>{site.province}{site.agency} {site.column}</title>
  <link>{host}/{site.id}/</link>
  <description>{site.column}</description>
  <language>{"en" if site.english else "zh-cn"}</language>
{items}
</channel>
</rss>
"""


def atom_page(site, generation):
    host = f"http://127.0.0.1:{site.port}"
    shown = site.shown(generation)
    entries = "\n".join(f"""  <entry>
    <title>{esc(it["title"])}</title>
    <link rel="alternate" type="text/html" href="{host}{it["href"]}"/>
    <id>tag:127.0.0.1,2026:{it["href"]}</id>
    <updated>{it["when"].strftime("%Y-%m-%dT%H:%M:%S")}+08:00</updated>
    <summary type="html">{esc("<p>" + it["summary"] + "</p>")}</summary>
  </entry>""" for it in shown)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Regulator {site.index} news</title>
  <id>tag:127.0.0.1,2026:{site.id}</id>
  <updated>{shown[0]["when"].strftime("%Y-%m-%dT%H:%M:%S")}+08:00</updated>
  <link rel="self" href="{site.url}"/>
{entries}
</feed>
"""


def source_toml(site):
    lines = [f'id = "{site.id}"', f'name = "{site.province}{site.agency} · {site.column}"',
             'kind = "government"', f'language = "{"en" if site.english else "zh"}"',
             'timezone = "Asia/Shanghai"', 'interval = "2m"',
             f'type = "{"html" if site.kind == "html" else "feed"}"', f'url = "{site.url}"']
    if site.kind == "html":
        rules = [
            ('div.viewList ul li', 'a@href', None, 'span.time', None),
            ('div.list-box ul.list li', 'a@href', 'a@title', 'span.date', None),
            ('#newsList dl.news-item', 'dt a@href', 'dt a', 'dd.pubdate', 'dd.summary'),
        ][site.layout]
        lines += ["", "[list]", f'item = "{rules[0]}"', f'link = "{rules[1]}"']
        if rules[2]:
            lines.append(f'title = "{rules[2]}"')
        lines.append(f'date = "{rules[3]}"')
        if rules[4]:
            lines.append(f'summary = "{rules[4]}"')
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--ports", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--interval", default="2m", help="every source's interval (soak)")
    args = parser.parse_args()

    out = os.path.abspath(args.out)
    for sub in ("gen1", "gen2", "sources.d"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(os.path.join(out, "sources.d"))
    os.makedirs(os.path.join(out, "state"), exist_ok=True)
    manifest = []
    for i in range(args.sites):
        site = Site(i, args)
        entry = {"id": site.id, "path": site.path, "kind": site.kind, "charset": site.charset,
                 "layout": site.layout, "port": site.port}
        for generation in (1, 2):
            if site.kind == "html":
                text = html_page(site, generation, args.seed)
            elif site.kind == "rss":
                text = rss_page(site, generation)
            else:
                text = atom_page(site, generation)
            data = text.encode("gbk" if site.charset == "gbk" else "utf-8")
            target = os.path.join(out, f"gen{generation}", site.id, site.file)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
            # nginx's ETag is mtime-size: generation 2 is an hour newer, so a page whose
            # length did not change still gets a new ETag.
            stamp = 1_790_000_000 + (generation - 1) * 3600
            os.utime(target, (stamp, stamp))
            entry[f"bytes_gen{generation}"] = len(data)
        with open(os.path.join(out, "sources.d", f"{site.id}.toml"), "w", encoding="utf-8") as f:
            f.write(source_toml(site).replace('interval = "2m"', f'interval = "{args.interval}"'))
        manifest.append(entry)
    for generation in (1, 2):
        # robots.txt on every port's root: herald reads it once per host.
        with open(os.path.join(out, f"gen{generation}", "robots.txt"), "w") as f:
            f.write("User-agent: *\nDisallow: /search/\n")
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=0)
    with open(os.path.join(out, "herald.toml"), "w", encoding="utf-8") as f:
        f.write("""# Poll-cycle benchmark configuration (generated by bench/corpus/generate.py).
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
user_agent = "herald-bench/0.1"
timeout = "30s"
min_delay = "0s"

[schedule]
jitter = 0.1

[[topics]]
name = "ai-law"
threshold = 1.0
keywords = ["人工智能", "大模型", "生成式", "深度合成", "算法", "人脸识别", "数据安全", "个人信息",
            "数据跨境", "智能体", "算力", "AI", "AIGC", "LLM",
            { term = "artificial intelligence", weight = 2.0 }, { term = "deepfake", weight = 1.0 },
            { term = "large language model", weight = 2.0 }, { term = "machine learning", weight = 1.0 }]

[web]
enabled = false
""")
    link = os.path.join(out, "www")
    if os.path.islink(link) or os.path.exists(link):
        os.remove(link)
    os.symlink("gen1", link)
    sizes = [m["bytes_gen1"] for m in manifest if m["kind"] == "html"]
    print(f"{args.sites} sites in {out}: {len(sizes)} HTML pages "
          f"({min(sizes) if sizes else 0}-{max(sizes) if sizes else 0} bytes, mean "
          f"{sum(sizes) // max(1, len(sizes))}), "
          f"{sum(1 for m in manifest if m['charset'] == 'gbk')} GBK, "
          f"{sum(1 for m in manifest if m['kind'] == 'rss')} RSS, "
          f"{sum(1 for m in manifest if m['kind'] == 'atom')} Atom", file=sys.stderr)


if __name__ == "__main__":
    main()
