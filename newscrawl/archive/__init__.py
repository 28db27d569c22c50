"""The WARC archive of fetched pages (NEWSCRAWL_ARCHIVE_DIR) and what reads it back: docs/OPERATIONS.md, "Archive and re-extraction"."""

from __future__ import annotations

# Extension fields of our response records (WARC 1.1 allows them); an archive without them is read too.
SPIDER_FIELD = "Newscrawl-Spider"
KIND_FIELD = "Newscrawl-Kind"
SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"  # a file being written (or left by a killed crawl): renamed when closed, as Heritrix does

# request.meta: the Future of the response's (file, offset); on a continuation request, that of the first page
ARCHIVED = "newscrawl_archived"
FIRST_PAGE = "newscrawl_archived_first"
# response.meta in a replay: when the page was fetched (relative dates resolve against it)
CAPTURED_AT = "newscrawl_captured_at"
# the Article attribute (not a field: it is no part of the article) that carries its source's (file, offset)
SOURCE = "_newscrawl_source"


def source_columns(item) -> dict:
    """The ``articles`` columns that say where an item's source page is archived ({} when it is not)."""
    source = getattr(item, SOURCE, None)
    return {"archive_file": source[0], "archive_offset": source[1]} if source else {}
