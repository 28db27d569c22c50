"""IT之家 ithome.com article pages: lazy images, reader credits (投稿), the source and author in the info line."""

from __future__ import annotations

import re

from newscrawl.pages.base import field
from newscrawl.pages.portal import PortalPage

INFO_DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}")


class IthomePage(PortalPage):
    site_names = (r"IT之家",)
    chrome_images = (r"img\.ithome\.com/images/", r"ithome\.com/img/", r"/images/(?:logo|icon|share|qrcode|ewm)")
    drop_from_body = (
        "div.tougao-user", ".tougao-user", "p.ad-tips", ".ad-tips", "div.ad", "div.ithome-ad", "[id^=ad_]",
        "div.related_post", "div.shareto", "div.newserror", "div.newsgrade", "div.bdsharebuttonbox",
    )
    site_name = "IT之家"
    title_selectors = ("#dt div.content h1", "#dt h1", "div.content h1", "h1")
    body_selectors = ("div.post_content#paragraph", "#paragraph", "div.post_content", "div.news-content")
    crumbs_css = "div.cv a::text"
    not_crumbs = ("首页", "IT之家")

    @field
    def published_at(self):
        info = " ".join(self.response.css("#dt div.info, div.info").xpath(".//text()").getall()[:40])
        found = self.clean(
            "published_at",
            self.text_of("#pubtime_baidu", "span.pubtime", "#dt .info time"),
            self.values('meta[property="article:published_time"]::attr(content)'),
            INFO_DATE_RE.findall(info)[:1],
        )
        return found or super().published_at

    @field
    def source(self):
        return self.clean("source", self.text_of("#source_baidu a", "#source_baidu")) or super().source

    @field
    def author(self):
        found = self.clean("author", self.text_of("#author_baidu strong", "#author_baidu"),
                           self.values('meta[name="author"]::attr(content)'))
        return found or super().author

    @field
    def tags(self):
        tags = self.values('//div[contains(@class, "hot_tags")]//a[contains(@href, "/tags/")]//text()')
        return self.clean("tags", tags or self.values('//meta[@name="keywords"]/@content')) or super().tags

    @field
    def summary(self):
        found = self.values('meta[name="description"]::attr(content), meta[property="og:description"]::attr(content)')
        return self.clean("summary", found) or super().summary

