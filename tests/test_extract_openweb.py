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
