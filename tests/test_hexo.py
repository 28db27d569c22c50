import html
import re

import pytest
import yaml

from newscrawl import hexo
from newscrawl.items import Article

IMAGE = "http://images.ofweek.com/Upload/News/2022-8/10/Zyong/20220810142147_1660112507370606846.png"
PROXY = "https://cors.zfour.workers.dev/?"
TAG_LINK = '<a href="http://cloud.ofweek.com/tag-%E5%8D%8E%E4%B8%BA%E4%BA%91.HTM" title="华为云">华为云</a>'


def seed(**changes) -> Article:
    values = dict(
        url="https://cloud.ofweek.com/2022-08/ART-178801-8420-30570417.html",
        portal="ofweek",
        site="OFweek云计算网",
        title="连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位",
        published_at="2022-08-10T14:20:00+08:00",
        source="OFweek云计算网",
        categories=["云计算"],
        tags=["华为云"],
        headimg=IMAGE,
        images=[IMAGE],
        body_html=(
            f"<p>近日，IDC发布报告，{TAG_LINK}以18.9%的份额位居第一。</p>\n"
            f'<p><img src="{IMAGE}"></p>\n'
            "<p>政务云已从资源集中走向数据融合。</p>"
        ),
        crawled_at="2026-11-26T06:15:15+00:00",
    )
    values.update(changes)
    return Article(**values)


def front_matter(text: str) -> dict:
    match = re.match(r"\A---\n(.*?)\n---\n\n", text, re.DOTALL)
    assert match, text
    return yaml.safe_load(match.group(1))


def body(text: str) -> str:
    return text.split("\n---\n\n", 1)[1]


def test_seed_post_byte_for_byte():
    assert hexo.post_text(seed()) == (
        "---\n"
        "title: '连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位'\n"
        "categories:\n"
        " - 云计算\n"
        f"headimg: '{IMAGE}'\n"
        "author: OFweek云计算网\n"
        "comments: false\n"
        "date: Wed, 10 Aug 2022 06:20:00 GMT\n"
        f"thumbnail: '{IMAGE}'\n"
        "---\n"
        "\n"
        f"<div> <p>近日，IDC发布报告，{TAG_LINK}以18.9%的份额位居第一。</p>\n"
        f'<p><img src="{IMAGE}"></p>\n'
        "<p>政务云已从资源集中走向数据融合。</p> </div>\n"
    )


def test_seed_post_with_image_proxy_byte_for_byte():
    proxied = PROXY + IMAGE
    assert hexo.post_text(seed(), image_proxy=PROXY) == (
        "---\n"
        "title: '连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位'\n"
        "categories:\n"
        " - 云计算\n"
        f"headimg: '{proxied}'\n"
        "author: OFweek云计算网\n"
        "comments: false\n"
        "date: Wed, 10 Aug 2022 06:20:00 GMT\n"
        f"thumbnail: '{proxied}'\n"
        "---\n"
        "\n"
        f"<div> <p>近日，IDC发布报告，{TAG_LINK}以18.9%的份额位居第一。</p>\n"
        f'<p><img src="{proxied}" referrerpolicy="no-referrer"></p>\n'
        "<p>政务云已从资源集中走向数据融合。</p> </div>\n"
    )


def test_front_matter_reads_back_as_the_article():
    meta = front_matter(hexo.post_text(seed(categories=["云计算", "政务云"])))
    assert meta == {
        "title": "连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位",
        "categories": ["云计算", "政务云"],
        "headimg": IMAGE,
        "author": "OFweek云计算网",
        "comments": False,
        "date": "Wed, 10 Aug 2022 06:20:00 GMT",
        "thumbnail": IMAGE,
    }


def test_no_image_means_no_headimg_or_thumbnail_line():
    text = hexo.post_text(seed(headimg=None, images=[], body_html="<p>只有文字。</p>"), image_proxy=PROXY)
    assert "headimg" not in text and "thumbnail" not in text and "http" not in text
    assert set(front_matter(text)) == {"title", "categories", "author", "comments", "date"}


NASTY = [
    "英特尔'Sapphire Rapids'再延期: \"#1\" 芯片厂的{难题}",
    "'引号开头' and it's",
    "- 以横线开头",
    "#话题 标签",
    "5G",
    "2022",
    "yes",
    "null",
    "~",
    "@华为 & *星号* !感叹 %百分 `反引号` |竖线 >大于 [方] {花}",
    "冒号: 在中间",
    "结尾冒号:",
    "反斜杠 C:\\Windows\\ 与 \\n",
    "---",
    "多行\n标题\t制表\x00空字符\u2028分隔",
    "  前后空格  ",
]


