"""The generic extractor on pages of the open web: bylines in many languages, site suffixes, script-rendered text."""

from __future__ import annotations

import json

import pytest

from newscrawl.extract import PageExtractor, extract_article

PARAGRAPH = "The council met on Tuesday and agreed, after a long debate, to widen the road by the river. "


def page(head: str = "", body: str = "", title: str = "Road to be widened") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


def article(byline: str, paragraphs: int = 4) -> str:
    text = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(paragraphs))
    return page(body=f"<article><h1>Road to be widened</h1><div class='byline'>{byline}</div>{text}</article>")


@pytest.mark.parametrize("byline, names", [
    ("By Jane Doe", "Jane Doe"),
    ("Von Anna Giulia Fink und Jan Michael Marchart", "Anna Giulia Fink, Jan Michael Marchart"),
    ("Par Marie Curie", "Marie Curie"),
    ("Por Daniel Aragón", "Daniel Aragón"),
    ("Trine Juncher Jørgensen og Tôrtia Reimer-Johansen", "Trine Juncher Jørgensen, Tôrtia Reimer-Johansen"),
    ("By Mamokete Modiba, Claire Benit-Gbaffou, Sarah Charlton and Tanya Zack",
     "Mamokete Modiba, Claire Benit-Gbaffou, Sarah Charlton, Tanya Zack"),
    ("Yasmine Hassan · CBC News · Posted: Aug 08, 2024 4:00 AM EDT", "Yasmine Hassan"),
    ("신현주 기자", "신현주"),
])
def test_a_byline_element_gives_the_names_without_its_lead_word(byline, names):
    assert PageExtractor(article(byline), "https://news.example/a/1").author == names


@pytest.mark.parametrize("byline", ["By", "Von", "Posted on", "Nachrichten", "12 May 2024", "www.news.example"])
def test_a_lead_word_a_date_or_a_site_alone_is_never_the_author(byline):
    assert PageExtractor(article(byline), "https://news.example/a/1").author is None


def test_json_ld_people_are_names_and_an_affiliation_is_dropped():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Road to be widened",
          "author": [{"@type": "Person", "givenName": "Birgit", "familyName": "Baumann"},
                     {"@type": "Person", "name": "Povilas Aleksandravičius, Mykolo Romerio universiteto profesorius"}]}
    html = article("", 3).replace("</head>", f'<script type="application/ld+json">{json.dumps(ld)}</script></head>')
    assert PageExtractor(html, "https://news.example/a/1").author == "Birgit Baumann, Povilas Aleksandravičius"


def test_a_name_the_page_labels_as_editor_is_not_the_author():
    ld = {"@type": "NewsArticle", "headline": "Road to be widened", "author": {"@type": "Person", "name": "Heryadi"}}
    html = article("", 3).replace("</head>", f'<script type="application/ld+json">{json.dumps(ld)}</script></head>')
    html = html.replace("<div class='byline'></div>", "<div class='author-2'>Naufal Zuhdi</div><div>Editor : Heryadi</div>")
    assert PageExtractor(html, "https://news.example/a/1").author == "Naufal Zuhdi"


def test_a_section_link_beside_the_headline_is_not_the_author():
    html = article("", 3).replace(
        "<div class='byline'></div>", "<div class='author-container'><a href='/news/category/29/'>Lifestyle</a></div>")
    assert PageExtractor(html, "https://news.example/a/1").author is None


def test_a_site_name_after_the_json_ld_headline_is_dropped():
    ld = {"@type": "NewsArticle", "headline": "停戦「最も合意に近い」 - 毎日新聞"}
    html = page(head=f'<meta property="og:site_name" content="毎日新聞">'
                     f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
                body="<h1>停戦「最も合意に近い」</h1>" + f"<p>{PARAGRAPH}</p>" * 3, title="停戦「最も合意に近い」 | 毎日新聞")
    extracted = PageExtractor(html, "https://news.example/a/1")
    assert (extracted.title, extracted.site) == ("停戦「最も合意に近い」", "毎日新聞")


def test_a_script_rendered_page_keeps_its_text_from_the_hydration_state():
    """A page whose article is only in its scripts' state (no <p> in the markup) is stored, not dropped."""
    state = {"detail": {"title": "도로 확장", "contentHtml": "".join(f"<p>{PARAGRAPH}{i}</p>" for i in range(5))},
             "related": [{"title": "other", "content": "short teaser"}]}
    html = page(body=f"<div id='root'><h1>Road to be widened</h1></div>"
                     f"<script>window.__STATE__ = {json.dumps(state)};</script>")
    item = extract_article(html, "https://news.example/a/1", tz="Asia/Seoul")
    assert item.title == "Road to be widened"
    assert item.body_text.count("widen the road") == 5
    assert "short teaser" not in item.body_text


