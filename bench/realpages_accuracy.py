"""Per-field accuracy of newscrawl, GNE and trafilatura, in one run, on the real pages of ../shared/realpages/.

Usage: .venv/bin/python bench/realpages_accuracy.py [--pages gne-dev fundus-dev] [--set dev|held-out|all] [--no-gne]

- ``gne-dev/``: 35 Chinese pages, scored against the facts we read off each page (bench/gne_dev_facts.json):
  title, date to the day and to the minute, author, body complete (first and last sentence) and clean.
- ``fundus-dev/``: 51 pages of 30+ countries, scored against fundus's labels (labels.json beside the pages,
  read, never copied), corrected where the page says otherwise (bench/fundus_dev_corrections.json, each with
  its reason): title, date to the day and to the minute in the page's zone, authors as a set of names (a name
  that is the publication itself may be missing), body F1 on bags of tokens (words; each CJK character one
  token) and the pages whose F1 is at least 0.9.
Each field prints its counts per extractor, then newscrawl's failures page by page, with which of the others
got that field right, and the pages newscrawl would drop (no title or no body: the generic spider's test).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
# ../shared/realpages from the landing checkout (/work/main), ../../shared/realpages from a worktree (/work/wt/x)
REAL = next((d / "shared" / "realpages" for d in ROOT.parents if (d / "shared" / "realpages").is_dir()),
            ROOT.parent / "shared" / "realpages")
FACTS = ROOT / "bench" / "gne_dev_facts.json"
CORRECTIONS = ROOT / "bench" / "fundus_dev_corrections.json"
GNE_VENV = ROOT / "bench" / ".venv-gne"
GNE_REQUIREMENTS = ROOT / "bench" / "requirements-gne.txt"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
EDGE = 10  # characters of something else allowed before the first / after the last sentence of a "clean" body
GOOD_F1 = 0.9
EXTRACTORS = ("newscrawl", "GNE 0.4.3", "trafilatura 2.3.1")
_HOME = re.compile(r"首页|主页|^home$|^正文$|^正文内容$|^详情$|^资讯正文$", re.I)
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def decode(raw: bytes) -> str:
    """UTF-8 when the bytes are UTF-8 (saved pages often still declare gb2312), else the declared charset, else GB18030."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = re.search(rb"charset=[\"']?([\w-]+)", raw[:4096], re.I)
    declared = match.group(1).decode("ascii").lower() if match else "gb18030"
    for encoding in (("gb18030" if declared in ("gb2312", "gbk") else declared), "gb18030"):
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("gb18030", "replace")


def page_url(html: str, name: str) -> str:
    for pattern in (r'<link[^>]+rel=["\']canonical["\'][^>]+href=["\'](https?://[^"\']+)',
                    r'<meta[^>]+property=["\']og:url["\'][^>]+content=["\'](https?://[^"\']+)'):
        match = re.search(pattern, html, re.I)
        if match:
            return match.group(1)
    return f"https://realpages.invalid/{name}.html"


# ------------------------------------------------------------------------ extractors, one dict shape


def newscrawl_result(html: str, url: str, tz: str) -> dict:
    from newscrawl.extract import extract_article

    item = extract_article(html, url, tz=tz, now=NOW)
    return {"title": item.title, "date": item.published_at, "author": item.author, "body": item.body_text,
            "crumbs": item.categories, "tags": item.tags,
            "stored": bool(item.title and item.body_text)}


