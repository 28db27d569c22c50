"""The generic extractor, one pattern at a time, on pages written here that look like the web."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extract import PageExtractor, extract_article
from newscrawl.extract.body import is_ad_token
from newscrawl.extract.byline import authors_in_text, valid_author
from newscrawl.extract.crumbs import split_keywords
from newscrawl.extract.page import text_language

URL = "https://news.example.cn/a/2019/0907/1234.html"
TEXT = (
    "<p>9月7日晚，国际篮联篮球世界杯排位赛在广州进行，中国男篮以77比73战胜韩国队，保住了直通东京奥运会的希望。</p>"
    "<p>比赛中一个镜头引起了大家的注意：周琦在一次暂停后准备上场时，姚明拉住他在耳边叮嘱了几句，随后周琦的表现转变明显。</p>"
    "<p>下半场周琦连续抢下进攻篮板，最终全场砍下13分14个篮板，外加2次抢断、2记盖帽，帮助球队锁定胜局。</p>"
)
FIRST, LAST = "9月7日晚，国际篮联", "外加2次抢断、2记盖帽，帮助球队锁定胜局。"


def web_page(head="", top="", article=TEXT, after="", title="周琦上下半场判若两人_体育频道_示例新闻网"):
    """A page with the usual chrome around an article: nav, scripts, an ad, a sidebar, comments, a footer."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}
