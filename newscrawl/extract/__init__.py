"""Generic article extraction: structured data (JSON-LD, OpenGraph, meta), byline text, trafilatura main text."""

from newscrawl.extract.body import main_text_html
from newscrawl.extract.page import FIELDS, PageExtractor, extract_article

__all__ = ["FIELDS", "PageExtractor", "extract_article", "main_text_html"]
