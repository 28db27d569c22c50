"""Pure cleaning functions, one module per kind of value: a raw value scraped from a page in, a clean value out."""

from newscrawl.processors.dates import DATE_IN_TEXT_RE, DEFAULT_TZ, EARLIEST, MAX_AHEAD, date_in_text, parse_date, parse_since, to_iso
from newscrawl.processors.html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    BLOCK_TAGS,
    REMOVE_WITH_CONTENT,
    cap_body,
    clean_body_html,
    cut_raw,
    content_hash,
    html_to_text,
    images_from_html,
    keep_image_attributes,
)
from newscrawl.processors.text import (
    clean_text,
    join_inline,
    plain_text,
    split_terms,
    strip_control,
    strip_control_markup,
    strip_label,
    strip_site_suffix,
    unique,
)
from newscrawl.processors.urls import (
    LAZY_ATTRIBUTES,
    absolute_url,
    canonical_url,
    image_url,
    is_placeholder_image,
    pick_image_source,
    unwrap_proxy,
    url_in_domains,
)

__all__ = [
    "ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "BLOCK_TAGS", "DATE_IN_TEXT_RE", "DEFAULT_TZ", "EARLIEST",
    "LAZY_ATTRIBUTES", "MAX_AHEAD", "REMOVE_WITH_CONTENT", "absolute_url", "canonical_url", "cap_body",
    "clean_body_html", "clean_text", "content_hash", "cut_raw", "date_in_text", "html_to_text", "image_url", "images_from_html",
    "is_placeholder_image", "join_inline", "keep_image_attributes", "parse_date", "parse_since", "pick_image_source", "plain_text",
    "split_terms", "strip_control", "strip_control_markup", "strip_label", "strip_site_suffix", "to_iso",
    "unique", "unwrap_proxy", "url_in_domains",
]