def trafilatura_result(html: str, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    doc = doc.as_dict() if doc is not None else {}
    return {"title": doc.get("title"), "date": doc.get("date"), "author": doc.get("author"), "body": doc.get("text"),
            "crumbs": doc.get("categories") or [], "tags": doc.get("tags") or []}


def gne_results(texts: dict[str, str]) -> dict[str, dict] | None:
    """GNE in its own virtualenv (bench/.venv-gne from bench/requirements-gne.txt, created on first use)."""
    python = GNE_VENV / "bin" / "python"
    if not python.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(GNE_VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(GNE_REQUIREMENTS)], check=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"GNE not measured: could not build {GNE_VENV} ({exc})", file=sys.stderr)
            return None
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for index, (name, text) in enumerate(texts.items()):
            path = Path(tmp) / f"{index}.html"
            path.write_text(text, "utf-8")
            paths[str(path)] = name
        out = subprocess.run([str(python), str(ROOT / "bench" / "gne_extract.py"), *paths],
                             capture_output=True, text=True, check=True).stdout
    results = {}
    for line in out.splitlines():
        row = json.loads(line)
        results[paths[row["path"]]] = {"title": row.get("title"), "date": row.get("publish_time"),
                                       "author": row.get("author"), "body": row.get("content")}
    return results


# ---------------------------------------------------------------------------------------- scores


def norm(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


def local_time(value, tz: str) -> str | None:
    """Any extractor's date as the page's local 'YYYY-MM-DD HH:MM' (or 'YYYY-MM-DD' when it has no time)."""
    from newscrawl import processors as p

    if not value:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    parsed = p.parse_date(text, tz, NOW)
    if parsed is None:
        return None
    local = parsed.astimezone(ZoneInfo(tz))
    has_time = bool(re.search(r"\d{1,2}\s*[:：时]\s*\d{2}", text)) or "T" in text
    return local.strftime("%Y-%m-%d %H:%M") if has_time else local.strftime("%Y-%m-%d")


def date_scores(got: str | None, wanted: list[str]) -> dict:
    """``date-day``: the day is right; ``date-minute``: the minute is (scored where the page gives a time)."""
    out = {"date-day": got is not None and any(got[:10] == want[:10] for want in wanted)}
    timed = [want for want in wanted if len(want) > 10]
    if timed:
        out["date-minute"] = got is not None and got in timed
    return out


def names(value) -> set[str]:
    if not value:
        return set()
    values = value if isinstance(value, (list, tuple)) else [value]
    found = set()
    for item in values:
        found |= {norm(n) for n in re.split(r"\s*(?:[,，、;；/&]|\band\b|\bund\b|\bet\b)\s*", str(item)) if norm(n)}
    return found


def body_f1(got: str | None, want: str | None) -> float:
    """F1 of the bags of tokens (a word, or one CJK character)."""
    ours = Counter(_TOKEN.findall(unicodedata.normalize("NFKC", got or "").casefold()))
    theirs = Counter(_TOKEN.findall(unicodedata.normalize("NFKC", want or "").casefold()))
    common = sum((ours & theirs).values())
    if not common:
        return 0.0
    precision, recall = common / sum(ours.values()), common / sum(theirs.values())
    return 2 * precision * recall / (precision + recall)


# A byline's lead word or label given back as the author: never a right answer, counted on its own.
_LEAD_AUTHOR = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|od|posted(?: on| by)?|published(?: on)?|updated|written by|nachrichten|news"
    r"|author|autor|auteur|作者|记者|記者|기자|文|编辑|責任編集)$", re.I)


def lead_word_author(result: dict) -> bool:
    return any(_LEAD_AUTHOR.match(n.strip()) for n in re.split(r"[,;，、]", str(result.get("author") or "")) if n.strip())


def score_gne_dev(result: dict, fact: dict) -> dict:
    out = {"title": norm(result.get("title")) == norm(fact["title"])}
    if fact["published"]:
        out.update(date_scores(local_time(result.get("date"), fact["tz"]), fact["published"]))
    out["author"] = any(names(result.get("author")) == names(want) for want in fact["author"])
    body = norm(result.get("body"))
    start, end = norm(fact["body_starts"]), norm(fact["body_ends"])
    first, last = body.find(start), body.rfind(end)
    out["body complete"] = first >= 0 and last >= 0 and last >= first
    out["body clean"] = out["body complete"] and first <= EDGE and len(body) - (last + len(end)) <= EDGE
    if "crumbs" in result:
        crumbs = [c for c in (result.get("crumbs") or []) if not _HOME.search(c) and norm(c) != norm(fact["title"])]
        out["crumbs"] = [norm(c) for c in crumbs] == [norm(c) for c in fact["crumbs"]]
        out["tags"] = {norm(t) for t in result.get("tags") or []} == {norm(t) for t in fact["tags"]}
    return out


