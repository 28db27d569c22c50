from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from newscrawl import processors as p

SH = ZoneInfo("Asia/Shanghai")
# A fixed "now" for relative dates: 2026-11-26 10:00 Beijing.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)

SEED_IMG = "http://images.ofweek.com/Upload/News/2022-8/10/Zyong/20220810142147_1660112507370606846.png"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2022-08-10 14:20", "2022-08-10T14:20:00+08:00"),
        ("  \n\t 2022-08-10 14:20  \r\n", "2022-08-10T14:20:00+08:00"),
        ("2022/8/10 14:20:05", "2022-08-10T14:20:05+08:00"),
        ("2025/7/8 18:04:18", "2025-07-08T18:04:18+08:00"),
        ("2022年08月10日 14:20", "2022-08-10T14:20:00+08:00"),
        ("2022年8月10日14:20", "2022-08-10T14:20:00+08:00"),
        ("2022年8月10日", "2022-08-10T00:00:00+08:00"),
        ("2022-08-10", "2022-08-10T00:00:00+08:00"),
        ("2022.08.10 14:20", "2022-08-10T14:20:00+08:00"),
        ("发布时间：2022-08-10 14:20", "2022-08-10T14:20:00+08:00"),
        ("时间: 2022-08-10 14:20", "2022-08-10T14:20:00+08:00"),
        ("２０２２－０８－１０　１４：２０", "2022-08-10T14:20:00+08:00"),  # full-width
        ("Wed, 10 Aug 2022 06:20:00 GMT", "2022-08-10T14:20:00+08:00"),  # the seed's RSS date
        ("Wed, 10 Aug 2022 14:20:00 +0800", "2022-08-10T14:20:00+08:00"),
        ("2022-08-10T06:20:00Z", "2022-08-10T14:20:00+08:00"),
        ("2022-08-10T14:20:00+08:00", "2022-08-10T14:20:00+08:00"),
        ("2022-08-10T14:20:00", "2022-08-10T14:20:00+08:00"),
        ("2022-08-10 14:20:00+08:00", "2022-08-10T14:20:00+08:00"),
        ("08-10 14:20", "2026-08-10T14:20:00+08:00"),  # no year: latest year not in the future
        ("12-25 09:00", "2025-12-25T09:00:00+08:00"),  # Christmas 2026 is still ahead of NOW
        ("3小时前", "2026-11-26T07:00:00+08:00"),
        ("41分钟前", "2026-11-26T09:19:00+08:00"),
        ("2天前", "2026-11-24T10:00:00+08:00"),
        ("刚刚", "2026-11-26T10:00:00+08:00"),
        ("昨天 10:20", "2026-11-25T10:20:00+08:00"),
        ("前天 23:05", "2026-11-24T23:05:00+08:00"),
        ("今天 08:00", "2026-11-26T08:00:00+08:00"),
        ("10 August 2022", "2022-08-10T00:00:00+08:00"),  # dateparser path
    ],
)
def test_parse_date_formats(raw, expected):
    assert p.to_iso(p.parse_date(raw, "Asia/Shanghai", NOW)) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "未知", "2022-13-45 99:99", "not a date at all", "第3期"])
def test_parse_date_unparseable_is_none(raw):
    assert p.parse_date(raw, "Asia/Shanghai", NOW) is None


def test_parse_date_seed_is_0620_utc():
    parsed = p.parse_date("2022-08-10 14:20", "Asia/Shanghai")
    assert parsed.astimezone(timezone.utc) == datetime(2022, 8, 10, 6, 20, tzinfo=timezone.utc)


def test_parse_date_other_portal_zone():
    assert p.to_iso(p.parse_date("2022-08-10 14:20", "Europe/Berlin")) == "2022-08-10T14:20:00+02:00"


