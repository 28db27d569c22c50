"""Per-field accuracy of newscrawl, GNE and trafilatura on the real Chinese news pages in ../shared/realpages/gne-dev/."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "realpages" / "gne-dev"
FACTS = ROOT / "bench" / "gne_dev_facts.json"
GNE_VENV = ROOT / "bench" / ".venv-gne"
GNE_REQUIREMENTS = ROOT / "bench" / "requirements-gne.txt"
TZ = "Asia/Shanghai"
EDGE = 10  # characters of something else allowed before the first / after the last sentence of a "clean" body
FIELDS = ("title", "date", "author", "complete", "clean", "crumbs", "tags")
_HOME = re.compile(r"首页|主页|^home$|^正文$|^正文内容$|^详情$|^资讯正文$", re.I)


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


def newscrawl_result(html: str, url: str) -> dict:
    from newscrawl.extract import extract_article

    item = extract_article(html, url, tz=TZ, now=datetime(2026, 7, 23, 16, 32, tzinfo=ZoneInfo(TZ)))
    return {"title": item.title, "date": item.published_at, "author": item.author, "body": item.body_text,
            "crumbs": item.categories, "tags": item.tags, "stored": bool(item.title and item.body_text)}


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
        paths = []
        for name, text in texts.items():
            path = Path(tmp) / f"{name}.html"
            path.write_text(text, "utf-8")
            paths.append(str(path))
        out = subprocess.run([str(python), str(ROOT / "bench" / "gne_extract.py"), *paths],
                             capture_output=True, text=True, check=True).stdout
    results = {}
    for line in out.splitlines():
        row = json.loads(line)
        results[Path(row["path"]).stem] = {"title": row.get("title"), "date": row.get("publish_time"),
                                           "author": row.get("author"), "body": row.get("content")}
    return results


# ---------------------------------------------------------------------------------------- scores


def norm(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def minute(value) -> str | None:
    """Any extractor's date as the page's local 'YYYY-MM-DD HH:MM' (or 'YYYY-MM-DD' when it has no time)."""
    from newscrawl import processors as p

    if not value:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    parsed = p.parse_date(text, TZ, datetime(2026, 7, 23, 16, 32, tzinfo=ZoneInfo(TZ)))
    if parsed is None:
        return None
    local = parsed.astimezone(ZoneInfo(TZ))
    has_time = bool(re.search(r"\d{1,2}\s*[:：时]\s*\d{2}", text)) or "T" in text
    return local.strftime("%Y-%m-%d %H:%M") if has_time else local.strftime("%Y-%m-%d")


def names(value) -> set[str]:
    if not value:
        return set()
    return {n for n in re.split(r"[,，、;；/\s]+", str(value)) if n}


def score(result: dict, fact: dict) -> dict:
    out = {"title": norm(result.get("title")) == norm(fact["title"])}
    if fact["published"]:
        got = minute(result.get("date"))
        out["date"] = got is not None and any(
            got == want or (len(want) == 10 and got[:10] == want) for want in fact["published"]
        )
    out["author"] = any(names(result.get("author")) == names(want) for want in fact["author"])
    body = norm(result.get("body"))
    start, end = norm(fact["body_starts"]), norm(fact["body_ends"])
    first, last = body.find(start), body.rfind(end)
    out["complete"] = first >= 0 and last >= 0 and last >= first
    out["clean"] = out["complete"] and first <= EDGE and len(body) - (last + len(end)) <= EDGE
    if "crumbs" in result:
        crumbs = [c for c in (result.get("crumbs") or []) if not _HOME.search(c) and norm(c) != norm(fact["title"])]
        out["crumbs"] = [norm(c) for c in crumbs] == [norm(c) for c in fact["crumbs"]]
        out["tags"] = {norm(t) for t in result.get("tags") or []} == {norm(t) for t in fact["tags"]}
    return out


def table(title: str, rows: dict[str, dict[str, list[bool]]], pages: int, dated: int) -> str:
    lines = [f"{title} ({pages} pages; date scored on the {dated} that give one)", "",
             "| extractor | title | date to the minute | author | body complete | body complete + clean | breadcrumbs | tags |",
             "|---|---|---|---|---|---|---|---|"]
    for name, fields in rows.items():
        cells = []
        for field in FIELDS:
            values = fields.get(field)
            cells.append(f"{sum(values)}/{len(values)}" if values else "n/a")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=("dev", "held-out", "all"), default="dev",
                        help="which pages to score (the extractor is tuned on dev only; held-out is measured at the end)")
    parser.add_argument("--no-gne", action="store_true", help="skip GNE (no virtualenv is built)")
    parser.add_argument("--verbose", action="store_true", help="print what newscrawl got wrong, page by page")
    args = parser.parse_args(argv)
    if not PAGES.is_dir():
        print(f"{PAGES} is absent: nothing to measure", file=sys.stderr)
        return 0
    sys.path.insert(0, str(ROOT))
    facts = json.loads(FACTS.read_text("utf-8"))["pages"]
    chosen = {name: fact for name, fact in facts.items() if args.set in ("all", fact["set"])}
    texts = {name: decode((PAGES / f"{name}.html").read_bytes()) for name in chosen}
    gne = None if args.no_gne else gne_results(texts)
    rows: dict[str, dict[str, list[bool]]] = {"newscrawl": {}, "GNE 0.4.3": {}, "trafilatura 2.3.1": {}}
    stored = 0
    for name, fact in chosen.items():
        html, url = texts[name], page_url(texts[name], name)
        ours = newscrawl_result(html, url)
        stored += ours["stored"]
        results = {"newscrawl": ours, "trafilatura 2.3.1": trafilatura_result(html, url)}
        if gne is not None:
            results["GNE 0.4.3"] = gne.get(name, {})
        for extractor, result in results.items():
            for field, ok in score(result, fact).items():
                rows[extractor].setdefault(field, []).append(ok)
        if args.verbose:
            wrong = [f for f, ok in score(ours, fact).items() if not ok]
            if wrong:
                print(f"{name}: {', '.join(wrong)}")
                for field in wrong:
                    key = {"date": "date", "complete": "body", "clean": "body"}.get(field, field)
                    value = ours.get(key)
                    if key == "body":
                        value = f"{(value or '')[:60]!r} ... {(value or '')[-60:]!r}"
                    print(f"    {field}: {value!r}"[:300])
    if gne is None:
        del rows["GNE 0.4.3"]
    dated = sum(1 for fact in chosen.values() if fact["published"])
    print(table(f"Real pages, set {args.set}", rows, len(chosen), dated))
    print(f"\nnewscrawl stores {stored} of {len(chosen)} pages (title and body found; a missing date drops nothing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
