"""Stored URLs rewritten to today's canonical form; rows that become one URL merged (`scrapy dedupe-urls`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa

from newscrawl import db


@dataclass
class Plan:
    """What a pass changes: ``rewrite`` old URL -> new URL of rows that stay; ``merge`` new URL -> ids."""

    rewrite: dict[str, str] = field(default_factory=dict)
    merge: dict[str, list[int]] = field(default_factory=dict)

    @property
    def merged_rows(self) -> int:
        return sum(len(ids) - 1 for ids in self.merge.values())


def canonicalizer(spider_loader) -> Callable[[str, str], str | None]:
    """``canonical(portal, url)``: the portal spider's own rule (mobile -> desktop and so on), else w3lib's."""
    from newscrawl import processors as p
    from newscrawl.spiders.generic import GenericSpider

    spiders = {}
    for name in spider_loader.list():
        spidercls = spider_loader.load(name)
        if not issubclass(spidercls, GenericSpider):
            spiders[name] = spidercls()

    def canonical(portal: str, url: str) -> str | None:
        spider = spiders.get(portal)
        return spider.canonical_article_url(url) if spider is not None else p.canonical_url(url)

    return canonical


def plan(connection: sa.Connection, canonical: Callable[[str, str], str | None]) -> Plan:
    a = db.articles
    groups: dict[str, list[tuple[int, str]]] = {}
    for row_id, url, portal in connection.execute(sa.select(a.c.id, a.c.url, a.c.portal).order_by(a.c.id)):
        groups.setdefault(canonical(portal, url) or url, []).append((row_id, url))
    result = Plan()
    for new, rows in groups.items():
        if len(rows) > 1:
            result.merge[new] = [row_id for row_id, _ in rows]
        elif rows[0][1] != new:
            result.rewrite[rows[0][1]] = new
    return result


def apply(connection: sa.Connection, todo: Plan) -> None:
    """Merge first (the unique url must be free), then rewrite; every old URL becomes an alias of its row."""
    a = db.articles
    now = db.utcnow()
    aliases: dict[str, int] = {}
    for new, ids in todo.merge.items():
        records = [dict(r) for r in connection.execute(sa.select(a).where(a.c.id.in_(ids))).mappings()]
        # The portal spider's row, else the first stored, keeps the article; the others fill its gaps.
        records.sort(key=lambda r: (-db.source_rank(r["portal"]), r["first_seen_at"], r["id"]))
        keeper, others = records[0], records[1:]
        merged = dict(keeper)
        for other in others:
            merged = db.better_row({**other, "published_at_local": other["published_at_local"]}, merged)
        values = {name: merged[name] for name in db.METADATA_FIELDS if name in merged}
        values.update(url=new, first_seen_at=min(r["first_seen_at"] for r in records),
                      last_seen_at=max(r["last_seen_at"] for r in records))
        other_ids = [r["id"] for r in others]
        connection.execute(db.url_aliases.update().where(db.url_aliases.c.article_id.in_(other_ids)),
                           {"article_id": keeper["id"]})
        connection.execute(a.update().where(a.c.near_duplicate_of.in_([r["url"] for r in others])),
                           {"near_duplicate_of": new})
        connection.execute(db.lsh_bands.delete().where(db.lsh_bands.c.article_id.in_(other_ids)))
        connection.execute(db.article_versions.delete().where(db.article_versions.c.article_id.in_(other_ids)))
        connection.execute(a.delete().where(a.c.id.in_(other_ids)))
        connection.execute(a.update().where(a.c.id == keeper["id"]), values)
        aliases.update({r["url"]: keeper["id"] for r in records if r["url"] != new})
    for old, new in todo.rewrite.items():
        row_id = connection.execute(sa.select(a.c.id).where(a.c.url == old)).scalar_one()
        connection.execute(a.update().where(a.c.id == row_id), {"url": new})
        connection.execute(a.update().where(a.c.near_duplicate_of == old), {"near_duplicate_of": new})
        aliases[old] = row_id
    known = set(connection.execute(sa.select(db.url_aliases.c.url).where(db.url_aliases.c.url.in_(list(aliases)))).scalars()) if aliases else set()
    fresh = [{"url": url, "article_id": row_id, "first_seen_at": now} for url, row_id in aliases.items() if url not in known]
    if fresh:
        connection.execute(db.url_aliases.insert(), fresh)
