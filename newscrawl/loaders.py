"""ArticleLoader: which processor cleans which Article field."""

from __future__ import annotations

from datetime import datetime, timezone

from itemloaders.processors import Compose, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from newscrawl import processors as p
from newscrawl.items import Article


def _title(value, loader_context):
    return p.strip_site_suffix(p.plain_text(value), loader_context.get("site_names", ()))


def _label(value):
    return p.strip_label(p.plain_text(value))


def _date(value, loader_context):
    parsed = p.parse_date(
        value,
        loader_context.get("tz", p.DEFAULT_TZ),
        loader_context.get("now"),
        loader_context.get("earliest"),
        loader_context.get("max_ahead"),
    )
    if parsed is None and p.clean_text(value):
        loader_context.setdefault("unparsed_dates", []).append(p.clean_text(value))
    return parsed


def _url(value, loader_context):
    return p.canonical_url(value, loader_context.get("base_url"))


def _image(value, loader_context):
    return p.image_url(value, loader_context.get("base_url"), loader_context.get("chrome_images", ()))


def _body(value, loader_context):
    # cut before cleaning: markup a body capped at max_body_chars cannot hold is not parsed (counted as a cut)
    value, cut = p.cut_raw(value, loader_context.get("max_body_chars") or 0)
    if cut:
        loader_context["body_cut"] = True
    return p.clean_body_html(
        value,
        loader_context.get("base_url"),
        loader_context.get("drop", ()),
        loader_context.get("chrome_images", ()),
        max_chars=0,
    )


PLAIN_TEXT_FIELDS = ("title", "author", "source", "site", "summary")


class ArticleLoader(ItemLoader):
    """Loader context keys: base_url, tz, now, earliest, max_ahead, site_names, chrome_images, drop, max_body_chars.

    Every text field is plain text (``plain_text``: tags removed, entities decoded); only body_html is markup.
    """

    default_item_class = Article
    default_input_processor = MapCompose(p.plain_text)
    default_output_processor = TakeFirst()

    url_in = MapCompose(_url)
    title_in = MapCompose(_title)
    author_in = MapCompose(_label)
    source_in = MapCompose(_label)
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

    # itemloaders looks a field's processor up on every value added and read, building an ItemAdapter (and
    # dataclasses.fields()) each time: 20 lookups an article, 0.4 ms. Processors belong to the loader class
    # and the item class, so each is looked up once per process (same answer: the lookup itself is itemloaders').
    _processors: dict = {}

    def get_input_processor(self, field_name: str):
        return self._processor(field_name, "in", super().get_input_processor)

    def get_output_processor(self, field_name: str):
        return self._processor(field_name, "out", super().get_output_processor)

    def _processor(self, field_name: str, kind: str, lookup):
        key = (type(self), type(self.item), field_name, kind)
        found = self._processors.get(key)
        if found is None:
            found = self._processors[key] = lookup(field_name)
        return found

    def load_item(self) -> Article:
        item = super().load_item()
        if not item.crawled_at:
            item.crawled_at = p.to_iso(datetime.now(timezone.utc))
        max_body = self.context.get("max_body_chars")
        if max_body:
            item.body_html, cut = p.cap_body(item.body_html, max_body)
            if cut:
                self.context["body_cut"] = True
        return complete_article(item)


def complete_article(item: Article) -> Article:
    """Derive body_text, images, headimg and content_hash from body_html (idempotent)."""
    item.body_html = item.body_html or None
    for name in PLAIN_TEXT_FIELDS:  # also for values set without the loader (merged pages, replace())
        value = getattr(item, name)
        if value is not None and ("<" in value or "&" in value):
            setattr(item, name, p.plain_text(value))
    item.categories = p.unique(p.plain_text(v) for v in item.categories or [])
    item.tags = p.unique(p.plain_text(v) for v in item.tags or [])
    item.body_text = p.html_to_text(item.body_html, max_chars=0)  # body_html is capped already (load_item)
    item.images = p.unique(p.images_from_html(item.body_html) + list(item.images or []))
    if item.images:
        item.headimg = item.images[0]
    item.content_hash = p.content_hash(item.body_text, max_chars=0)
    item.language = item.language or "zh"
    return item
