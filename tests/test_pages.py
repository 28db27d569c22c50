"""Every page fixture (tests/fixtures/pages/<PageClass>/<case>/, tests/fixtures/lists/<spider>/<case>/) reads as its
output.json says; every portal page has some."""

from __future__ import annotations

import pytest
from pagefixtures import LISTS, PAGES, cases, list_output, output, owners

from newscrawl.pages import PortalPage

# OFweek's article pages are the sample mirror's (samples/mirror, written by tests/fixtures/ofweek/make_mirror.py,
# expected in tests/fixtures/ofweek/EXPECTED.json): users crawl them, so they stay there.
PAGES_ELSEWHERE = {"OfweekPage"}


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.id)
def test_page_reads_as_recorded(case):
    expected = case.expected
    assert expected, f"no output.json: `.venv/bin/python tests/pagefixtures.py {case.id}` writes it (review it)"
    got = output(case)
    for key, value in got.items():
        assert value == expected[key], f"{case.id}: {key} differs (a deliberate change? tests/pagefixtures.py)"
    item = got["item"] or {}
    for needle in expected.get("checks", {}).get("body_html_contains", []):
        assert needle in (item.get("body_html") or ""), needle
    for needle in expected.get("checks", {}).get("body_html_excludes", []):
        assert needle not in (item.get("body_html") or "") and needle not in (item.get("body_text") or ""), needle


@pytest.mark.parametrize("case", cases(LISTS), ids=lambda case: case.id)
def test_list_page_gives_the_recorded_requests(case):
    expected = case.expected
    assert expected, f"no output.json: `.venv/bin/python tests/pagefixtures.py {case.id}` writes it (review it)"
    assert list_output(case) == {key: expected[key] for key in ("articles", "next")}


def test_every_folder_names_a_page_class_of_a_spider_and_every_portal_page_has_cases():
    folders = {folder.name for folder in PAGES.iterdir() if folder.is_dir()}
    assert folders <= set(owners()), f"folders named after no spider's page class: {folders - set(owners())}"
    portal_pages = {name for name, spider in owners().items() if issubclass(spider.page_class, PortalPage)}
    with_cases = {case.page_class for case in cases()}
    assert portal_pages - PAGES_ELSEWHERE <= with_cases, portal_pages - PAGES_ELSEWHERE - with_cases
