"""Write an OFweek-like site of N articles as a `wget -m` tree (NEWSCRAWL_MIRROR) for crawl tests and benches."""

from __future__ import annotations

from pathlib import Path

LIST_URL = "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"
PER_PAGE = 20
CHANNELS = (("ee", "电子工程", 2800), ("ai", "人工智能", 201700), ("robot", "机器人", 8321200), ("iot", "物联网", 132200))
TOPICS = ("芯片", "传感器", "储能电池", "工业机器人", "光伏组件", "车规级MCU", "激光雷达", "边缘计算")

HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}</title>
<meta name="keywords" content="{keywords}" />
<meta name="description" content="{description}" />
<link href="//www.ofweek.com/css/newIndex/common.css" rel="stylesheet" type="text/css" />
<script src="//www.ofweek.com/js/jquery-1.8.3.min.js"></script>
<script>var _hmt = _hmt || []; (function(){{var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?x";}})();</script>
</head><body>
<div class="top"><div class="w1200"><a href="https://www.ofweek.com/"><img src="https://images.ofweek.com/images/logo/ofweek_logo.png" alt="OFweek"></a>
<ul class="nav"><li><a href="https://ee.ofweek.com/">电子工程</a></li><li><a href="https://ai.ofweek.com/">人工智能</a></li>
<li><a href="https://robot.ofweek.com/">机器人</a></li><li><a href="https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html">产业新闻</a></li></ul></div></div>
<div class="ad"><a href="https://e.ofweek.com/ad/1"><img src="https://images.ofweek.com/newOFweekIndex/ad_1200x90.jpg"></a></div>
"""
FOOT = """<div class="footer"><p>Copyright &copy; 2004-2026 OFweek维科网 All Rights Reserved 粤ICP备06087881号</p>
<p><a href="https://www.ofweek.com/about/">关于我们</a> | <a href="https://www.ofweek.com/contact/">联系我们</a></p></div>
<script src="//www.ofweek.com/js/footer.js"></script>
</body></html>
"""


def article_url(i: int) -> str:
    channel, _, code = CHANNELS[i % len(CHANNELS)]
    month = f"2026-{1 + i % 9:02d}"
    return f"https://{channel}.ofweek.com/{month}/ART-{code}-8420-{30700000 + i}.html"


def list_url(page: int) -> str:
    return LIST_URL if page == 1 else LIST_URL.replace(".html", f"-{page}.html")


def _date(i: int) -> str:
    return f"2026-{1 + i % 9:02d}-{1 + i % 27:02d} {8 + i % 12:02d}:{(i * 7) % 60:02d}"


def _title(i: int) -> str:
    return f"{TOPICS[i % len(TOPICS)]}市场观察第{i}期：国产厂商加速布局（{i}）"


def article_page(i: int) -> str:
    channel, name, _ = CHANNELS[i % len(CHANNELS)]
    topic = TOPICS[i % len(TOPICS)]
    title = _title(i)
    paragraphs = "\n".join(
        f'<p style="text-indent: 2em; text-align: left;">第{i}篇第{n}段：{topic}产业链在{2026 - n}年前后持续扩张，'
        f'<span class="hrefStyle"><a href="http://{channel}.ofweek.com/tag-{topic}.HTM" title="{topic}">{topic}</a></span>'
        f"出货量同比增长{(i * 13 + n * 7) % 90 + 5}%，业内人士认为这一趋势仍将延续。</p>"
        for n in range(1, 5)
    )
    return (
        HEAD.format(title=f"{title} - OFweek{name}网", keywords=f"{topic},{name}", description=f"{title}。{topic}产业观察。")
        + f"""<div class="main w1200"><div class="position gray"><a href="https://www.ofweek.com/">首页</a> &gt; <a href="https://{channel}.ofweek.com/">{name}</a></div>
<div class="artical">
<h1>{title}</h1>
<div class="artical-relative clearfix"><div class="time fl">
  {_date(i)}
</div><div class="source-name">OFweek{name}网</div></div>
<div class="share bdsharebuttonbox"><a class="bds_weixin" href="#">微信</a></div>
<div id="articleC" class="artical-content">
<p style="text-indent: 2em; text-align: left;">作者 | 记者{i % 17}号</p>
{paragraphs}
<p style="text-align:center"><img src="http://images.ofweek.com/Upload/News/2026-1/{i}/editor/{1700000000 + i}.png"></p>
</div>
<input type="hidden" id="detailId" value="{30700000 + i}">
<div class="statement">声明：本文由入驻维科号的作者撰写，观点仅代表作者本人。</div>
</div>
<div class="related xgwz"><h3>相关阅读</h3><a href="{article_url((i + 1) % 7)}">相关文章</a></div>
</div>
"""
        + FOOT
    )


def list_page(page: int, count: int, newest_first: bool = False) -> str:
    first, last = (page - 1) * PER_PAGE, min(page * PER_PAGE, count)
    order = [count - 1 - i for i in range(first, last)] if newest_first else range(first, last)
    rows = "\n".join(
        f"""<div class="con-details"><h3><a href="{article_url(i).replace('https:', '')}" target="_blank">{_title(i)}</a></h3>
<p class="summary">{TOPICS[i % len(TOPICS)]}产业观察……</p><div class="fb"><span class="fb-tl">{_date(i)}</span></div></div>"""
        for i in order
    )
    pages = -(-count // PER_PAGE)
    pager = f'<a href="{list_url(page + 1)}">下一页</a>' if page < pages else ""
    return (
        HEAD.format(title="产业新闻-OFweek维科网", keywords="产业新闻", description="OFweek产业新闻")
        + f"""<div class="main w1200"><div class="list-left">
{rows}
</div><div class="page">{pager}</div>
<div class="list-right"><div class="ad"><img src="https://images.ofweek.com/newOFweekIndex/ad_300x250.jpg"></div></div></div>
"""
        + FOOT
    )


def write_site(root: Path, count: int, newest_first: bool = False) -> list[str]:
    """Write list pages and ``count`` articles under ``root``; return the article URLs.

    ``newest_first``: list page 1 shows the highest-numbered articles, as a portal that publishes
    article ``count`` next puts it on top (so a site of 20 grown to 100 has 80 new on pages 1-4).
    """
    pages = -(-count // PER_PAGE)
    for page in range(1, pages + 1):
        _write(root, list_url(page), list_page(page, count, newest_first))
    urls = []
    for i in range(count):
        _write(root, article_url(i), article_page(i))
        urls.append(article_url(i))
    return urls


def _write(root: Path, url: str, html: str) -> None:
    path = root / url.split("://", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html.encode("gb18030"))
