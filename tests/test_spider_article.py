"""The `article` spider: pasted URLs through the generic extractor, argument errors in one line."""

import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.spiders.article import ArticleSpider
from newscrawl.spiders.base import SpiderArgumentError

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "tests" / "fixtures" / "generic"
BASE = "https://www.xinzhi.example/news/2025/07/"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "article needs -a urls=URL[,URL…]"),
        ({"urls": " , "}, "article needs -a urls="),
        ({"urls": "www.example.com/a.html"}, "urls must be http(s) URLs separated by commas"),
        ({"urls": BASE + "1001.html", "tz": "Mars/Olympus"}, "tz must be an IANA time zone"),
        ({"urls": BASE + "1001.html", "since": "yesterday"}, "since must be a date like 2024-01-31"),
    ],
)
def test_bad_arguments_say_what_to_pass(kwargs, message):
    with pytest.raises(SpiderArgumentError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        ArticleSpider(**kwargs)


def test_crawl_without_urls_prints_one_line_and_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "article"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == "scrapy crawl article: article needs -a urls=URL[,URL…]"
    assert "Traceback" not in result.stderr


def test_pasted_urls_become_articles(run_crawl):
    urls = ",".join(BASE + name for name in ("1001.html?utm_source=wechat", "1003.html", "1004.html", "0404.html"))
    items, log, code = run_crawl("article", MIRROR, "-a", f"urls={urls}", "-a", "tz=Asia/Shanghai")
    assert code == 0, log[-3000:]
    by_url = {item["url"]: item for item in items}
    assert set(by_url) == {BASE + "1001.html", BASE + "1003.html"}
    jsonld, gbk = by_url[BASE + "1001.html"], by_url[BASE + "1003.html"]
    assert jsonld["portal"] == "article"
    assert jsonld["title"] == "国产存储芯片厂商加速扩产，HBM成新焦点"
    assert jsonld["published_at"] == "2025-07-08T09:30:00+08:00"
    assert gbk["title"] == "工信部：推动光伏行业高质量发展 遏制低价无序竞争"  # decoded from GBK
    assert (gbk["source"], gbk["author"]) == ("新华社", "张三")
    # the video page has no article, the dead link is a 404: both counted, neither crashes the run
    assert "'newscrawl/pages/not_article': 1" in log
    assert "'newscrawl/pages/http_error/404': 1" in log
    assert "Traceback" not in log


REAL_ITHOME = ROOT.parent / "shared" / "realpages" / "ithome" / "article-866661.html"


@pytest.mark.skipif(not REAL_ITHOME.is_file(), reason=f"real page not present at {REAL_ITHOME}")
def test_real_ithome_page_through_the_article_spider():
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    url = "https://www.ithome.com/0/866/661.htm"
    crawler = get_crawler(ArticleSpider)
    spider = ArticleSpider.from_crawler(crawler, urls=url + "?from=wechat")
    request = spider.article_request(spider.start_urls[0])
    assert request.url == url
    response = HtmlResponse(url=url, body=REAL_ITHOME.read_bytes(), request=Request(url))
    (item,) = list(spider.parse_article(response))
    assert (item.url, item.portal, item.site) == (url, "article", "IT之家")
    assert item.title == "蔚来回应与江淮合资公司注销：正常调整，对生产无影响"
    assert item.published_at == "2025-07-08T18:04:18+08:00"
    assert (item.author, item.source) == ("远洋", "IT之家")
    assert item.headimg == (
        "https://img.ithome.com/newsuploadfiles/2025/7/14f2a90e-7aca-4cd5-9025-f20108f7f59d.jpg"
        "?x-bce-process=image/format,f_auto"
    )
    assert all("t.png" not in image for image in item.images)
    assert "感谢IT之家网友" not in item.body_text
