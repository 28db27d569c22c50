"""Page fixtures: tests/fixtures/pages/<PageClass>/<case>/ and tests/fixtures/lists/<spider>/<case>/, found by walking.

Each case folder holds ``input.html`` (the page's bytes in the portal's own encoding), ``url.txt`` (the URL
it was fetched as) and ``output.json``. For an article page: the article (every field but ``crawled_at``)
or null, the URL of its next page, the fields that came from the generic page and what the page
counted. For a list page: the article URLs the spider requests and its next list page(s). Keys written by
hand are kept when the file is rewritten: ``now`` (the crawl time relative dates resolve against; default
below) and ``checks`` (``body_html_contains``/``body_html_excludes``: what the body must and must not hold).

After a deliberate change to a page class, rewrite the outputs and review them in the diff:

    .venv/bin/python tests/pagefixtures.py                      # every case
    .venv/bin/python tests/pagefixtures.py LeiphonePage/news-201806 leiphone  # some (PageClass[/case], spider[/case])
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "pages"
LISTS = ROOT / "tests" / "fixtures" / "lists"
DEFAULT_NOW = "2026-07-23T16:32:00+08:00"


@dataclass(frozen=True)
class Case:
    page_class: str
    name: str
    folder: Path

    @property
    def id(self) -> str:
        return f"{self.page_class}/{self.name}"

    @property
    def url(self) -> str:
        return (self.folder / "url.txt").read_text("utf-8").strip()

    @property
    def body(self) -> bytes:
        return (self.folder / "input.html").read_bytes()

    @property
    def expected(self) -> dict:
        path = self.folder / "output.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else {}


def cases(root: Path = PAGES) -> list[Case]:
    """Every case folder under ``root`` (PAGES: article pages by page class; LISTS: list pages by spider), sorted."""
    return [Case(folder.parent.name, folder.name, folder)
            for folder in sorted(root.glob("*/*")) if (folder / "input.html").exists()]


def list_output(case: Case) -> dict:
    """What the spider ``case.page_class`` (a spider name, for a list case) requests from the list page."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.test import get_crawler

    spidercls = SpiderLoader.from_settings(get_project_settings()).load(case.page_class)
    crawler = get_crawler(spidercls, {"NEWSCRAWL_NOW": case.expected.get("now", DEFAULT_NOW)})
    crawler.spider = spider = crawler._create_spider()
    crawler.stats.open_spider()
    response = HtmlResponse(url=case.url, body=case.body, request=Request(case.url))
    requests = list(spider.parse_list(response, page=1))
    return {"articles": [r.url for r in requests if r.meta.get("newscrawl") == "article"],
            "next": [r.url for r in requests if r.meta.get("newscrawl") == "list"]}


@lru_cache(maxsize=1)
def owners() -> dict[str, type]:
    """Page class name -> the spider class that reads its pages (the first by name; the generic page: ``article``)."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    found: dict[str, type] = {}
    for name in sorted(loader.list(), key=lambda n: (n != "article", n)):
        spidercls = loader.load(name)
        page_class = getattr(spidercls, "page_class", None)
        if page_class is not None:
            found.setdefault(page_class.__name__, spidercls)
    return found


def page_of(case: Case, url: str | None = None, body: bytes | None = None):
    """The page object of a case (or of other bytes at another URL), built as its spider builds it."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings

    from newscrawl.pages import PageSettings

    spidercls = owners()[case.page_class]
    spider = spidercls.__new__(spidercls)  # its URL rules only: no arguments, no crawler
    url = url or case.url
    settings = PageSettings.from_settings(Settings({"NEWSCRAWL_NOW": case.expected.get("now", DEFAULT_NOW)}), spidercls.tz)
    response = HtmlResponse(url=url, body=case.body if body is None else body, request=Request(url))
    return spidercls.page_class(response, settings, spidercls.name, spider.canonical_article_url(url))


def output(case: Case) -> dict:
    """What reading the case's page gives, in output.json's form (hand-written keys not included)."""
    page = page_of(case)
    item, next_page = page.read()
    found = {k: v for k, v in asdict(item).items() if k != "crawled_at"} if item is not None else None
    return {"item": found, "next_page": next_page, "fallbacks": page.fallbacks, "counts": page.counts}


def write(case: Case) -> bool:
    """Rewrite the case's output.json (keeping ``now`` and ``checks``); True when it changed."""
    kept = {k: v for k, v in case.expected.items() if k in ("now", "checks")}
    found = list_output(case) if case.folder.is_relative_to(LISTS) else output(case)
    text = json.dumps({**kept, **found}, ensure_ascii=False, indent=2) + "\n"
    path = case.folder / "output.json"
    if path.exists() and path.read_text("utf-8") == text:
        return False
    path.write_text(text, "utf-8")
    return True


def main(argv: list[str]) -> int:
    chosen = [c for c in cases() + cases(LISTS) if not argv or c.id in argv or c.page_class in argv]
    if argv and not chosen:
        print(f"no case {' '.join(argv)} under {PAGES}", file=sys.stderr)
        return 2
    for case in chosen:
        print(f"{'rewritten' if write(case) else 'unchanged'}  {case.id}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
