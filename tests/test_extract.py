"""The generic extractor: JSON-LD-only, OpenGraph-only and bare pages, the real IT之家 page, portal fallback."""

import json
import re
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.extract import PageExtractor, extract_article
from newscrawl.spiders.ofweek import OfweekSpider

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "tests" / "fixtures" / "generic" / "www.xinzhi.example"
REAL_ITHOME = ROOT.parent / "shared" / "realpages" / "ithome" / "article-866661.html"
OFWEEK = json.loads((ROOT / "tests" / "fixtures" / "ofweek" / "EXPECTED.json").read_text("utf-8"))


def page(name, encoding="utf-8"):
    url = f"https://www.xinzhi.example/news/2025/07/{name}"
    return extract_article((SITE / "news/2025/07" / name).read_text(encoding), url)


def test_page_with_only_json_ld_graph_and_trailing_commas():
    item = page("1001.html")
    # The headline exists only in JSON-LD (the <title> has the site first, there is no h1).
    assert item.title == "国产存储芯片厂商加速扩产，HBM成新焦点"
    assert item.published_at == "2025-07-08T09:30:00+08:00"  # 01:30Z in Beijing time
    assert item.author == "李明, 王芳"
    assert item.tags == ["HBM", "存储芯片", "扩产"]
    assert item.categories == ["存储"]
    assert item.summary == "多家国产存储厂商宣布扩产计划，高带宽内存（HBM）成为新一轮投资焦点。"
    assert item.site == "芯智网"
    assert item.url == "https://www.xinzhi.example/news/2025/07/1001.html"
    # lazy image's data-src, not the grey.gif placeholder; the ad banner and inline ad are gone
    assert item.images == ["https://img.xinzhi.example/2025/07/hbm-line.jpg"]
    assert item.headimg == "https://img.xinzhi.example/2025/07/hbm-line.jpg"
    assert "避免出现阶段性产能过剩" in item.body_text
    for chrome in ("相关阅读", "热门文章", "版权所有", "分享到微信", "document.write", "登录"):
        assert chrome not in item.body_text
    assert "<script" not in item.body_html and "<iframe" not in item.body_html


def test_page_with_only_opengraph():
    item = page("1002.html")
    assert item.title == "车规级MCU迎来新一轮国产替代窗口期"  # og:title minus the og:site_name suffix
    assert item.published_at == "2025-07-09T14:05:00+08:00"
    assert item.author == "陈晓"
    assert item.tags == ["MCU", "车规芯片"]
    assert item.categories == ["汽车电子"]
    assert item.url == "https://www.xinzhi.example/news/2025/07/1002.html"  # og:url without utm_source
    assert item.images == ["https://img.xinzhi.example/2025/07/mcu-board.jpg"]  # data-original over a data: URI
    assert not item.body_text.startswith("车规级MCU迎来")  # the headline is not repeated as the body's first line
    assert item.body_text.endswith("才能真正赢得整车厂的信任并形成规模效应。")


def test_page_without_structured_data_reads_the_byline_under_the_headline():
    item = page("1003.html", encoding="gbk")
    assert item.title == "工信部：推动光伏行业高质量发展 遏制低价无序竞争"
    assert item.published_at == "2025-07-10T09:30:00+08:00"
    assert item.source == "新华社"
    assert item.author == "张三"
    assert item.site == "芯智网"
    assert item.categories == ["产业动态"]
    assert item.body_text.startswith("新华社北京7月10日电")
    assert "责任编辑" not in item.body_text and "浏览" not in item.body_text


def test_pages_without_an_article_have_no_body():
    assert page("1004.html").body_html is None  # a video page: headline and player only
    listing = extract_article((SITE / "storage" / "index.html").read_text("utf-8"), "https://www.xinzhi.example/storage/")
    assert listing.body_html is None  # a list of links is not a body