def score_fundus(result: dict, fact: dict) -> dict:
    out = {"title": norm(result.get("title")) in {norm(t) for t in fact["titles"]}}
    if fact["published"]:
        out.update(date_scores(local_time(result.get("date"), fact["tz"]), fact["published"]))
    got = names(result.get("author"))
    out["author"] = got in (fact["authors"], fact["authors"] - fact["publication"]) and (bool(got) or not fact["authors"] - fact["publication"])
    f1 = body_f1(result.get("body"), fact["body"])
    out["body F1"] = f1
    out[f"body F1>={GOOD_F1}"] = f1 >= GOOD_F1
    return out


# ------------------------------------------------------------------------------------------ sets


def gne_dev_pages(which: str) -> dict[str, tuple[str, str, dict]]:
    facts = json.loads(FACTS.read_text("utf-8"))["pages"]
    pages = {}
    for name, fact in facts.items():
        if which in ("all", fact["set"]):
            html = decode((REAL / "gne-dev" / f"{name}.html").read_bytes())
            pages[name] = (html, page_url(html, name), {**fact, "tz": "Asia/Shanghai"})
    return pages


def fundus_pages() -> dict[str, tuple[str, str, dict]]:
    labels = json.loads((REAL / "fundus-dev" / "labels.json").read_text("utf-8"))["pages"]
    corrections = json.loads(CORRECTIONS.read_text("utf-8"))["pages"] if CORRECTIONS.exists() else {}
    pages = {}
    for label in labels:
        name = label["file"].removesuffix(".html")
        html = decode((REAL / "fundus-dev" / label["file"]).read_bytes())
        fix = corrections.get(name, {})
        tz = label["tz"]
        published = []
        if label.get("date"):
            moment = datetime.fromisoformat(label["date"])
            moment = moment.replace(tzinfo=ZoneInfo(tz)) if moment.tzinfo is None else moment.astimezone(ZoneInfo(tz))
            published = [moment.strftime("%Y-%m-%d") if moment.strftime("%H:%M:%S") == "00:00:00"
                         else moment.strftime("%Y-%m-%d %H:%M")]
        authors = fix.get("authors", label.get("authors") or [])
        pages[name] = (html, label["url"], {
            "tz": tz, "titles": [label["title"], *fix.get("titles", [])], "published": fix.get("published", published),
            "authors": names(authors), "publication": publication_names(html, label["url"]) & names(authors),
            "body": label.get("body_text") or "",
        })
    return pages


def publication_names(html: str, url: str) -> set[str]:
    """The names the page gives itself (og:site_name, its host): a label that is one of them is no person."""
    from urllib.parse import urlsplit

    found = {norm(m) for m in re.findall(r'<meta[^>]+(?:og:site_name|application-name)["\'][^>]+content=["\']([^"\']+)', html)}
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    found |= {norm(host), norm(host.split(".")[0])}
    title = re.search(r"<title[^>]*>([^<]*)", html)
    if title:
        found |= {norm(part) for part in re.split(r"\s+[-|–—:]\s+|--", title.group(1))[1:]}
    return {n for n in found if n}


