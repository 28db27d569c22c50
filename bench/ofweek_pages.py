"""OFweek article pages for the benchmarks: the sample mirror's layouts with distinct or similar texts."""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench_store import CHARS

ROOT = Path(__file__).resolve().parents[1]
ID_RE = re.compile(r"(ART-\d+-\d+-)(\d{8})")
ARTICLE_FILE_RE = re.compile(r"ART-\d+-\d+-\d{8}\.html$")
BODY_MARKERS = ('id="articleC"', 'class="artical-content"', 'class="article_con"')
CJK = re.compile(r"[\u4e00-\u9fff]")
TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")


def sample_pages() -> list[tuple[str, str]]:
    """(url, page text) of the single-page desktop article pages in samples/mirror (15 layouts)."""
    pages = []
    for path in sorted((ROOT / "samples" / "mirror").rglob("ART-*.html")):
        url = "https://" + path.relative_to(ROOT / "samples" / "mirror").as_posix()
        if ARTICLE_FILE_RE.search(url) and ".m." not in url and not url.startswith("https://m."):
            text = path.read_bytes().decode("gb18030")
            if "articleC" in text:
                pages.append((url, text))
    if not pages:
        raise SystemExit("no OFweek article pages under samples/mirror")
    return pages


def body_span(page: str) -> tuple[int, int]:
    """Start and end of the article body <div> (balanced), located by the OFweek body container."""
    start = min(i for i in (page.find(m) for m in BODY_MARKERS) if i >= 0)
    start = page.rfind("<div", 0, start)
    depth = 0
    for match in re.finditer(r"<div\b|</div>", page[start:], re.IGNORECASE):
        depth += 1 if match.group(0).lower() == "<div" else -1
        if depth == 0:
            return start, start + match.end()
    return start, len(page)


def distinct_text(page: str, rng: random.Random) -> str:
    """The CJK characters of the body's sentences replaced by random common ones: a different article each time.

    Short runs (credit lines such as "作者 | 刘洋", captions) keep their text, so every field is still found.
    """
    start, end = body_span(page)

    def rewrite(match):
        if match.group(1) or len(match.group(2).strip()) < 20:
            return match.group(0)
        return CJK.sub(lambda _: rng.choice(CHARS), match.group(2))

    return page[:start] + TAG_OR_TEXT.sub(rewrite, page[start:end]) + page[end:]


def similar_text(page: str, i: int) -> str:
    """The layout's own body plus one numbered sentence: near-identical copies (templates, notices)."""
    start, end = body_span(page)
    opening = page.index(">", start) + 1
    return page[:opening] + f"<p>基准测试段落编号{i}。</p>" + page[opening:]


def article_pages(n: int, kind: str = "distinct", seed: int = 1, start: int = 0) -> list[tuple[str, bytes]]:
    """Pages ``start .. start + n - 1`` as (url, GB18030 body) with new article ids; ``kind`` is ``distinct`` or
    ``similar``. Page i is the same whichever slice it is made in."""
    pages, out = sample_pages(), []
    for i in range(start, start + n):
        url, page = pages[i % len(pages)]
        url = ID_RE.sub(lambda m: m.group(1) + f"{40000000 + i:08d}", url)
        page = distinct_text(page, random.Random(f"{seed}-{i}")) if kind == "distinct" else similar_text(page, i)
        out.append((url, page.encode("gb18030")))
    return out