def test_broken_json_ld_is_ignored_and_other_sources_used():
    html = """<html><head><title>标题甲 - 站点</title>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "坏的 JSON </script>
    <meta property="article:published_time" content="2025-01-02 03:04:05"></head>
    <body><h1>标题甲</h1><p>正文</p></body></html>"""
    extracted = PageExtractor(html, "https://x.example/a/1.html")
    assert extracted.title == "标题甲"
    assert extracted.published_at == "2025-01-02 03:04:05"


@pytest.mark.skipif(not REAL_ITHOME.is_file(), reason=f"real page not present at {REAL_ITHOME}")
def test_real_ithome_page_through_the_generic_extraction():
    item = extract_article(REAL_ITHOME.read_text("utf-8"), "https://www.ithome.com/0/866/661.htm")
    assert item.title == "蔚来回应与江淮合资公司注销：正常调整，对生产无影响"
    assert item.published_at == "2025-07-08T18:04:18+08:00"
    assert item.author == "远洋"
    assert item.source == "IT之家"
    assert item.headimg.startswith("https://img.ithome.com/newsuploadfiles/2025/7/14f2a90e-")
    assert not any(re.search(r"/t\.png", url) for url in item.images)
    assert item.tags == ["蔚来", "江淮汽车"]
    assert "感谢IT之家网友" not in item.body_text  # the reader-credit block
    assert item.body_text.startswith("IT之家 7 月 8 日消息")


# --------------------------------------------------------------------- portal fallback


def ofweek_spider():
    crawler = get_crawler(OfweekSpider)
    return OfweekSpider.from_crawler(crawler), crawler.stats


def load(spider, response):
    """The portal page's item, what the page counted relayed to the spider's stats; and the page."""
    page = spider.page(response)
    item = page.to_item()
    spider.relay(page.counts, page.notes)
    return item, page


def ofweek_response(url, transform=None):
    body = (ROOT / "samples" / "mirror" / url.split("//", 1)[1]).read_bytes()
    if transform:
        body = transform(body.decode("gb18030")).encode("gb18030")
    return HtmlResponse(url=url, body=body, encoding="gb18030")


def test_fallback_fills_nothing_wrongly_on_the_ofweek_samples():
    spider, stats = ofweek_spider()
    for url, expected in OFWEEK["articles"].items():
        item, _ = load(spider, ofweek_response(url))
        for field in ("title", "published_at", "author", "source", "summary", "tags", "headimg"):
            if field in expected:
                assert getattr(item, field) == expected[field], (url, field)
    assert not {k: v for k, v in stats.get_stats().items() if k.startswith("newscrawl/fallback/")}


def test_changed_ofweek_layout_is_filled_by_the_extractor_and_counted():
    url = "https://ai.ofweek.com/2026-02/ART-201700-8420-30701342.html"
    expected = OFWEEK["articles"][url]

    def relayout(html):
        html = html.replace('class="artical"', 'class="news-detail"').replace('class="time fl"', 'class="pub-time"')
        return html.replace('id="articleC" class="artical-content"', 'id="content" class="news-content"')

    spider, stats = ofweek_spider()
    item, _ = load(spider, ofweek_response(url, relayout))
    assert item.published_at == expected["published_at"]
    for sentence in expected["body_text_contains"]:
        assert sentence in item.body_text
    assert stats.get_value("newscrawl/fallback/published_at") == 1
    assert stats.get_value("newscrawl/fallback/body_html") == 1
    assert stats.get_value("newscrawl/fallback/title") is None


def test_fallback_extracts_lazily_without_trafilatura_when_the_body_is_there():
    url = "https://ai.ofweek.com/2026-02/ART-201700-8420-30701342.html"
    spider, stats = ofweek_spider()
    response = ofweek_response(url, lambda html: re.sub(r'<meta name="description"[^>]*>', "", html))
    _, page = load(spider, response)
    extracted = page.extractor
    assert "summary" in extracted.__dict__  # the missing field was looked up
    assert "body_html" not in extracted.__dict__  # the expensive main-text extraction never ran