def test_each_stored_date_counts_where_it_came_from():
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from newscrawl.spiders.article import ArticleSpider

    ld = {"@type": "NewsArticle", "headline": "Road to be widened", "datePublished": "2024-05-03T15:47:00+02:00"}
    pages = {
        "https://news.example/a/1": article("By Jane Doe").replace(
            "</head>", f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'),
        "https://news.example/a/2": article("By Jane Doe").replace(
            "</head>", '<meta property="article:published_time" content="2024-05-04T08:00:00Z"></head>'),
        "https://news.example/a/3": article("By Jane Doe"),  # no date anywhere: stored, undated, not counted
    }
    crawler = get_crawler(ArticleSpider)
    spider = ArticleSpider.from_crawler(crawler, urls=",".join(pages))
    items = []
    for url, html in pages.items():
        response = HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=Request(url))
        items += list(spider.parse_article(response))
    assert [item.published_at for item in items] == ["2024-05-03T21:47:00+08:00", "2024-05-04T16:00:00+08:00", None]
    stats = crawler.stats.get_stats()
    assert {k: v for k, v in stats.items() if k.startswith("newscrawl/date_source/")} == {
        "newscrawl/date_source/jsonld": 1, "newscrawl/date_source/meta": 1}


@pytest.mark.parametrize("when, lang, other, expected", [
    ("01/11/2023", "de-DE", "", "2023-11-01"),       # the day first: the page's language says so
    ("01/11/2023", "en-US", "", "2023-01-11"),       # the month first in the US
    ("01/11/2023", "en", "Updated 25/11/2023", "2023-11-01"),  # another date on the page can only be d/m/y
    ("01/11/2023", "en", "", None),                  # nothing decides: no date rather than a guess
    ("25/11/2023", "en", "", "2023-11-25"),          # only one reading
])
def test_a_numeric_date_is_read_in_the_order_the_page_writes_dates(when, lang, other, expected):
    html = article("By Jane Doe").replace("<html>", f'<html lang="{lang}">').replace(
        "</head>", f'<meta name="date" content="{when}"></head>').replace("</article>", f"<p>{other}</p></article>")
    assert PageExtractor(html, "https://news.example/a/1").published_at == expected


def test_a_date_only_in_a_related_list_or_a_sidebar_is_not_the_article_s():
    related = ("<div class='related-articles'><h3>More</h3><ul><li><a href='/b'>Other story</a>"
               "<time datetime='2021-02-03T10:00:00Z'>3 Feb 2021</time> 发布时间：2021-02-03</li></ul></div>")
    sidebar = "<aside><time datetime='2020-01-01T10:00:00Z'>1 Jan 2020</time></aside>"
    html = article("By Jane Doe").replace("</article>", "</article>" + related + sidebar)
    assert PageExtractor(html, "https://news.example/a/1").published_at is None
    dated = html.replace("</h1>", "</h1><time datetime='2024-06-01T09:30:00Z'>1 June 2024</time>")
    extracted = PageExtractor(dated, "https://news.example/a/1")
    assert (extracted.published_at, extracted.date_source) == ("2024-06-01T09:30:00Z", "time")


def sentence(i: int) -> str:
    return f"Paragraph {i} of the story says what happened next, and why the council changed its mind again. "


def test_a_text_whose_every_paragraph_has_its_own_wrappers_is_found_whole():
    """React pages wrap each paragraph in its own divs: the article holding them all is the text."""
    blocks = "".join(f"<div data-component='text-block'><div><div><p>{sentence(i)}</p></div></div></div>"
                     for i in range(12))
    html = page(body=f"<main><article><h1>Road to be widened</h1>{blocks}</article></main>"
                     "<div class='more'><p>Short teaser of another story, with a comma.</p></div>")
    text = extract_article(html, "https://news.example/a/1").body_text
    assert all(f"Paragraph {i} of" in text for i in range(12))


def test_captions_counters_buttons_and_bylines_are_not_the_text():
    body = ("<h1>Road to be widened</h1><p>By</p><p>JANE DOE and JOHN ROE</p>"
            "<figure><img src='/a.jpg'><figcaption>The river road on Monday. (AP Photo/Jane Doe)</figcaption></figure>"
            "<p>1 of 12 |</p><p>Foto: Efrem Lukatsky/AP</p>"
            + "".join(f"<p>{sentence(i)}</p>" for i in range(6))
            + "<p>Advertisement</p>" + "".join(f"<p>{sentence(i)}</p>" for i in range(6, 9))
            + "<p>Share</p><p>Facebook</p><p>X</p>")
    text = extract_article(page(body=f"<article>{body}</article>"), "https://news.example/a/1").body_text
    assert text.startswith("Paragraph 0 of") and text.rstrip().endswith("changed its mind again.")
    assert "Paragraph 8 of" in text
    for chrome in ("JANE DOE", "AP Photo", "1 of 12", "Foto:", "Advertisement", "Facebook"):
        assert chrome not in text