@pytest.mark.parametrize(
    "raw, base, expected",
    [
        ("https://cors.zfour.workers.dev/?" + SEED_IMG, None, SEED_IMG),
        (" https://cors.zfour.workers.dev/?" + SEED_IMG + "\n", None, SEED_IMG),
        ("https://proxy.example/img?url=" + "http%3A%2F%2Fimages.ofweek.com%2Fa.png", None, "http://images.ofweek.com/a.png"),
        ("https://images.weserv.nl/?url=https://img.ithome.com/x.jpg&w=300", None, "https://img.ithome.com/x.jpg"),
        ("https://wsrv.example/https://img.ithome.com/x.jpg", None, "https://img.ithome.com/x.jpg"),
        ("//img.ithome.com/newsuploadfiles/2025/7/a.jpg", "https://www.ithome.com/0/866/661.htm",
         "https://img.ithome.com/newsuploadfiles/2025/7/a.jpg"),
        ("/Upload/News/2022-8/10/a.png", "http://cloud.ofweek.com/2022-08/ART-1-2-30570417.html",
         "http://cloud.ofweek.com/Upload/News/2022-8/10/a.png"),
        ("a.png", "https://x.com/news/1.html", "https://x.com/news/a.png"),
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", "https://x.com/", None),
        ("//img.ithome.com/images/v2/t.png", "https://www.ithome.com/", None),
        ("https://x.com/static/blank.gif", None, None),
        ("https://x.com/img/spacer.gif", None, None),
        ("https://x.com/images/loading.gif", None, None),
        ("https://x.com/img/1x1.png", None, None),
        ("javascript:void(0)", "https://x.com/", None),
        ("", "https://x.com/", None),
        ("   ", "https://x.com/", None),
    ],
)
def test_image_url(raw, base, expected):
    assert p.image_url(raw, base) == expected


def test_image_url_drops_portal_chrome():
    chrome = (r"ofweek\.com/(?:article/images/bar|images/logo|newOFweekIndex|ofweek/images)/",)
    assert p.image_url("http://images.ofweek.com/images/logo/ofweek.png", None, chrome) is None
    assert p.image_url("//images.ofweek.com/article/images/bar/share.png", "https://ee.ofweek.com/", chrome) is None
    assert p.image_url(SEED_IMG, None, chrome) == SEED_IMG


@pytest.mark.parametrize(
    "attrs, expected",
    [
        ({"src": "//img.ithome.com/images/v2/t.png", "data-original": "https://img.ithome.com/a.jpg?x-bce-process=image"},
         "https://img.ithome.com/a.jpg?x-bce-process=image"),
        ({"src": "data:image/png;base64,AAAA", "data-src": "/a.jpg"}, "/a.jpg"),
        ({"src": "blank.gif", "data-lazy-src": "b.jpg"}, "b.jpg"),
        ({"srcset": "a-320.jpg 320w, a-1280.jpg 1280w, a-640.jpg 640w"}, "a-1280.jpg"),
        ({"src": "real.jpg"}, "real.jpg"),
        ({"src": "loading.gif"}, None),
        ({}, None),
    ],
)
def test_pick_image_source(attrs, expected):
    assert p.pick_image_source(attrs) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("首页 > 云计算 > 正文", ["云计算"]),
        ("当前位置：首页 » 智车之家 » 汽车新闻", ["智车之家", "汽车新闻"]),
        ("华为云,公有云,云平台", ["华为云", "公有云", "云平台"]),
        ("华为云，公有云、云平台；政务云|华为云", ["华为云", "公有云", "云平台", "政务云"]),
        ("  ５Ｇ / ＩｏＴ  ", ["5G", "IoT"]),  # NFKC
        ("AI;;  ; ,", ["AI"]),
        ("", []),
        (None, []),
        ("首页", []),
    ],
)
def test_split_terms(raw, expected):
    assert p.split_terms(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("来源：OFweek云计算网", "OFweek云计算网"),
        ("来源: 半导体产业纵横 ", "半导体产业纵横"),
        ("作者 | 陈逸辰", "陈逸辰"),
        ("作者：张三", "张三"),
        ("编辑：Zyong", "Zyong"),
        ("责任编辑：李四", "李四"),
        ("IT之家", "IT之家"),
        ("来源：", None),
        ("\u3000\u3000", None),
    ],
)
def test_strip_label(raw, expected):
    assert p.strip_label(raw) == expected


