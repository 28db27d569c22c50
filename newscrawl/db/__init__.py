"""The store's database, one module per concern (docs/SCHEMA.md, "Database"); the names callers use, as ``db.X``."""

from newscrawl.db.batch import write_batch, write_rows
from newscrawl.db.engine import Limits, create_engine, in_thread, utcnow
from newscrawl.db.errors import DatabaseTimeout, WorkerError, classify, describe, exit_code_for
from newscrawl.db.lsh import band_candidates, claim_buckets
from newscrawl.db.merge import GENERIC_SPIDERS, METADATA_FIELDS, better_row, is_empty, source_rank
from newscrawl.db.rows import article_row, invalid_row, json_safe
from newscrawl.db.schema import (
    VERSIONED_FIELDS, UTCDateTime, article_versions, articles, crawl_runs, gone_urls, listing_walks, lsh_bands, metadata,
    url_aliases,
)
from newscrawl.db.urls import check_database_url, mask_passwords, shown_url
from newscrawl.db.walks import complete_walks, known_urls, listing_states, open_walks, remember_gone

__all__ = [
    "write_batch", "write_rows", "Limits", "create_engine", "in_thread", "utcnow", "DatabaseTimeout", "WorkerError",
    "classify", "describe", "exit_code_for", "band_candidates", "claim_buckets", "GENERIC_SPIDERS", "METADATA_FIELDS",
    "better_row", "is_empty", "source_rank", "article_row", "invalid_row", "json_safe", "VERSIONED_FIELDS",
    "UTCDateTime", "article_versions", "articles", "crawl_runs", "gone_urls", "listing_walks", "lsh_bands", "metadata",
    "url_aliases", "check_database_url", "mask_passwords", "shown_url", "complete_walks", "known_urls",
    "listing_states", "open_walks", "remember_gone",
]
