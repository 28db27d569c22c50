"""The store of `scrapy reextract`: the crawl's store, with each changed article's new version marked as a re-extraction."""

from __future__ import annotations

from newscrawl.pipelines.store import StorePipeline


class ReextractStorePipeline(StorePipeline):
    """Any field a re-extraction changes makes a new version (reason ``reextract: <fields>``, the old one kept in
    ``article_versions``), metadata included; an article whose extraction is unchanged is left untouched."""

    def row(self, item) -> dict:
        return {**super().row(item), "version_reason": "reextract"}
