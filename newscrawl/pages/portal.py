"""The portal page: a portal's own selectors, each field falling back to the generic page's by inheritance."""

from __future__ import annotations

import logging

from newscrawl import processors as p
from newscrawl.pages.base import field
from newscrawl.pages.generic import GenericPage

# Meta tags most portals fill.
DESCRIPTION = '//meta[translate(@name, "DESCRIPTION", "description")="description"]/@content'
KEYWORDS = '//meta[translate(@name, "KEYWORDS", "keywords")="keywords"]/@content'
OG_DESCRIPTION = 'meta[property="og:description"]::attr(content)'
OG_IMAGE = 'meta[property="og:image"]::attr(content)'


class PortalPage(GenericPage):
    """Base of the portal pages (one per portal, newscrawl/pages/<portal>.py).

    A portal page sets ``site_name``, ``title_selectors``, ``body_selectors`` (or overrides ``body_fragment``),
    ``tags_css`` and ``crumbs_css``, and overrides the fields its selectors find (``published_at``, ``author``,
    ``source``...), each ending in ``or super().<field>``: what the selectors miss comes from the generic
    page, counted ``newscrawl/fallback/<field>`` (a rising count means the portal changed its layout). A field
    the portal does not carry on every article (an empty one means "none") leaves ``super()`` out. The
    defaults below read the meta tags most portals fill (description, keywords, og:image), then fall back.
    ``url``, ``site`` and ``language`` never fall back.
    Multi-page articles: ``next_page_url``; a continuation page gives ``body_fragment``, ``tags``, ``categories``.
    """

    falls_back = True
    site_name: str | None = None  # the site's name, for a portal with one name
    title_selectors: tuple[str, ...] = ()  # headline elements, best first (then og:title, then <title>)
    body_selectors: tuple[str, ...] = ()  # body containers, best first
    tags_css = ""  # one CSS selector (group) of the tag links' text (then meta keywords)
    crumbs_css = ""  # one CSS selector (group) of the breadcrumb links' text: the categories
    not_crumbs: tuple[str, ...] = ("首页",)  # breadcrumb entries that are no category (the home page, the site)
    # The fallback's order (the generic author reads the body only when it was extracted anyway).
    field_order = ("title", "published_at", "author", "source", "summary", "tags", "categories", "headimg",
                   "body_html", "url", "site", "language")

    @field
    def title(self):
        return self.clean("title", self.title_candidates(*self.title_selectors)) or super().title

    @field
    def tags(self):
        found = self.clean("tags", self.values(self.tags_css) if self.tags_css else None, self.values(KEYWORDS))
        return found or super().tags

    @field
    def categories(self):
        crumbs = [p.clean_text(t) for t in self.values(self.crumbs_css)] if self.crumbs_css else []
        return self.clean("categories", [c for c in crumbs if c and c not in self.not_crumbs]) or super().categories

    @field
    def summary(self):
        return self.clean("summary", self.values(DESCRIPTION, OG_DESCRIPTION)) or super().summary

    @field
    def body_fragment(self) -> str | None:
        """The raw body: the first ``body_selectors`` match with its orphans (pages.select.first_html)."""
        return self.first_html(*self.body_selectors)

    @field
    def own_body_html(self) -> str | None:
        return self.clean("body_html", self.body_fragment)

    @field
    def body_html(self) -> str | None:
        return self.own_body_html or super().body_html

    @field
    def headimg(self) -> str | None:
        """og:image; else none when the portal's own body has an image (its first becomes the lead image), else the
        generic page's."""
        found = self.clean("headimg", self.values(OG_IMAGE))
        return found or (None if p.images_from_html(self.own_body_html) else super().headimg)

    @field
    def url(self) -> str | None:
        return self.clean("url", self.given_url)

    @field
    def site(self) -> str | None:
        return self.clean("site", self.site_name)

    @field
    def language(self) -> str | None:
        return None

    @property
    def is_article(self) -> bool:
        """The portal's body, else one the generic extractor finds with a title: when the portal renames its body
        container the articles are still stored (``newscrawl/fallback/body_html`` rises, the monitor alarms)."""
        return bool(self.body_fragment) or self.rescued

    @field
    def rescued(self) -> bool:
        """The body selectors miss: does the generic extractor find a title and a body?"""
        if not self.fallback:
            return False
        try:
            found = self.extractor.looks_like_article
        except Exception as exc:  # the rescue is a bonus: a failure leaves the page counted as not_article
            self.count("newscrawl/fallback/failed")
            self.log(logging.WARNING, f"Generic extraction failed on {self.response.url}: {exc!r}")
            return False
        if found:
            self.log(logging.WARNING,
                     f"Body selectors found nothing on {self.response.url}: the generic extractor's body is used")
        return found

    def page_after(self, pattern, hrefs) -> str | None:
        """Of ``hrefs``, the URL of this article's next page: one ``pattern`` (an article URL regex with groups
        ``id`` and ``page``) matches with this page's id and the page number after this one."""
        current = pattern.match(self.response.url)
        if not current:
            return None
        page = int(current.group("page") or 1)
        for href in hrefs:
            url = p.absolute_url(href, self.response.url)
            match = pattern.match(url or "")
            if match and match.group("id") == current.group("id") and int(match.group("page") or 1) == page + 1:
                return url
        return None
