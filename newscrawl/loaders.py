"""ArticleLoader: which processor cleans which Article field."""

from __future__ import annotations

from datetime import datetime, timezone

from itemloaders.processors import Compose, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from newscrawl import processors as p
from newscrawl.items import Article


def _title(value, loader_context):
    return p.strip_site_suffix(value, loader_context.get("site_names", ()))


def _date(value, loader_context):
    parsed = p.parse_date(value, loader_context.get("tz", p.DEFAULT_TZ), loader_context.get("now"))
    if parsed is None and p.clean_text(value):
        loader_context.setdefault("unparsed_dates", []).append(p.clean_text(value))
    return parsed


def _url(value, loader_context):
    return p.canonical_url(value, loader_context.get("base_url"))


def _image(value, loader_context):
    return p.image_url(value, loader_context.get("base_url"), loader_context.get("chrome_images", ()))


def _body(value, loader_context):
    return p.clean_body_html(
        value,
        loader_context.get("base_url"),
        loader_context.get("drop", ()),
        loader_context.get("chrome_images", ()),
    )


class ArticleLoader(ItemLoader):
    """Loader context keys: base_url, tz, now, site_names, chrome_images, drop."""

    default_item_class = Article
    default_input_processor = MapCompose(p.clean_text)
    default_output_processor = TakeFirst()

    url_in = MapCompose(_url)
    title_in = MapCompose(_title)
    author_in = MapCompose(p.strip_label)
    source_in = MapCompose(p.strip_label)
    published_at_in = MapCompose(_date)
    published_at_out = Compose(TakeFirst(), p.to_iso)
    categories_in = MapCompose(p.split_terms)
    categories_out = p.unique
    tags_in = MapCompose(p.split_terms)
    tags_out = p.unique
    headimg_in = MapCompose(_image)
    images_in = MapCompose(_image)
    images_out = p.unique
    body_html_in = MapCompose(_body)
    body_html_out = Join("\n")

    def load_item(self) -> Article:
        item = super().load_item()
        if not item.crawled_at:
            item.crawled_at = p.to_iso(datetime.now(timezone.utc))
        return complete_article(item)


def complete_article(item: Article) -> Article:
    """Derive body_text, images, headimg and content_hash from body_html (idempotent)."""
    item.body_html = item.body_html or None
    item.body_text = p.html_to_text(item.body_html)
    item.images = p.unique(p.images_from_html(item.body_html) + list(item.images or []))
    if item.images:
        item.headimg = item.images[0]
    item.content_hash = p.content_hash(item.body_text)
    item.language = item.language or "zh"
    return item