def test_a_read_also_teaser_inside_the_text_goes_and_the_text_after_it_stays():
    body = ("".join(f"<p>{sentence(i)}</p>" for i in range(6)) + "<p>Lesen Sie auch:</p>"
            "<a href='/other'><h3>Ein anderer Artikel über etwas anderes</h3></a>"
            + "".join(f"<p>{sentence(i)}</p>" for i in range(6, 8)))
    text = extract_article(page(body=f"<article><h1>Road to be widened</h1>{body}</article>"),
                           "https://news.example/a/1").body_text
    assert "Paragraph 7 of" in text and "Lesen Sie auch" not in text and "anderer Artikel" not in text
    ending = "".join(f"<p>{sentence(i)}</p>" for i in range(6)) + "<p>Related articles</p>" + "".join(
        f"<p><a href='/o{i}'>Another story number {i} about roads</a></p>" for i in range(4))
    text = extract_article(page(body=f"<article><h1>Road to be widened</h1>{ending}</article>"),
                           "https://news.example/a/1").body_text
    assert "Paragraph 5 of" in text and "Another story" not in text and "Related" not in text


def test_an_ad_class_on_the_page_wrapper_does_not_remove_the_article():
    body = "<div class='l-wrapper gate-ad'><main><h1>Road to be widened</h1>" + "".join(
        f"<p>{sentence(i)}</p>" for i in range(5)) + "</main></div>"
    text = extract_article(page(body=body), "https://news.example/a/1").body_text
    assert "Paragraph 4 of" in text


def test_a_page_wrapped_whole_in_a_form_keeps_its_text_and_an_editor_line_closes_it():
    """ASP.NET-style pages put everything in one <form>; the 责任编辑 line ends a Chinese portal's text."""
    text = "".join(f"<p>第{i}段：监察法是为了深化国家监察体制改革，加强对所有行使公权力的公职人员的监督。</p>" for i in range(8))
    tail = "<p>责任编辑：</p><blockquote><p>另一篇文章的标题</p><p>另一篇文章的摘要，写了很多别的事情，和本文无关。</p></blockquote><p>,南方都市报</p>"
    html = page(body=f"<form><table><tr><td><h1>中华人民共和国监察法</h1><div>{text}{tail}</div></td></tr></table></form>",
                title="中华人民共和国监察法")
    body = extract_article(html, "https://gov.example/a/1").body_text
    assert "第0段" in body and "第7段" in body
    assert "另一篇文章" not in body and "南方都市报" not in body


def test_a_section_name_in_the_h1_is_not_the_title_when_the_page_titles_itself_otherwise():
    head = '<meta property="og:title" content="Monsoon floods cut off three villages in Assam">'
    body = "<h1>India</h1>" + "".join(f"<p>{sentence(i)}</p>" for i in range(4))
    html = page(head=head, body=body, title="Monsoon floods cut off three villages in Assam - The Daily")
    assert PageExtractor(html, "https://news.example/a/1").title == "Monsoon floods cut off three villages in Assam"
    # a social title that differs from a headline the <title> carries leaves the headline alone
    html = page(head=head, body=body.replace("India", "Floods in Assam: three villages cut off"),
                title="Floods in Assam: three villages cut off - The Daily")
    assert PageExtractor(html, "https://news.example/a/1").title == "Floods in Assam: three villages cut off"


def test_lines_repeated_beside_the_text_go_but_a_text_of_one_repeated_paragraph_stays():
    prompt = "<p>Log in to react to this article.</p>"
    body = "".join(f"<p>{sentence(i)}</p>{prompt}" for i in range(4))
    text = extract_article(page(body=f"<article><h1>Road to be widened</h1>{body}</article>"),
                           "https://news.example/a/1").body_text
    assert "Paragraph 3 of" in text and "Log in to react" not in text
    same = "<p>正文段落，内容足够长，用来构成一篇文章的主体部分。</p>" * 4
    item = extract_article(page(body=f"<div class='x'>{same}</div>", title="标题"), "https://news.example/a/2")
    assert item.body_text.count("正文段落") == 4
