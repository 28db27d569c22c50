"""Field accuracy of the generic extractor against each portal spider's own output on the portals' article fixtures.

Usage: .venv/bin/python bench/extractor_accuracy.py [--verbose]

Discovers every portal spider (a PortalSpider) and the pages under
tests/fixtures/<portal>/ (and samples/mirror/ for ofweek): files under a ``mirror/`` tree get their URL
from the path, flat fixtures from an ``_fixture``/``_file`` + ``_fetched_as``/``url`` entry of a JSON file
beside them. For each article page the portal spider's item (its fallback switched off) is the
reference; the generic extractor reads the same page. Printed per portal: title exact, published_at
exact, author and source exact, and body F1 on characters (whitespace removed) for
- ``generic``: newscrawl/extract/ (structured data + trafilatura main text),
- ``readability``: readability-lxml's main text, when that package is importable (it pins
  cssselect<1.4, so it is not a project dependency: install it aside with
  ``pip install --no-deps --target /tmp/rlx readability-lxml==0.9`` and set PYTHONPATH=/tmp/rlx),
- ``baseline``: the whole page's visible text (what no extractor at all would give).

A second table follows: newscrawl, GNE and trafilatura per field on the real pages of
../shared/realpages/gne-dev/ against the facts in bench/gne_dev_facts.json (bench/realpages_accuracy.py;
``--realpages held-out|all|none``, ``--no-gne``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import sys
import time
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scrapy.http import HtmlResponse  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

import newscrawl.spiders  # noqa: E402
from newscrawl import processors as p  # noqa: E402
from newscrawl.extract import PageExtractor  # noqa: E402
from newscrawl.loaders import ArticleLoader  # noqa: E402
from newscrawl.spiders.base import PortalSpider  # noqa: E402

PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".asp", ".php")
DEFAULT_NOW = "2026-07-23T16:32:00+08:00"


def portal_spiders():
    found = {}
    for module in pkgutil.iter_modules(newscrawl.spiders.__path__):
        mod = importlib.import_module(f"newscrawl.spiders.{module.name}")
        for obj in vars(mod).values():
            if (
                isinstance(obj, type) and issubclass(obj, PortalSpider)
                and getattr(obj, "name", None) and obj.__module__ == mod.__name__
            ):
                found[obj.name] = obj
    return dict(sorted(found.items()))


def fixture_pages(portal: str):
    """(path, url) of every page-like fixture of a portal."""
    roots = [ROOT / "tests" / "fixtures" / portal]
    if portal == "ofweek":
        roots.append(ROOT / "samples" / "mirror")
    by_name: dict[str, str] = {}
    for root in roots:
        for path in root.rglob("*.json") if root.is_dir() else []:
            try:
                data = json.loads(path.read_text("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            for node in _dicts(data):
                ref = node.get("_fixture") or node.get("_file")
                url = node.get("_fetched_as") or node.get("url")
                if isinstance(ref, str) and isinstance(url, str):
                    by_name[Path(ref).name] = url
    seen = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path in seen:
                continue
            parts = path.relative_to(root).parts
            url = None
            if "mirror" in path.parts:
                tree = path.parts[: len(path.parts) - list(reversed(path.parts)).index("mirror")]
                rel = path.relative_to(Path(*tree)).as_posix()
                host, _, rest = rel.partition("/")
                rest = re.sub(r"(^|/)index\.html$", r"\1", rest)
                url = f"https://{host}/{rest}"
            elif path.name in by_name:
                url = by_name[path.name]
            if url and (path.suffix.lower() in PAGE_SUFFIXES or "?" in path.name) and parts:
                seen.add(path)
                yield path, url


def _dicts(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def expected_now(portal: str) -> str:
    for path in (ROOT / "tests" / "fixtures" / portal).glob("*.json"):
        try:
            data = json.loads(path.read_text("utf-8"))
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("now"), str):
            return data["now"]
    return DEFAULT_NOW


# ------------------------------------------------------------------ the three extractors


def generic_item(spider, response, now):
    page = PageExtractor.from_response(response)
    loader = ArticleLoader(response=response, base_url=response.url, tz=spider.tz, now=now)
    page.fill(loader)
    return loader.load_item()


def readability_text(response):
    from readability import Document

    html = Document(response.text).summary(html_partial=True)
    return p.html_to_text(p.clean_body_html(html, response.url))


def page_text(response):
    return " ".join(t for t in response.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())


# ------------------------------------------------------------------------- measures


def char_f1(candidate: str | None, reference: str | None) -> float:
    cand = Counter(_chars(candidate))
    ref = Counter(_chars(reference))
    if not ref:
        return 1.0 if not cand else 0.0
    overlap = sum((cand & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(cand.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def _chars(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every page whose title, date or body differ")
    parser.add_argument("--realpages", choices=("dev", "held-out", "all", "none"), default="dev",
                        help="which real pages to score in the second table (default: dev)")
    parser.add_argument("--no-gne", action="store_true", help="leave GNE out of the second table")
    args = parser.parse_args(argv)
    try:
        importlib.import_module("readability")
        have_readability = True
    except ImportError:
        have_readability = False

    rows, totals = [], Counter()
    started = time.perf_counter()
    for name, cls in portal_spiders().items():
        now_text = expected_now(name)
        crawler = get_crawler(cls, settings_dict={"NEWSCRAWL_NOW": now_text})
        spider = cls.from_crawler(crawler)
        now = datetime.fromisoformat(now_text)
        score = Counter()
        for path, url in fixture_pages(name):
            if not spider.is_article_url(url):
                continue
            response = HtmlResponse(url=url, body=path.read_bytes())
            try:
                page = spider.page(response, fallback=False)  # the reference is the portal's own selectors only
                if not page.is_article:
                    continue
                reference = page.to_item()
            except Exception as exc:  # a spider still being written must not stop the measurement
                print(f"  {name}: {path.relative_to(ROOT)}: portal spider failed ({exc!r})", file=sys.stderr)
                continue
            if not reference.body_text:
                continue
            item = generic_item(spider, response, now)
            score["pages"] += 1
            score["title"] += item.title == reference.title
            score["date"] += item.published_at == reference.published_at
            score["author"] += item.author == reference.author
            score["source"] += item.source == reference.source
            score["f1"] += char_f1(item.body_text, reference.body_text)
            score["baseline"] += char_f1(page_text(response), reference.body_text)
            if have_readability:
                score["readability"] += char_f1(readability_text(response), reference.body_text)
            if args.verbose and (item.title != reference.title or item.published_at != reference.published_at
                                 or char_f1(item.body_text, reference.body_text) < 0.9):
                print(f"  {name} {url}\n    title {item.title!r} vs {reference.title!r}\n"
                      f"    date {item.published_at} vs {reference.published_at}\n"
                      f"    body F1 {char_f1(item.body_text, reference.body_text):.3f}")
        if score["pages"]:
            rows.append((name, score))
            totals.update(score)
    elapsed = time.perf_counter() - started

    def pct(score, key):
        return f"{100 * score[key] / score['pages']:.0f}%"

    def f1(score, key):
        return f"{score[key] / score['pages']:.3f}"

    head = "| portal | pages | title exact | published_at exact | author exact | source exact | body F1 generic | body F1 readability | body F1 whole page |"
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for name, score in rows + [("**all**", totals)]:
        if not score["pages"]:
            continue
        print(
            f"| {name} | {score['pages']} | {pct(score, 'title')} | {pct(score, 'date')} | {pct(score, 'author')} | {pct(score, 'source')} | "
            f"{f1(score, 'f1')} | {f1(score, 'readability') if have_readability else 'n/a'} | {f1(score, 'baseline')} |"
        )
    if totals["pages"]:
        print(f"\nbody F1, generic / whole-page baseline: {totals['f1'] / max(totals['baseline'], 1e-9):.2f}x"
              + (f"; generic / readability: {totals['f1'] / max(totals['readability'], 1e-9):.2f}x" if have_readability else ""))
    print(f"{totals['pages']} article pages of {len(rows)} portals in {elapsed:.1f} s")
    if args.realpages != "none":
        import realpages_accuracy

        print()
        realpages_accuracy.main(["--pages", "gne-dev", "--set", args.realpages] + (["--no-gne"] if args.no_gne else []))
    return 0


if __name__ == "__main__":
    sys.exit(main())
