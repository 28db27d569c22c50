"""Write the sample mirror's pages for the portals other than OFweek: each default listing and one new article.

A portal added since takes its pages from its page fixtures (``from_fixtures``): nothing to add here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIRROR = ROOT / "samples" / "mirror"
FIXTURES = ROOT / "tests" / "fixtures"


def generator(portal: str):
    """A portal's fixture generator, for its page templates (tests/fixtures/<portal>/make_fixtures.py)."""
    path = FIXTURES / portal / "make_fixtures.py"
    spec = importlib.util.spec_from_file_location(f"make_{portal}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(url: str, html: str, encoding: str = "utf-8", crlf: bool = False) -> None:
    rest = url.split("://", 1)[1]
    path = MIRROR / (rest + "index.html" if rest.endswith("/") else rest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((html.replace("\n", "\r\n") if crlf else html).encode(encoding))


def c114() -> None:
    g = generator("c114")
    url = "https://www.c114.com.cn/news/118/a1302468.html"
    article = dict(
        g.ARTICLES[0], name="a1302468", pages=[url], title="中国电信：千兆光网用户突破 1.2 亿户",
        time="2025/10/21 09:40", author_html="C114通信网&nbsp;&nbsp;艾斯", source="C114通信网", author="艾斯",
        crumbs=["宽带"], keywords="中国电信,千兆光网,FTTR", tags=["中国电信", "千兆光网", "FTTR"],
        description="中国电信千兆光网用户突破 1.2 亿户，FTTR 用户超过 2000 万。",
        blocks=[[
            ("<p>C114讯 10月21日消息（艾斯）中国电信今日披露，其千兆光网用户已突破 1.2 亿户，覆盖全国 31 个省份。</p>", []),
            ('<div class="ad"><script type="text/javascript">c114ad("text_inner");</script></div>', []),
            ("<p>其中 FTTR 全光组网用户超过 2000 万，较年初增长近一倍，家庭与小微企业是主要增量来源。</p>", []),
            ("<p>中国电信表示，下一步将推进 50G-PON 试点，在重点城市开展万兆入户验证。</p>", []),
        ]],
    )
    write(url, g.article_page(article, 0), "gbk", crlf=True)
    rows = [g.roll_row("/news/118/a1302468.html", article["title"], "C114通信网", "09:40"),
            g.roll_row("https://www.c114.com.cn/news/16/a1302455.html", "华为发布新一代 OTN 平台", "通信世界网", "08:55"),
            g.roll_row("https://m.c114.com.cn/w52-1302401.html", "卫星互联网终端标准立项", "人民邮电报", "08:10")]
    write("https://www.c114.com.cn/news/roll.asp", g.roll_page((2025, 10, 21), rows), "gbk")


def elecfans() -> None:
    g = generator("elecfans")
    url = "https://www.elecfans.com/d/6801234.html"
    info = ('<a href="https://www.elecfans.com/user/5870001/" class="author-name" target="_blank">梁浩斌</a>'
            '<span class="time">2025-10-20 15:30</span><span class="source">来源：电子发烧友网</span>')
    article = dict(
        g.ARTICLES[0], name="d-6801234", url=url, title="碳化硅功率模块装车量三季度环比增长四成",
        title_tag="碳化硅功率模块装车量三季度环比增长四成 - 电子发烧友网", info=info, author="梁浩斌",
        crumbs=["功率器件"], hot=["碳化硅", "功率模块"], keywords="碳化硅,功率模块,新能源汽车",
        tags=["碳化硅", "功率模块", "新能源汽车"], description="三季度国内碳化硅功率模块装车量环比增长约 40%。",
        body_open='<div class="simditor-body clearfix" id="simditor-body">',
        blocks=[
            ("<p>电子发烧友网报道（文/梁浩斌）据行业统计，三季度国内新能源汽车碳化硅功率模块装车量环比增长约 40%。</p>", []),
            ("<p>800V 高压平台车型的集中上市是主要推动力，主驱逆变器之外，车载充电机也开始大量采用碳化硅器件。</p>", []),
            ("<p>业内人士预计，随着 8 英寸衬底良率提升，碳化硅器件成本仍有 20% 以上的下降空间。</p>", []),
        ],
    )
    write(url, g.article_page(article))
    rows = [g.list_row("/d/6801234.html", article["title"], "2025-10-20 15:30"),
            g.list_row("https://www.elecfans.com/d/6801200.html", "国产 FPGA 进入车规认证阶段", "2025-10-20 11:00"),
            g.list_row("https://m.elecfans.com/article/6801188.html", "MEMS 麦克风出货量创新高", "2025-10-19 17:20")]
    write("https://www.elecfans.com/article/90/", g.list_page(rows, '<span class="current">1</span>'))


def ithome() -> None:
    g = generator("ithome")
    url = "https://www.ithome.com/0/871/234.htm"
    article = dict(
        g.ARTICLES[0], name="article-871234", url=url, title="国产 RISC-V 笔记本开启预售：搭载八核处理器",
        pubtime="2025/10/21 12:08:30", source_html="来源：IT之家", source="IT之家", author="汐元", editor="汐元",
        crumbs=[("//www.ithome.com", "首页"), ("https://it.ithome.com/", "业界"), ("https://it.ithome.com/pc", "电脑")],
        tags=["RISC-V", "笔记本"], keywords="RISC-V,笔记本", hot_tags=True,
        description="一款搭载八核 RISC-V 处理器的国产笔记本今日开启预售。",
        blocks=[
            ('<p><a class="s_tag" href="https://www.ithome.com/" target="_blank">IT之家</a> 10 月 21 日消息，'
             "一款搭载八核 RISC-V 处理器的国产笔记本今日开启预售，首批提供 16GB 内存版本。</p>", []),
            ("<p>据介绍，该机预装开源 Linux 发行版，支持主流办公软件与浏览器，续航约 10 小时。</p>", []),
            ("<p>厂商表示，后续将推出面向教育市场的轻薄版本。</p>", []),
        ],
    )
    write(url, g.article_page(article), crlf=True)
    rows = [g.list_row(url, "电脑", article["title"], "2025-10-21 12:08:30", "12:08"),
            g.list_row("https://www.ithome.com/0/871/230.htm", "手机", "折叠屏新机通过 3C 认证", "2025-10-21 11:50:02", "11:50"),
            g.list_row("https://www.ithome.com/0/871/225.htm", "智车", "新能源车 9 月出口数据公布", "2025-10-21 11:31:40", "11:31")]
    write("https://www.ithome.com/list/", g.list_page(rows, "最新资讯 - IT之家"))


def rewritten(portal: str, name: str, replacements: list[tuple[str, str]]) -> str:
    """A flat fixture page of a portal without a generator, with a new story put into its chrome."""
    html = (FIXTURES / portal / name).read_text("utf-8")
    for old, new in replacements:
        assert old in html, (portal, name, old)
        html = html.replace(old, new)
    return html


def gasgoo() -> None:
    url = "https://auto.gasgoo.com/news/202610/21I70460123C601.shtml"
    html = rewritten("gasgoo", "news-202607-23I70455001C601.html", [
        ("博世苏州新工厂投产 年产能可达200万套线控制动系统", "采埃孚沈阳工厂扩建 新增电驱桥产线"),
        ("博世,线控制动,苏州", "采埃孚,电驱桥,沈阳"),
        ("7月23日，博世汽车部件（苏州）有限公司新工厂正式投产，规划年产能200万套线控制动系统。",
         "10月21日，采埃孚沈阳工厂扩建项目完工，新增两条电驱桥产线。"),
        ("https://auto.gasgoo.com/news/202607/23I70455001C601.shtml", url),
        ("盖世汽车讯 7月23日，博世汽车部件（苏州）有限公司新工厂正式投产。新工厂总投资约15亿元，规划年产能200万套线控制动系统。",
         "盖世汽车讯 10月21日，采埃孚沈阳工厂扩建项目完工，新增两条电驱桥产线，年产能提升至60万台。"),
        ("博世中国表示，新工厂生产的第二代智能集成制动系统（IPB 2.0）将主要供应中国本土车企，首批客户包括多家新能源汽车品牌。",
         "采埃孚中国表示，新产线生产的电驱桥将配套多家自主品牌的纯电与增程车型。"),
    ])
    html = re.sub(r"2026-07-23 \d\d:\d\d", "2026-10-21 10:15", html)
    write(url, html)
    listing = rewritten("gasgoo", "list-C-601.html", [])
    listing = listing.replace("/news/202607/23I70455001C601.shtml", "/news/202610/21I70460123C601.shtml")
    write("https://auto.gasgoo.com/auto-news/C-601", listing)  # the contract's list
    write("https://auto.gasgoo.com/auto-news/C-103-106-107-108-109-110-303-409-501-601", listing)  # the default


def laoyaoba() -> None:
    url = "https://www.laoyaoba.com/n/1002468"
    html = rewritten("laoyaoba", "n-1001234.html", [
        ("长电科技：上半年净利润预增超六成，先进封装订单饱满", "通富微电：三季度营收同比增长两成，高端封测产能扩充"),
        ("长电科技,先进封装,业绩预告", "通富微电,封测,三季报"),
        ("集微网消息，7月23日晚间，长电科技发布2026年半年度业绩预告，预计上半年归母净利润同比增长60%至70%。",
         "集微网消息，10月20日晚间，通富微电发布三季报，前三季度营收同比增长21%。"),
        ("cover-1001234", "cover-1002468"), ("https://www.laoyaoba.com/n/1001234", url),
        ("集微网消息，7月23日晚间，长电科技发布2026年半年度业绩预告，预计上半年实现归母净利润9.8亿元至10.4亿元，同比增长60%至70%。",
         "集微网消息，10月20日晚间，通富微电发布2026年三季度报告，前三季度实现营收186亿元，同比增长21%。"),
        ("公司表示，业绩增长主要得益于<strong>先进封装</strong>业务订单饱满，高性能计算与汽车电子相关封测需求持续旺盛，产能利用率维持高位。",
         "公司表示，增长主要来自<strong>高端封测</strong>业务，处理器与存储相关订单保持饱满。"),
        ("1001234-1.png", "1002468-1.png"), ("长电科技业绩预告", "通富微电三季报"),
        ("长电科技称，公司XDFOI Chiplet高密度多维异构集成系列工艺已进入稳定量产阶段，并持续导入国内外客户的新产品。",
         "通富微电称，其南通与合肥基地的扩产项目进展顺利，预计明年上半年陆续投产。"),
        ("此外，公司位于江阴的汽车电子封测基地已于二季度开始投产，预计下半年逐步释放产能。",
         "此外，公司车规级封测产品已通过多家海外客户认证。"),
        ("41分钟前", "2026-10-20 19:32"),
    ])
    write(url, html)
    listing = rewritten("laoyaoba", "list-117.html", [])
    listing = listing.replace("/n/1001234", "/n/1002468")
    write("https://www.laoyaoba.com/list/117", listing)
    jwnews = rewritten("laoyaoba", "jwnews.html", [("/n/1001234", "/n/1002468")])
    write("https://www.laoyaoba.com/jwnews", jwnews)


def from_fixtures() -> list[str]:
    """Every page a portal spider's contracts and scheduled runs read that the mirror lacks, from the fixture cases
    (tests/fixtures/pages/<PageClass>/<case>/, tests/fixtures/lists/<spider>/<case>/: input.html at url.txt), and
    the article cases a written list case links to (its output.json ``articles``). Returns the URLs written."""
    import json
    import sys

    sys.path.insert(0, str(ROOT))
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from newscrawl.commands.crawlall import portal_spiders
    from newscrawl.mirror import MirrorDownloaderMiddleware

    served = MirrorDownloaderMiddleware(MIRROR)
    cases = {}
    for url_file in sorted(FIXTURES.glob("*/*/*/url.txt")):
        if (url_file.parent / "input.html").is_file():
            cases.setdefault(url_file.read_text("utf-8").strip(), url_file.parent)
    loader = SpiderLoader.from_settings(get_project_settings())
    wanted = []
    for name in portal_spiders(loader):
        spidercls = loader.load(name)
        wanted += [*spidercls.contract_urls.values(), *spidercls().default_listings()]
    written = []
    while wanted:
        url = wanted.pop(0)
        if url in written or url not in cases or any(c.is_file() for c in served.candidates(url)):
            continue
        rest = url.split("://", 1)[1]
        path = MIRROR / (rest + "index.html" if rest.endswith("/") else rest)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((cases[url] / "input.html").read_bytes())  # the bytes as the portal sends them
        written.append(url)
        output = cases[url] / "output.json"
        if output.is_file():
            wanted += json.loads(output.read_text("utf-8")).get("articles", [])
    return written


if __name__ == "__main__":
    for portal in (c114, elecfans, ithome, gasgoo, laoyaoba):
        portal()
    for url in from_fixtures():
        print(f"from fixtures: {url}")