@pytest.mark.parametrize("text", NASTY)
def test_yaml_special_titles_categories_and_authors_stay_valid_yaml(text):
    post = hexo.post_text(seed(title=text, categories=[text, "云计算"], site=text))
    meta = front_matter(post)
    expected = hexo.one_line(text)
    assert meta["title"] == expected
    assert meta["categories"] == [expected, "云计算"]
    assert meta["author"] == expected
    assert meta["date"] == "Wed, 10 Aug 2022 06:20:00 GMT"


def test_template_syntax_in_the_body_comes_out_literally():
    text = "固件片段 {{ firmware.version }} 与 {% if stepping == 'E3' %} 以及 {# 注释 #} 和 { 单个 }"
    post = hexo.post_text(seed(body_html=f"<p>{text}</p>"))
    rendered_body = body(post)
    # Nunjucks only acts on "{{", "{%" and "{#": with no brace left it has nothing to act on, and the
    # browser turns the entities back into the braces the article had.
    assert "{" not in rendered_body and "}" not in rendered_body
    assert html.unescape(rendered_body) == f"<div> <p>{text}</p> </div>\n"


def test_blank_lines_do_not_end_the_html_block():
    post = hexo.post_text(seed(body_html="<p>第一段</p>\n\n   \n<p>第二段</p>"))
    assert body(post) == "<div> <p>第一段</p>\n<p>第二段</p> </div>\n"


def test_image_proxy_rewrites_every_image_and_nothing_else():
    source = (
        '<p><a href="https://cloud.ofweek.com/x.html">链接</a>'
        '<img alt="图一" src="https://img.example/1.jpg?a=1&amp;b=2" width="600"></p>\n'
        f'<p><img src="{PROXY}https://img.example/2.png"></p>'
    )
    out = hexo.hexo_body(source, PROXY)
    assert out == (
        '<p><a href="https://cloud.ofweek.com/x.html">链接</a>'
        f'<img alt="图一" src="{PROXY}https://img.example/1.jpg?a=1&amp;b=2" width="600" referrerpolicy="no-referrer"></p>\n'
        f'<p><img src="{PROXY}https://img.example/2.png" referrerpolicy="no-referrer"></p>'
    )


def test_dates_are_rfc822_gmt_from_any_offset():
    assert hexo.rfc822_gmt("2022-01-01T00:30:00+08:00") == "Fri, 31 Dec 2021 16:30:00 GMT"
    assert hexo.rfc822_gmt("2022-08-10T06:20:00Z") == "Wed, 10 Aug 2022 06:20:00 GMT"
    assert "date:" not in hexo.post_text(seed(published_at=None))
    with pytest.raises(ValueError, match="no UTC offset"):
        hexo.rfc822_gmt("2022-08-10T14:20:00")


@pytest.mark.parametrize(
    "title",
    [
        "连续5年蝉联第一，华为云牢牢掌控政务云市场领先地位",
        "AI/云计算：谁是赢家? <深度> \"观察\" | 第*期 #1 100%",
        "云" * 300,
        "a" * 300,
        ".隐藏文件开头",
        "_草稿开头",
        "CON",
        "控制\x01字符\x7f和\u2028分隔",
        "结尾的点...",
        "",
    ],
)
def test_post_names_are_safe_everywhere(title):
    path = hexo.post_path(seed(title=title))
    name = path.name
    assert path.parent == hexo.category_path(["云计算"])
    assert name.endswith(f"-{hexo.url_key(seed().url)}.md")
    assert len(name.encode("utf-8")) < 200
    assert not re.search(r'[\x00-\x1f\x7f<>:"/\\|?*#%\u2028]', name)
    assert not name.startswith((".", "_", " ", "-"))
    stem = name.rsplit("-", 1)[0]
    assert stem == stem.strip(" .") and stem.upper() != "CON"
    name.encode("utf-8").decode("utf-8")  # never a cut character


def test_same_title_different_urls_get_different_names_and_the_same_url_the_same_name():
    first = hexo.post_path(seed())
    second = hexo.post_path(seed(url="https://cloud.ofweek.com/2022-08/ART-178801-8420-30570488.html"))
    assert first.parent == second.parent and first != second
    assert hexo.post_path(seed(body_html="<p>改过的正文</p>", published_at="2022-08-11T09:00:00+08:00")) == first


def test_category_path_follows_the_hierarchy_safely():
    assert str(hexo.category_path(["云计算", "华为/云", "#硬科技: 观察", "..", ""])) == "云计算/华为_云/硬科技_ 观察/untitled"
    assert str(hexo.category_path([])) == "uncategorized"
    deep = hexo.category_path(["很长的分类" * 40])
    assert len(deep.name.encode("utf-8")) <= hexo.DIR_NAME_BYTES