def test_naive_dates_take_the_given_zone_and_a_site_named_author_is_no_author():
    html = (SITE / "news/2025/07/1003.html").read_bytes().decode("gbk")
    item = extract_article(html, "https://www.xinzhi.example/news/2025/07/1003.html", tz="Europe/Berlin")
    assert item.published_at == "2025-07-10T09:30:00+02:00"
    html = """<html><head><title>芯片新闻标题乙 - 芯智网</title><meta name="author" content="芯智网"></head>
    <body><div class="nav position-fixed"><a href="/">首页</a><a href="/x/">频道</a></div><h1>芯片新闻标题乙</h1></body></html>"""
    extracted = PageExtractor(html, "https://www.xinzhi.example/a/2.html")
    assert extracted.author is None
    assert extracted.categories == []  # a "position-fixed" nav bar is no breadcrumb


def test_text_folded_behind_a_button_is_read_but_other_hidden_blocks_are_not():
    paragraph = "<p>第{}段：国产功率半导体企业在车规认证、产能建设和客户导入方面取得了明显进展，市场份额逐步提升。</p>"
    html = f"""<html><head><title>功率半导体新进展 - 某网</title></head><body>
    <div class="nav"><a href="/">首页</a></div>
    <div class="login-modal" style="display:none"><p>请登录后查看更多精彩内容，登录即可领取新人礼包和积分奖励。</p></div>
    <h1>功率半导体新进展</h1>
    <div class="article-body" style="max-height:600px;overflow:hidden">{paragraph.format(1)}{paragraph.format(2)}
      <div class="open-more"><span>展开全文</span></div>
      <div class="article-hide-content" style="display: none">{paragraph.format(3)}{paragraph.format(4)}</div>
    </div></body></html>"""
    item = extract_article(html, "https://news.example.cn/a/1.html")
    assert [line[:3] for line in item.body_text.split("\n\n")] == ["第1段", "第2段", "第3段", "第4段"]
    assert "展开全文" not in item.body_text and "请登录" not in item.body_text


def test_info_lines_above_and_notices_below_the_text_are_not_body():
    paragraph = "<p>第{}段：新能源汽车线控底盘渗透率持续提升，国内供应商在制动和转向系统上加快了量产节奏。</p>"
    html = f"""<html><head><title>线控底盘加速上车_某汽车网</title></head><body>
    <div class="nav"><a href="/">首页</a> <a href="/news/">资讯</a></div>
    <h1>线控底盘加速上车</h1>
    <div class="detail"><p>2026-07-23 10:21:35<br>来源：某汽车网<br>阅读：1024</p>
    <p>摘要：线控底盘渗透率提升。</p>
    {paragraph.format(1)}{paragraph.format(2)}<p><img src="https://img.example.cn/a.jpg"></p>{paragraph.format(3)}
    <p>声明：本文系某汽车网原创，未经授权不得转载。</p>
    <p><img src="https://img.example.cn/qrcode.jpg"><br>扫码关注某汽车网</p></div>
    <div class="footer">关于我们</div></body></html>"""
    item = extract_article(html, "https://auto.example.cn/news/1.html")
    assert [line[:3] for line in item.body_text.split("\n\n")] == ["第1段", "第2段", "第3段"]
    assert item.images == ["https://img.example.cn/a.jpg"]  # the QR code went with its caption
    assert item.published_at == "2026-07-23T10:21:35+08:00" and item.source == "某汽车网"


def test_a_failing_extractor_never_costs_the_portal_its_item(monkeypatch):
    url = "https://ai.ofweek.com/2026-02/ART-201700-8420-30701342.html"
    spider, stats = ofweek_spider()

    def broken(self):
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(PageExtractor, "summary", property(broken))
    response = ofweek_response(url, lambda html: re.sub(r'<meta name="description"[^>]*>', "", html))
    item, _ = load(spider, response)
    assert item.title == OFWEEK["articles"][url]["title"]
    assert stats.get_value("newscrawl/fallback/failed") == 1