<script>var _hmt = _hmt || []; document.write('<div class="ad">广告</div>');</script>
<style>.nav{{color:red}}</style></head><body>
<div class="top-nav"><a href="/">首页</a> <a href="/sports/">体育</a> <a href="/tech/">科技</a> <a href="/login">登录</a></div>
<div class="ad-box"><a href="https://ads.example.cn/c?id=9"><img src="https://ads.example.cn/banner.jpg"></a></div>
<div class="wrap"><div class="main">{top}<div class="article-body">{article}</div>{after}</div>
<div class="sidebar"><h3>热门文章</h3><ul><li><a href="/a/1.html">热门文章一的标题在这里</a></li>
<li><a href="/a/2.html">热门文章二的标题也在这里</a></li></ul></div></div>
<div class="comment-list"><div class="comment">网友甲：这场比赛太精彩了，周琦加油！</div>
<div class="comment">网友乙：姚主席说了什么大家都想知道。</div></div>
<div class="footer"><p>版权所有 © 示例新闻网 京ICP备00000000号</p></div></body></html>"""


def extract(html, url=URL):
    return extract_article(html, url)


def local(item):
    return item.published_at


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize("ld", [
    {"@context": "https://schema.org", "@type": "ClaimReview", "datePublished": "2019-09-07T19:02:00+08:00"},
    {"@context": "https://schema.org", "@type": "MedicalWebPage", "datePublished": "2019-09-07 19:02"},
    {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "示例新闻网"},
                                                  {"@type": "ReportageNewsArticle", "dateCreated": "2019-09-07T11:02:00Z"}]},
])
def test_dates_from_json_ld_of_any_type_and_in_a_graph(ld):
    head = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    assert local(extract(web_page(head=head, top="<h1>周琦上下半场判若两人</h1>"))) == "2019-09-07T19:02:00+08:00"


@pytest.mark.parametrize("meta", [
    '<meta name="date" content="2019-09-07 19:02">',
    '<meta name="publishdate" content="2019-09-07 19:02:00">',
    '<meta name="firstpublishedtime" content="2019-09-07-19:02:00">',
    '<meta property="og:release_date" content="2019-09-07T19:02:00+08:00">',
])
def test_dates_from_meta_names(meta):
    assert local(extract(web_page(head=meta, top="<h1>周琦上下半场判若两人</h1>"))) == "2019-09-07T19:02:00+08:00"


def test_date_from_a_time_element_outside_any_article_and_from_microdata_text():
    top = '<h1>周琦上下半场判若两人</h1><div class="info"><time datetime="2019-09-07T19:02:00+08:00">昨天</time></div>'
    assert local(extract(web_page(top=top))) == "2019-09-07T19:02:00+08:00"
    top = '<h1>周琦上下半场判若两人</h1><span itemprop="datePublished">2019年09月07日 19:02</span>'
    assert local(extract(web_page(top=top))) == "2019-09-07T19:02:00+08:00"


@pytest.mark.parametrize("top", [
    '<h3 class="art-title">周琦上下半场判若两人</h3><div class="info">2019-09-07 19:02 来源：示例报</div>',
    '<div class="news_title">周琦上下半场判若两人</div><p><span>发布时间：</span><span>2019-09-07 19:02</span></p>',
    # one date in three text nodes
    '<h2>周琦上下半场判若两人</h2><div class="time"><b>2019</b><i>09/07</i> <em>19:02</em></div>',
])
def test_byline_date_near_a_headline_that_is_no_h1(top):
    assert local(extract(web_page(top=top))) == "2019-09-07T19:02:00+08:00"


def test_a_byline_with_the_time_beats_a_date_only_meta_of_the_same_day():
    head = '<meta name="publishdate" content="2019-09-07">'
    top = "<h1>周琦上下半场判若两人</h1><div>2019-09-07 19:02 来源：示例报</div>"
    assert local(extract(web_page(head=head, top=top))) == "2019-09-07T19:02:00+08:00"
    # a byline of another day does not override the publisher's date
    top = "<h1>周琦上下半场判若两人</h1><div>2019-09-08 08:00 来源：示例报</div>"
    assert local(extract(web_page(head=head, top=top))) == "2019-09-07T00:00:00+08:00"


def test_textual_english_date_and_a_date_labelled_under_the_text():
    top = "<h1>Zhou Qi turns the game around after halftime</h1><p class='by'>By Li Ming · November 15, 2019</p>"
    assert local(extract(web_page(top=top))) == "2019-11-15T00:00:00+08:00"
    after = '<div class="foot-info">发布日期：2019-03-06　责任编辑：龙慧</div>'
    assert local(extract(web_page(top="<h1>周琦上下半场判若两人</h1>", after=after))) == "2019-03-06T00:00:00+08:00"


def test_wechat_page_date_from_its_script():
    head = '<script>var nickname = "示例科技"; var ct = "1581517074";</script>'
    assert local(extract(web_page(head=head, top="<h2>三星发布新手机</h2><em id='publish_time'></em>"))) \
        == "2020-02-12T22:17:54+08:00"


def test_an_article_without_any_date_still_has_title_and_body():
    item = extract(web_page(top="<h1>周琦上下半场判若两人</h1>"))
    assert item.published_at is None
    assert item.title == "周琦上下半场判若两人" and FIRST in item.body_text


# -------------------------------------------------------------------------------------------- authors


@pytest.mark.parametrize("value", ["104363", "name, email@gmail.com", "admin", "示例新闻网", "网易", "新京报", "[责任编辑：刘斌]"])
def test_meta_authors_that_are_no_person_are_rejected(value):
    head = f'<meta name="author" content="{value}"><meta property="og:site_name" content="网易新闻">'
    top = "<h1>周琦上下半场判若两人</h1><div>2019-09-07 19:02 来源：新京报</div>"
    assert extract(web_page(head=head, top=top, title="周琦上下半场判若两人_示例新闻网")).author is None


def test_meta_author_that_names_a_person_is_kept():
    head = '<meta name="author" content="张三">'
    assert extract(web_page(head=head, top="<h1>周琦上下半场判若两人</h1>")).author == "张三"


@pytest.mark.parametrize("line, names", [
    ("澎湃新闻记者 贺梨萍", ["贺梨萍"]),
    ("新华社北京9月7日电（记者唐霁）国际篮联今天宣布", ["唐霁"]),
    ("《棱镜》作者 周纯", ["周纯"]),
    ("【文/观察者网专栏作者 王文】", ["王文"]),
    ("采写：南都见习记者 林子沛", ["林子沛"]),
    ("责任编辑：刘斌", []),
    ("编辑 刘晓阳 校对 李铭", []),
])
def test_bylines_without_a_label_colon(line, names):
    assert authors_in_text(line) == names


def test_labelled_byline_keeps_authors_and_editors_apart():
    top = "<h1>周琦上下半场判若两人</h1><div>2019-09-07 19:02 作者：余毅菁 向雪妮 编辑：王方</div>"
    assert extract(web_page(top=top)).author == "余毅菁, 向雪妮"


def test_byline_in_the_first_paragraph_and_a_closing_bracketed_name():
    article = "<p>新京报讯（记者 陆一夫）" + TEXT[3:]
    assert extract(web_page(top="<h1>周琦上下半场判若两人</h1>", article=article)).author == "陆一夫"
    article = TEXT[:-4] + "（张巨峰）</p>"
    assert extract(web_page(top="<h1>周琦上下半场判若两人</h1>", article=article)).author == "张巨峰"


def test_account_name_beside_the_date_is_the_author_but_a_newsroom_is_not():
    top = "<h1>周琦上下半场判若两人</h1><div class='sub'><span>原创</span> <span>篮球观察</span> <span>2019-09-07 19:02:11</span></div>"
    assert extract(web_page(top=top)).author == "篮球观察"
    assert valid_author("南方都市报") is None and valid_author("通信世界网") is None


# ----------------------------------------------------------------------------------------------- body


@pytest.mark.parametrize("token, is_ad", [
    ("ad", True), ("ads", True), ("ad-box", True), ("art-ad", True), ("adsbygoogle", True), ("guanggao", True),
    ("non-ad-column-l", False), ("ad_body", False), ("header", False), ("download", False), ("shadow", False),
])
def test_ad_blocks_by_whole_tokens_only(token, is_ad):
    assert is_ad_token(token) is is_ad


def test_an_article_container_whose_class_merely_contains_ad_is_kept():
    html = web_page(top="<h1>周琦上下半场判若两人</h1>").replace('class="article-body"', 'class="non-ad-column-l ad_body"')
    body = extract(html).body_text
    assert body.startswith(FIRST) and body.endswith(LAST)


@pytest.mark.parametrize("editor", ["<p>[责任编辑：刘斌]</p>", "<p>【编辑：姚昊】</p>", "<p>责任编辑：杜硕_NB12556</p>",
                                    "<p>本文来源：新京报</p><p>责任编辑：杜硕_NB12556</p>"])
def test_editor_and_source_lines_under_the_text_are_no_body(editor):
    body = extract(web_page(top="<h1>周琦上下半场判若两人</h1>", article=TEXT + editor)).body_text
    assert body.endswith(LAST)


def test_editor_credit_glued_to_the_last_paragraph_is_cut():
    article = TEXT.replace("锁定胜局。</p>", "锁定胜局。[责任编辑：刘斌]</p>")
    assert extract(web_page(top="<h1>周琦上下半场判若两人</h1>", article=article)).body_text.endswith(LAST)


def test_crumb_title_and_byline_lines_at_the_top_of_the_text_are_no_body():
    lead = ("<p>当前位置：首页 &gt; 体育 &gt; 正文</p><p>周琦上下半场判若两人</p>"
            "<p>2019-09-07 19:02 来源：示例报 作者：张三</p>")
    body = extract(web_page(top="<h1>周琦上下半场判若两人</h1>", article=lead + TEXT)).body_text
    assert body.startswith(FIRST)


def test_related_articles_list_under_the_text_is_no_body():
    related = ('<p>相关阅读：</p><ul><li><a href="/a/3.html">姚明谈中国男篮备战奥运</a></li>'
               '<li><a href="/a/4.html">周琦回应被换下场</a></li></ul><p><a href="/a/5.html">更多&gt;</a></p>')
    body = extract(web_page(top="<h1>周琦上下半场判若两人</h1>", article=TEXT + related)).body_text
    assert body.endswith(LAST) and "姚明谈中国男篮备战奥运" not in body


def test_the_body_is_not_the_comment_thread_or_the_sidebar():
    body = extract(web_page(top="<h1>周琦上下半场判若两人</h1>")).body_text
    for chrome in ("网友甲", "热门文章", "版权所有", "登录"):
        assert chrome not in body


# ------------------------------------------------------------------------------------- title and crumbs


def test_the_headline_in_an_h2_beats_a_site_name_h1():
    top = '<h1 class="logo">示例新闻网</h1><div class="crumb">首页 &gt; 体育</div><h2>周琦上下半场判若两人</h2>'
    assert extract(web_page(top=top)).title == "周琦上下半场判若两人"


@pytest.mark.parametrize("title", ["周琦上下半场判若两人_示例新闻网", "周琦上下半场判若两人 - 示例新闻网",
                                   "周琦上下半场判若两人|体育|示例新闻网", "周琦上下半场判若两人 示例新闻网"])
def test_site_suffix_stripped_whatever_the_separator(title):
    head = '<meta property="og:site_name" content="示例新闻网">'
    html = web_page(head=head, title=title).replace('<div class="article-body">', '<div class="article-body"><!-- no headline element -->')
    assert extract(html).title == "周琦上下半场判若两人"


@pytest.mark.parametrize("crumb, expected", [
    ('<div class="news_path"><a href="/">首页</a> &gt; <a href="/sports/">体育</a> &gt; <a href="/cba/">CBA</a></div>', ["体育", "CBA"]),
    ('<div class="channel-path"><a href="/sports/">体育</a> &gt; 正文</div>', ["体育"]),
    ('<div class="links">您所在的位置：<a href="/">首页</a> &gt; <a href="/sports/">体育</a> &gt; 篮球</div>', ["体育", "篮球"]),
    ('<p>位置：<a href="/">首页</a> » <a href="/sports/">体育</a></p>', ["体育"]),
    ('<div class="path"><a href="/">网站首页</a>&gt;<a href="/sports/">体育</a>&gt;<span>国际篮球</span></div>', ["体育", "国际篮球"]),
])
def test_breadcrumbs_by_class_tokens_and_labels_with_the_current_crumb(crumb, expected):
    assert extract(web_page(top=crumb + "<h1>周琦上下半场判若两人</h1>")).categories == expected


def test_a_fixed_position_nav_bar_is_no_breadcrumb():
    top = '<div class="nav position-fixed"><a href="/">首页</a><a href="/x/">频道</a></div><h1>周琦上下半场判若两人</h1>'
    assert extract(web_page(top=top)).categories == []


# ---------------------------------------------------------------------------------------------- tags


def test_tags_from_a_visible_tag_list_first():
    head = '<meta name="keywords" content="示例新闻网,体育新闻">'
    after = ('<div class="article-tag"><ul class="tag-list"><li><a href="/t/1">周琦</a></li>'
             '<li><a href="/t/2">姚明</a></li><li><a href="/t/3">中国男篮</a></li></ul></div>')
    assert extract(web_page(head=head, top="<h1>周琦上下半场判若两人</h1>", after=after)).tags == ["周琦", "姚明", "中国男篮"]


@pytest.mark.parametrize("keywords, tags", [
    ("周琦 姚明 中国男篮", ["周琦", "姚明", "中国男篮"]),
    ("周琦,姚明，中国男篮、篮球世界杯", ["周琦", "姚明", "中国男篮", "篮球世界杯"]),
    ("machine learning, AI", ["machine learning", "AI"]),
    ("<meta name=", []),
    ("周琦上下半场判若两人", []),
])
def test_keywords_split_and_malformed_values_rejected(keywords, tags):
    assert split_keywords(keywords, "周琦上下半场判若两人") == tags


# ------------------------------------------------------------------------------------------ language


def test_language_from_the_text_not_a_default():
    english = "<p>" + "Zhou Qi scored 13 points and grabbed 14 rebounds as China beat South Korea 77-73. " * 3 + "</p>"
    item = extract(web_page(top="<h1>China beats South Korea at the World Cup</h1>", article=english,
                            title="China beats South Korea at the World Cup - Example News"))
    assert item.language == "en"
    assert extract(web_page(top="<h1>周琦上下半场判若两人</h1>")).language == "zh"
    assert text_language("これは日本語のニュースです") == "ja"


def test_page_extractor_is_lazy_and_total_on_garbage():
    for html in ("", "<html>", "\x00\x01", "<html><body>" + "<div>" * 500 + "短</body></html>"):
        page = PageExtractor(html, URL)
        assert page.body_html is None
        assert page.published_at is None or isinstance(page.published_at, str)



_TAGS = st.sampled_from(["div", "p", "h1", "h2", "span", "a", "br", "li", "ul", "time", "script", "table", "td"])
_TEXT = st.text(alphabet=st.sampled_from(list("周琦姚明记者编辑来源：:/-年月日0123456789 <>&\"'（）【】")), max_size=30)


@st.composite
def markup(draw):
    """Random, often broken markup with the words bylines are made of."""
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(_TAGS)
        cls = draw(st.sampled_from(["", ' class="title"', ' class="ad"', ' class="crumb"', ' class="content"', ' id="a"']))
        parts.append(draw(st.sampled_from([f"<{tag}{cls}>", f"</{tag}>", ""])) + draw(_TEXT))
    return "<html><head><title>" + draw(_TEXT) + "</title></head><body>" + "".join(parts)


@settings(max_examples=60, deadline=None)
@given(markup())
def test_the_extractor_never_raises_and_fields_keep_their_kind(html):
    item = extract_article(html, URL)
    for field in ("title", "author", "source", "published_at", "body_text", "language"):
        value = getattr(item, field)
        assert value is None or isinstance(value, str)
    assert all(isinstance(t, str) and t for t in item.tags + item.categories)