def measure(label: str, pages: dict, scorer, gne) -> tuple[dict, list[str]]:
    rows: dict[str, dict[str, list]] = {name: {} for name in EXTRACTORS}
    failures, stored = [], 0
    for name, (html, url, fact) in pages.items():
        ours = newscrawl_result(html, url, fact["tz"])
        stored += ours["stored"]
        results = {"newscrawl": ours, "trafilatura 2.3.1": trafilatura_result(html, url)}
        if gne is not None:
            results["GNE 0.4.3"] = gne.get(f"{label}/{name}", {})
        scores = {extractor: {**scorer(result, fact), "no lead word as author": not lead_word_author(result)}
                  for extractor, result in results.items()}
        for extractor, fields in scores.items():
            for field, ok in fields.items():
                rows[extractor].setdefault(field, []).append(ok)
        if not ours["stored"]:
            failures.append(f"{name}: DROPPED (title {ours['title']!r}, {len(ours['body'] or '')} characters of body)")
        for field, ok in scores["newscrawl"].items():
            if ok is True or field.startswith("body F1>=") or (isinstance(ok, float) and ok >= GOOD_F1):
                continue
            others = [e.split()[0] for e, s in scores.items() if e != "newscrawl" and s.get(field) and
                      (not isinstance(s[field], float) or s[field] > ok)]
            failures.append(f"{name}: {field} {_shown(field, ours, fact, ok)}" + (f"  [{', '.join(others)} better]" if others else ""))
    if gne is None:
        del rows["GNE 0.4.3"]
    return rows, failures + [f"newscrawl stores {stored} of {len(pages)} pages"]


def _shown(field: str, ours: dict, fact: dict, value) -> str:
    if field.startswith("body F1"):
        return f"{value:.3f} ({len(ours['body'] or '')} characters, wanted {len(fact['body'])}: {(ours['body'] or '')[:70]!r})"
    if field.startswith("body"):
        return f"{(ours['body'] or '')[:50]!r} ... {(ours['body'] or '')[-50:]!r}"
    key = "date" if field.startswith("date") else field
    want = fact.get({"title": "titles", "author": "authors", "date": "published"}.get(key, key), fact.get(key))
    return f"{ours.get(key)!r} (wanted {sorted(want) if isinstance(want, set) else want!r})"[:300]


def table(title: str, rows: dict[str, dict[str, list]]) -> str:
    fields = list(dict.fromkeys(f for r in rows.values() for f in r))
    lines = [title, "", "| extractor | " + " | ".join(fields) + " |", "|---" * (len(fields) + 1) + "|"]
    for name, scores in rows.items():
        cells = []
        for field in fields:
            values = scores.get(field)
            if not values:
                cells.append("n/a")
            elif isinstance(values[0], float):
                cells.append(f"{sum(values) / len(values):.3f}")
            else:
                cells.append(f"{sum(values)}/{len(values)}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", choices=("gne-dev", "fundus-dev"), default=["gne-dev", "fundus-dev"])
    parser.add_argument("--set", choices=("dev", "held-out", "all"), default="all",
                        help="gne-dev pages to score (tuned on dev; held-out measured at the end)")
    parser.add_argument("--no-gne", action="store_true", help="skip GNE (no virtualenv is built)")
    parser.add_argument("--quiet", action="store_true", help="the tables only, not the failures page by page")
    parser.add_argument("--real", type=Path, default=None, help=f"the realpages directory (default: {REAL})")
    args = parser.parse_args(argv)
    if args.real:
        globals()["REAL"] = args.real
    sys.path.insert(0, str(ROOT))
    sets = {}
    if "gne-dev" in args.pages and (REAL / "gne-dev").is_dir():
        sets["gne-dev"] = (gne_dev_pages(args.set), score_gne_dev, f"gne-dev, set {args.set}")
    if "fundus-dev" in args.pages and (REAL / "fundus-dev").is_dir():
        sets["fundus-dev"] = (fundus_pages(), score_fundus, "fundus-dev")
    if not sets:
        print(f"{REAL} holds none of {args.pages}: nothing to measure", file=sys.stderr)
        return 0
    texts = {f"{label}/{name}": page[0] for label, (pages, _, _) in sets.items() for name, page in pages.items()}
    gne = None if args.no_gne else gne_results(texts)
    for label, (pages, scorer, title) in sets.items():
        rows, failures = measure(label, pages, scorer, gne)
        print(table(f"{title} ({len(pages)} pages; a date is scored where the page gives one, the minute where "
                    "it gives a time)", rows))
        print()
        for line in failures if not args.quiet else failures[-1:]:
            print("  " + line)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