@pytest.mark.parametrize(
    "raw, names, expected",
    [
        ("连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位 - OFweek云计算网", [r"OFweek\S{0,12}?网?"],
         "连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位"),
        ("蔚来回应与江淮合资公司注销：正常调整，对生产无影响 - IT之家", ["IT之家"], "蔚来回应与江淮合资公司注销：正常调整，对生产无影响"),
        ("标题_盖世汽车", ["盖世汽车"], "标题"),
        ("A - B 对比评测", ["IT之家"], "A - B 对比评测"),
        ("  多余   空白\n标题 ", [], "多余 空白 标题"),
    ],
)
def test_strip_site_suffix(raw, names, expected):
    assert p.strip_site_suffix(raw, names) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("https://www.ithome.com/0/866/661.htm?utm_source=rss&utm_medium=x#comment",
         "https://www.ithome.com/0/866/661.htm"),
        ("HTTP://Cloud.OFweek.com/a.html?from=timeline&spm=a.b&id=3", "http://cloud.ofweek.com/a.html?id=3"),
        ("//www.c114.com.cn/news/16/a1316885.html", "https://www.c114.com.cn/news/16/a1316885.html"),
    ],
)
def test_canonical_url(raw, expected):
    assert p.canonical_url(raw) == expected


def test_clean_body_html_removes_dangerous_and_chrome():
    html = """
    <div id="articleC"><p style="text-indent: 2em" onclick="evil()">正文第一段，<span class="hrefStyle"><a
      href="http://cloud.ofweek.com/tag-华为云.HTM" title="华为云">华为云</a></span>很强。</p>
    <script>var ad = 1;</script><style>.x{}</style>
    <iframe src="https://ads.example/"></iframe>
    <form action="/login"><input name="u"><button>登录</button></form>
    <p><a href="javascript:alert(1)">点我</a> <a href="/rel.html">相关</a></p>
    <p style="text-align:center"><img src="//img.example.com/a.jpg" onerror="x()"></p>
    <p><img src="data:image/gif;base64,R0lGOD" data-original="/b.jpg"></p>
    <p><img src="http://images.ofweek.com/images/logo/logo.png"></p>
    <div class="ad">广告：买买买</div>
    <p>&nbsp;</p>
    </div>"""
    out = p.clean_body_html(html, "https://cloud.ofweek.com/2022-08/x.html", drop=(".ad",),
                            chrome=(r"ofweek\.com/images/logo/",))
    for banned in ("<script", "<style", "iframe", "<form", "<input", "<button", "onclick", "onerror",
                   "javascript:", "广告", "logo.png", "登录", "var ad", "style="):
        assert banned not in out
    assert '<img src="https://img.example.com/a.jpg">' in out
    assert '<img src="https://cloud.ofweek.com/b.jpg">' in out
    assert 'href="https://cloud.ofweek.com/rel.html"' in out
    assert p.images_from_html(out) == ["https://img.example.com/a.jpg", "https://cloud.ofweek.com/b.jpg"]
    text = p.html_to_text(out)
    assert text.splitlines()[0] == "正文第一段，华为云很强。"  # inline tag span joined, no line break


def test_clean_body_html_survives_broken_markup():
    out = p.clean_body_html("<p>第一段<p>第二段<div><b>未闭合", "https://x.com/")
    assert p.html_to_text(out) == "第一段\n\n第二段\n\n未闭合"
    assert p.clean_body_html("   ", "https://x.com/") is None
    assert p.clean_body_html(None) is None


def test_html_to_text_paragraphs():
    html = "<p>\u3000\u3000第一段 文字</p><p>第二<br>行</p><ul><li>甲</li><li>乙</li></ul>"
    assert p.html_to_text(html) == "第一段 文字\n\n第二\n\n行\n\n甲\n\n乙"


def test_content_hash_ignores_whitespace_width_and_punctuation_spacing():
    a = p.content_hash("华为云 连续5年\n\n蝉联第一。")
    b = p.content_hash("华为云连续５年蝉联第一。  ")
    assert a == b and len(a) == 64
    assert p.content_hash("另一篇文章") != a
    assert p.content_hash("") is None


def test_parse_since():
    assert str(p.parse_since("2024-01-31")) == "2024-01-31"
    assert p.parse_since(None) is None
    with pytest.raises(ValueError, match="since must be a date"):
        p.parse_since("31/01/2024")


def test_images_are_unescaped_urls():
    out = p.clean_body_html('<p><img src="https://x.com/a.png?w=1&amp;h=2"></p>', "https://x.com/")
    assert p.images_from_html(out) == ["https://x.com/a.png?w=1&h=2"]
