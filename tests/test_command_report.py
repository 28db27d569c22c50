"""`scrapy report OUT.html` opened in headless Chromium (JavaScript on and off); each chart's data against the store."""

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import sqlalchemy as sa

import browser
import report_history
from newscrawl import db, exitcodes, migrations
from newscrawl.extensions.monitor import Measures

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
SHARE_FIELDS = {"coverage": ("title", "published_at", "body_text", "author", "source"),
                "fallback": ("title", "published_at", "body_html")}

needs_chromium = pytest.mark.skipif(
    browser.BINARY is None and not os.environ.get("CI"), reason="no chromium (apt-get install chromium; .ci/run does)")


def report(url: str, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "report", str(out), "--tz", "Asia/Shanghai", *args,
                           "-s", f"NEWSCRAWL_DATABASE_URL={url}"], cwd=ROOT, capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def page(report_store, tmp_path_factory):
    """The report of the whole store, as a file and as the DOM Chromium built from it (JavaScript on)."""
    url = report_store[0]
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = report(url, out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(f"report: {out} (")
    return out


def rows(url: str, query: str) -> list:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return connection.execute(query).fetchall()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def window_start(tree) -> datetime:
    first = tree.xpath('//svg[@data-chart="stored-per-day"]/rect[@class="bar"]/@data-day')[0]
    return datetime.combine(date.fromisoformat(first), time(), TZ).astimezone(timezone.utc)


def runs_in_window(url: str, tree) -> dict[str, list]:
    start = window_start(tree)
    found = {}
    for spider, started, code, stats in rows(url, "SELECT spider, started_at, exit_code, stats FROM crawl_runs ORDER BY started_at, id"):
        if utc(started) >= start:
            found.setdefault(spider, []).append((code, (json.loads(stats) if stats else None) or {}))
    return found


def chart(tree, kind: str, portal: str):
    [svg] = tree.xpath(f'//svg[@data-chart="{kind}"][@data-portal="{portal}"]')
    return svg


def values(svg, series: str) -> list[float]:
    """The values a polyline draws, read back from its y coordinates and the chart's scale."""
    [line] = svg.xpath(f'polyline[@data-series="{series}"]')
    top, y0, y1 = float(svg.get("data-max")), float(svg.get("data-y0")), float(svg.get("data-y1"))
    return [(y0 - float(p.split(",")[1])) / (y0 - y1) * top for p in line.get("points").split()]


@needs_chromium
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_report_opens_in_chromium_with_every_chart_drawn_and_nothing_fetched(report_store, page, javascript, tmp_path):
    url = report_store[0]
    with browser.Chromium(tmp_path / "profile") as chromium:
        shown = chromium.open(page.as_uri(), javascript=javascript)
        assert shown.requests == [page.as_uri()]  # the page itself, nothing else
        assert shown.errors == []
        tree = lxml.html.fromstring(shown.dom)
        runs = runs_in_window(url, tree)
        portals = tree.xpath('//section[@class="portal"]/@data-portal')
        assert portals == sorted({"drifty", "downdb", "gone", "steady", "ofweek", "ithome", "c114"})
        for portal in portals:
            drawn = Counter(tree.xpath(f'//svg[@data-portal="{portal}"]/@data-chart'))
            assert drawn == Counter(["stored-per-day", "runs", "coverage", "fallback", "errors", "listing"])
            assert len(chart(tree, "stored-per-day", portal).xpath('rect[@class="bar"]')) == 30
            assert len(chart(tree, "runs", portal).xpath('rect[@class="run"]')) == len(runs[portal])
        chromium.screenshot(tmp_path / "report.png")
        assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        select = tree.xpath('//select[@id="portal-filter"]')
        if not javascript:
            assert select == []  # without JavaScript every portal shows, the links jump to them
            return
        assert len(select) == 1
        shown_after = chromium.evaluate(
            "var s=document.getElementById('portal-filter'); s.value='drifty'; s.dispatchEvent(new Event('change'));"
            "Array.from(document.querySelectorAll('section.portal')).filter(x => !x.hidden).map(x => x.dataset.portal)")
        assert shown_after == ["drifty"]
        assert chromium.pdf()[:5] == b"%PDF-"  # printable
        chromium.open(page.as_uri(), javascript=True, width=390, height=800)  # a phone
        width, inner = chromium.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner
        table = chromium.evaluate("var t=document.getElementById('last-runs'); [t.scrollWidth, t.parentNode.clientWidth]")
        assert table[0] <= table[1]  # the last runs read without scrolling sideways


@pytest.fixture(scope="module")
def tree(page):
    return lxml.html.fromstring(page.read_text("utf-8"))


def test_the_last_run_of_each_portal_is_on_top_worst_first_with_what_to_do(report_store, tree):
    url, _, codes = report_store
    assert {spider: code for spider, (code, _) in codes.items()} == {"ofweek": 0, "ithome": 0, "c114": 69}, codes
    table = tree.xpath('//table[@id="last-runs"]/tbody/tr')
    shown = [(tr.get("data-portal"), tr.xpath(".//span[@class='badge']/text()")[0]) for tr in table]
    # most urgent first (README's order of exit codes: 69, then 3, then 75), ok last, by name within each
    assert shown == [("c114", "unreachable"), ("gone", "unreachable"), ("drifty", "alarm"), ("downdb", "spooled"),
                     ("ithome", "ok"), ("ofweek", "ok"), ("steady", "ok")]
    last = {spider: json.loads(stats) for spider, stats in rows(
        url, "SELECT spider, stats FROM crawl_runs WHERE id IN (SELECT max(id) FROM crawl_runs GROUP BY spider)")}
    for tr in table:
        portal = tr.get("data-portal")
        advice = tr.xpath('td[@class="advice"]')[0].text_content()
        why = [li.text_content() for li in tr.xpath(".//ul[@class='why']/li")]
        code = last[portal].get("newscrawl/exit_code", 0)
        assert advice == ("" if code == 0 else exitcodes.ADVICE[code])
        if code == 69:
            assert why == [last[portal]["newscrawl/monitor/unreachable"]]
        elif code == 3:
            assert why == last[portal]["newscrawl/monitor/alarms"]
        elif code == 75:
            assert why == [f"{last[portal]['newscrawl/store/spooled']} items spooled: the database did not take them"]
        else:
            assert why == []
    assert "portal unreachable: none of" in table[0].text_content()  # the real crawl's own line
    assert "fallback body_html: 100%" in table[2].text_content()
    assert "items spooled" in table[3].text_content()


def test_articles_per_day_bars_match_the_store(report_store, tree):
    url = report_store[0]
    expected = Counter()
    for portal, seen in rows(url, "SELECT portal, first_seen_at FROM articles"):
        expected[(portal, utc(seen).astimezone(TZ).date().isoformat())] += 1
    days = set()
    for portal in tree.xpath('//section[@class="portal"]/@data-portal'):
        for bar in chart(tree, "stored-per-day", portal).xpath('rect[@class="bar"]'):
            days.add(bar.get("data-day"))
            assert int(bar.get("data-value")) == expected[(portal, bar.get("data-day"))], (portal, bar.get("data-day"))
    assert sum(n for (_, day), n in expected.items() if day in days) == sum(
        int(v) for v in tree.xpath('//svg[@data-chart="stored-per-day"]/rect/@data-value')) > 0


def test_run_timeline_marks_match_crawl_runs(report_store, tree):
    runs = runs_in_window(report_store[0], tree)
    for portal, found in runs.items():
        drawn = Counter(chart(tree, "runs", portal).xpath('rect[@class="run"]/@data-outcome'))
        assert drawn == Counter(exitcodes.outcome(code) for code, _ in found), portal
    assert Counter(chart(tree, "runs", "downdb").xpath('rect/@data-outcome'))["unfinished"] == 1  # the killed run
    assert Counter(chart(tree, "runs", "gone").xpath('rect/@data-outcome'))["unreachable"] == 4


@pytest.mark.parametrize("kind", ["coverage", "fallback"])
def test_coverage_and_fallback_lines_match_each_runs_stats_with_the_thresholds_drawn(report_store, tree, kind):
    runs = runs_in_window(report_store[0], tree)
    for portal, found in runs.items():
        svg = chart(tree, kind, portal)
        measured = [getattr(Measures.from_stats(stats), kind) for _, stats in found]
        for field in SHARE_FIELDS[kind]:
            expected = [m[field] for m in measured if field in m]
            assert values(svg, field) == pytest.approx(expected, abs=0.002), (portal, field)
    limits = {"coverage": {"title": 0.95, "published_at": 0.9, "body_text": 0.9},
              "fallback": {"title": 0.5, "published_at": 0.5, "body_html": 0.5}}[kind]
    drawn = chart(tree, kind, "ofweek").xpath('line[@class="threshold"]')
    assert {line.get("data-series"): float(line.get("data-value")) for line in drawn} == limits
    if kind == "fallback":  # the drift: the body came from the generic extractor in the last three runs
        drift = values(chart(tree, kind, "drifty"), "body_html")
        assert drift[-3:] == pytest.approx([1, 1, 1], abs=0.002) and drift[-4] < 0.5


def test_errors_and_listing_lines_match_each_run(report_store, tree):
    url = report_store[0]
    start = window_start(tree)
    for portal, in rows(url, "SELECT DISTINCT spider FROM crawl_runs"):
        found = [(errors, skipped, (json.loads(stats) if stats else None) or {}) for started, errors, skipped, stats in rows(
            url, f"SELECT started_at, errors, requests_skipped, stats FROM crawl_runs WHERE spider = '{portal}' "
                 "ORDER BY started_at, id") if utc(started) >= start]
        errors = chart(tree, "errors", portal)
        assert values(errors, "errors logged") == pytest.approx([e or 0 for e, _, _ in found], abs=0.05)
        assert values(errors, "no answer") == pytest.approx(
            [s.get("downloader/exception_count", 0) for _, _, s in found], abs=0.05)
        assert values(errors, "HTTP 4xx/5xx") == pytest.approx([sum(
            v for k, v in s.items() if k.startswith("downloader/response_status_count/") and int(k.rsplit("/", 1)[1]) >= 400)
            for _, _, s in found], abs=0.05)
        listing = chart(tree, "listing", portal)
        assert values(listing, "known articles skipped") == pytest.approx([k or 0 for _, k, _ in found], abs=0.05)
        assert values(listing, "list pages read") == pytest.approx(
            [s.get("newscrawl/list_pages", 0) for _, _, s in found], abs=0.05)


def test_near_duplicate_clusters_and_who_syndicates_whom_match_the_store(report_store, tree):
    url = report_store[0]
    pairs = Counter({(first, copier): n for first, copier, n in rows(url, """
        SELECT o.portal, c.portal, count(*) FROM articles c JOIN articles o ON o.url = c.near_duplicate_of
        GROUP BY o.portal, c.portal""")})
    shown = {(tr[0].text, tr[1].text): int(tr[2].text) for tr in tree.xpath('//table[@id="syndication"]/tbody/tr')}
    assert shown == pairs and len(pairs) == 3
    sizes = sorted((n for _, n in rows(url, "SELECT near_duplicate_of, count(*) FROM articles "
                                            "WHERE near_duplicate_of IS NOT NULL GROUP BY near_duplicate_of")), reverse=True)
    listed = [int(tr.get("data-copies")) for tr in tree.xpath('//table[@id="cluster-list"]/tbody/tr')]
    assert listed == sizes[:len(listed)] and len(listed) == min(len(sizes), 20)


def test_window_and_portal_filter(report_store, tmp_path):
    url = report_store[0]
    result = report(url, tmp_path / "r.html", "--days", "7", "--portal", "drifty,gone")
    assert result.returncode == 0, result.stderr
    tree = lxml.html.fromstring((tmp_path / "r.html").read_text("utf-8"))
    assert tree.xpath('//section[@class="portal"]/@data-portal') == ["drifty", "gone"]
    assert len(chart(tree, "stored-per-day", "gone").xpath("rect")) == 7
    runs = runs_in_window(url, tree)
    assert len(chart(tree, "runs", "gone").xpath("rect")) == len(runs["gone"]) < 7 * 4 + 1
    assert [tr.get("data-portal") for tr in tree.xpath('//table[@id="last-runs"]/tbody/tr')] == ["gone", "drifty"]


def test_on_postgresql_with_the_database_named_and_its_password_masked(make_postgres_database, tmp_path):
    url = make_postgres_database("newscrawl_report")
    engine = db.create_engine(url)
    migrations.upgrade(engine)
    runs, articles = report_history.fill(engine, days=10, end_before=timedelta(hours=1))
    engine.dispose()
    secret = sa.engine.make_url(url).set(password="s3cret-pw").render_as_string(hide_password=False)  # trust: any works
    result = report(secret, tmp_path / "r.html", "--days", "14")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "s3cret-pw" not in html and ":***@" in html
    tree = lxml.html.fromstring(html)
    expected = Counter((a["portal"], a["first_seen_at"].astimezone(TZ).date().isoformat()) for rows_ in articles.values()
                       for a in rows_)
    for portal in articles:
        bars = chart(tree, "stored-per-day", portal).xpath("rect")
        assert {b.get("data-day"): int(b.get("data-value")) for b in bars if int(b.get("data-value"))} == {
            day: n for (p, day), n in expected.items() if p == portal}
        assert len(chart(tree, "runs", portal).xpath("rect")) == sum(r["spider"] == portal for r in runs)


@pytest.mark.parametrize("args, says", [
    (["--days", "0"], "--days must be a whole number from 1 to 3660, got '0'"),
    (["--portal", "ofwek"], "--portal: no portal named ofwek (known: "),
    (["--tz", "Mars/Olympus"], "--tz 'Mars/Olympus' is not a time zone"),
])
def test_a_bad_option_is_one_line_and_exit_2(report_store, tmp_path, args, says):
    result = report(report_store[0], tmp_path / "r.html", *args)
    assert result.returncode == 2 and result.stderr.startswith(f"scrapy report: {says}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_an_unwritable_output_or_a_missing_database_stops_before_anything_is_read(tmp_path):
    (tmp_path / "dir.html").mkdir()
    result = report(f"sqlite:///{tmp_path / 'news.db'}", tmp_path / "dir.html")
    assert (result.returncode, result.stderr) == (2, f"scrapy report: {tmp_path / 'dir.html'}: cannot write there: a directory, not a file\n")
    result = report(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "r.html")
    assert result.returncode == 2 and "no database at sqlite:///" in result.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "none.db").exists()
