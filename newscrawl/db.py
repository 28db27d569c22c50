"""Database schema and the queries the store needs (SQLAlchemy Core; SQLite or PostgreSQL), see docs/SCHEMA.md."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from newscrawl.items import ARTICLE_FIELDS, LIST_FIELDS


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every engine (SQLite has no time zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# jsonb on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONList = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("portal", sa.String(64), nullable=False),
    sa.Column("site", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("published_at_local", sa.String(40)),  # ISO 8601 with the portal's own offset
    sa.Column("author", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("categories", JSONList, nullable=False, default=list),
    sa.Column("tags", JSONList, nullable=False, default=list),
    sa.Column("headimg", sa.Text),
    sa.Column("images", JSONList, nullable=False, default=list),
    sa.Column("summary", sa.Text),
    sa.Column("body_html", sa.Text),
    sa.Column("body_text", sa.Text),
    sa.Column("language", sa.String(16)),
    sa.Column("crawled_at", UTCDateTime),
    sa.Column("content_hash", sa.String(64), index=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("near_duplicate_of", sa.Text, index=True),
    sa.Column("minhash", sa.LargeBinary),  # newscrawl.neardup.signature of body_text
    sa.Index("ix_articles_portal_published", "portal", "published_at"),
    sa.Index("ix_articles_portal_content_hash", "portal", "content_hash"),
    sa.Index("ix_articles_first_seen_at", "first_seen_at"),
)

VERSIONED_FIELDS = (
    "url", "title", "author", "source", "published_at", "published_at_local", "categories", "tags",
    "headimg", "images", "summary", "body_html", "body_text", "crawled_at", "content_hash",
)

article_versions = sa.Table(
    "article_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    *(sa.Column(name, articles.c[name].type) for name in VERSIONED_FIELDS),
    sa.Column("valid_from", UTCDateTime),
    sa.Column("replaced_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("article_id", "version", name="uq_article_versions_article_version"),
)

lsh_bands = sa.Table(
    "lsh_bands",
    metadata,
    sa.Column("band", sa.SmallInteger, primary_key=True),
    sa.Column("key", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_lsh_bands_key", "key"),
)

url_aliases = sa.Table(
    "url_aliases",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
)

crawl_runs = sa.Table(
    "crawl_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("spider", sa.String(64), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("finish_reason", sa.String(64)),
    sa.Column("exit_code", sa.Integer),
    sa.Column("hostname", sa.String(255)),
    sa.Column("pid", sa.Integer),
    sa.Column("arguments", JSONList),
    sa.Column("items_scraped", sa.Integer),
    sa.Column("items_dropped", sa.Integer),
    sa.Column("items_stored", sa.Integer),
    sa.Column("items_spooled", sa.Integer),
    sa.Column("requests_skipped", sa.Integer),
    sa.Column("errors", sa.Integer),
    sa.Column("stats", JSONList),
    sa.Index("ix_crawl_runs_spider_started", "spider", "started_at"),
)


def check_database_url(url: str) -> str:
    """Return the URL or raise ValueError with a one-line hint."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"NEWSCRAWL_DATABASE_URL={url!r} is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"NEWSCRAWL_DATABASE_URL: {parsed.get_backend_name()} is not supported; use sqlite or postgresql")
    return url


def create_engine(url: str, timeout: float = 5.0, **kwargs) -> sa.Engine:
    """An engine; ``timeout`` (seconds) bounds a PostgreSQL connect and a wait on a locked SQLite file."""
    check_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # Fail fast when the server is gone; the store retries and spools instead of hanging.
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", max(1, round(timeout)))
    else:
        kwargs.setdefault("connect_args", {}).setdefault("timeout", timeout)
    engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            # 64 MB page cache instead of 2 MB: near-duplicate lookups probe the lsh_bands index at random.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def article_row(item: dict) -> dict:
    """The ``articles`` columns an Article item fills (the store adds the bookkeeping columns)."""
    row = {name: item.get(name) for name in ARTICLE_FIELDS}
    for name in LIST_FIELDS:
        row[name] = list(row.get(name) or [])
    row["published_at_local"] = row.get("published_at")
    return row


def json_safe(value):
    """Stats and arguments as JSON: datetimes become ISO strings, anything odd its repr."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else repr(v)))


def upsert_articles(connection: sa.Connection, rows: list[dict]) -> None:
    """Insert rows; a row whose url is stored already replaces it (no versioning: see store.write_batch)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    rows = [{"first_seen_at": now, "last_seen_at": now, "updated_at": now, **row} for row in rows]
    statement = insert(articles)
    keep = ("id", "url", "first_seen_at", "version", "near_duplicate_of", "minhash")
    updates = {c.name: statement.excluded[c.name] for c in articles.columns if c.name not in keep}
    connection.execute(statement.on_conflict_do_update(index_elements=["url"], set_=updates), rows)


# ---------------------------------------------------------------- batched writes


# Which row wins when a URL is stored already (docs/SCHEMA.md, "Better data wins"): the spiders that read
# any site from the generic extractor rank below the portal spiders, whose selectors know the page.
GENERIC_SPIDERS = ("article", "feed", "sitemap")
METADATA_FIELDS = ("portal", "site", "categories", "tags", "author", "source", "headimg", "summary")
TEXT_FIELDS = ("title", "published_at", "published_at_local", "language", "body_html", "body_text", "images",
               "content_hash", "crawled_at")


def source_rank(portal: str | None) -> int:
    return 0 if portal in GENERIC_SPIDERS else 1


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def better_row(old: dict, new: dict) -> dict:
    """The article row to keep when ``new`` is crawled for a URL stored as ``old``, field by field.

    A lower-ranked source (a generic spider re-reading a portal's article) only fills the stored row's
    empty fields. Otherwise the new crawl wins, except that no field is lost to an empty value, and with
    the same text from the same rank the stored title and date stay (relative dates would churn).
    """
    merged = dict(new)
    old = {**old, "published_at": old.get("published_at_local") or old.get("published_at")}
    if source_rank(new.get("portal")) < source_rank(old.get("portal")):
        for name in METADATA_FIELDS + TEXT_FIELDS:
            if name in old and not _empty(old[name]):
                merged[name] = old[name]
        return merged
    for name in METADATA_FIELDS + ("title", "published_at", "published_at_local", "language"):
        if _empty(new.get(name)) and name in old and not _empty(old[name]):
            merged[name] = old[name]
    if old.get("content_hash") == new.get("content_hash") and source_rank(new.get("portal")) == source_rank(old.get("portal")):
        for name in ("title", "published_at", "published_at_local"):
            if name in old and not _empty(old[name]):
                merged[name] = old[name]
    return merged


def _improves(old: dict, merged: dict) -> list[str]:
    """The fields other than the text that ``merged`` changes in the stored row."""
    fields = METADATA_FIELDS + ("title", "published_at_local", "language")
    return [name for name in fields if name in old and merged.get(name) != old[name]]


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def write_batch(connection: sa.Connection, rows: list[dict], seen_at: datetime | None = None) -> list[tuple[str, str | None]]:
    """Store a batch of article rows in one transaction; return one ``(outcome, detail)`` per row.

    Outcomes: ``inserted`` (detail: the URL it is a near-duplicate of, or None), ``updated`` (text
    changed: the old version went to article_versions), ``improved`` (same text, better metadata: see
    ``better_row``; detail: the fields, comma-separated), ``unchanged`` (seen again), ``duplicate_content``
    (same text as another URL of the same portal; detail: that URL; nothing written).
    A handful of set-based statements per batch, whatever its size.
    """
    from newscrawl import neardup

    seen_at = seen_at or utcnow()
    outcomes: list[tuple[str, str | None] | None] = [None] * len(rows)
    last_index = {row["url"]: i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        if last_index[row["url"]] != i:
            outcomes[i] = ("unchanged", None)  # the same URL again later in this batch wins
    live = [i for i in range(len(rows)) if outcomes[i] is None]
    urls = [rows[i]["url"] for i in live]

    existing = {}
    for chunk in _chunks(urls):
        columns = [articles.c.id, articles.c.version, articles.c.updated_at, articles.c.portal, articles.c.site,
                   articles.c.language] + [articles.c[n] for n in VERSIONED_FIELDS]
        for record in connection.execute(sa.select(*columns).where(articles.c.url.in_(chunk))).mappings():
            existing[record["url"]] = dict(record)

    new = [i for i in live if rows[i]["url"] not in existing]
    # Level 2: the same text already stored (or earlier in this batch) at another URL of the portal.
    hashes = sorted({rows[i]["content_hash"] for i in new if rows[i].get("content_hash")})
    known_hash: dict[tuple[str, str], str] = {}
    for chunk in _chunks(hashes):
        query = sa.select(articles.c.portal, articles.c.content_hash, articles.c.url).where(articles.c.content_hash.in_(chunk))
        for portal, digest, url in connection.execute(query):
            known_hash.setdefault((portal, digest), url)
    inserts, aliases = [], {}
    for i in new:
        row = rows[i]
        key = (row["portal"], row.get("content_hash"))
        if row.get("content_hash") and key in known_hash:
            outcomes[i] = ("duplicate_content", known_hash[key])
            aliases[row["url"]] = known_hash[key]
            continue
        if row.get("content_hash"):
            known_hash[key] = row["url"]
        inserts.append(i)

    # Level 3: near-duplicates on other portals, through the LSH band index (bounded: see band_candidates).
    signatures = {i: neardup.signature(rows[i].get("body_text")) for i in inserts}
    by_portal: dict[str, list[bytes]] = {}
    for i in inserts:
        if signatures[i]:
            by_portal.setdefault(rows[i]["portal"], []).append(signatures[i])
    stored = {portal: band_candidates(connection, sigs, portal) for portal, sigs in by_portal.items()}
    in_batch: dict[tuple[int, int], list[dict]] = {}  # rows of this batch, for later rows that copy them
    insert_rows, band_owners = [], {}
    for i in inserts:
        row, sig = rows[i], signatures[i]
        near = None
        if sig:
            others, own = stored[row["portal"]]
            pairs = neardup.bands(sig)
            candidates = {c["url"]: c for pair in pairs for c in (*others.get(pair, ()), *in_batch.get(pair, ()))
                          if c["portal"] != row["portal"]}
            matches = [c for c in candidates.values() if c["minhash"] and neardup.similarity(sig, c["minhash"]) >= neardup.THRESHOLD]
            if matches:
                earliest = min(matches, key=lambda c: (c["first_seen_at"], c["id"]))
                near = earliest["near_duplicate_of"] or earliest["url"]
            me = {"id": float("inf"), "url": row["url"], "portal": row["portal"], "minhash": sig,
                  "near_duplicate_of": near, "first_seen_at": seen_at}
            band_owners[row["url"]] = _claim_buckets(pairs, own)
            for pair in band_owners[row["url"]]:
                in_batch.setdefault(pair, []).append(me)
        outcomes[i] = ("inserted", near)
        insert_rows.append({**row, "first_seen_at": seen_at, "last_seen_at": seen_at, "updated_at": seen_at,
                            "version": 1, "near_duplicate_of": near, "minhash": sig})
    if insert_rows:
        connection.execute(articles.insert(), insert_rows)
        _index_bands(connection, band_owners)

    if aliases:
        _remember_aliases(connection, aliases, seen_at)

    changed, unchanged, improved = [], [], []
    for i in live:
        old = existing.get(rows[i]["url"])
        if old is None:
            continue
        row = better_row(old, rows[i])
        if old["content_hash"] != row.get("content_hash"):
            changed.append((old, row))
            outcomes[i] = ("updated", None)
        elif better := _improves(old, row):
            values = {name: row.get(name) for name in better}
            values.update(published_at=row.get("published_at"), published_at_local=row.get("published_at_local"),
                          crawled_at=row.get("crawled_at"), b_id=old["id"], last_seen_at=seen_at)
            improved.append(values)
            outcomes[i] = ("improved", ",".join(better))
        else:
            unchanged.append({"b_id": old["id"], "last_seen_at": seen_at})
            outcomes[i] = ("unchanged", None)
    if unchanged:
        connection.execute(articles.update().where(articles.c.id == sa.bindparam("b_id")), unchanged)
    for values in improved:  # one statement each: the rows change different columns
        connection.execute(articles.update().where(articles.c.id == values.pop("b_id")), values)
    if changed:
        rows_by_url = {row["url"]: row for _, row in changed}
        connection.execute(
            article_versions.insert(),
            [{**{n: old[n] for n in VERSIONED_FIELDS}, "article_id": old["id"], "version": old["version"],
              "valid_from": old["updated_at"], "replaced_at": seen_at} for old, _ in changed],
        )
        signatures = {row["url"]: neardup.signature(row.get("body_text")) for _, row in changed}
        connection.execute(
            articles.update().where(articles.c.id == sa.bindparam("b_id")),
            [{**{k: v for k, v in row.items() if k != "url"}, "b_id": old["id"], "version": old["version"] + 1,
              "updated_at": seen_at, "last_seen_at": seen_at, "minhash": signatures[row["url"]]} for old, row in changed],
        )
        ids = [old["id"] for old, _ in changed]
        connection.execute(lsh_bands.delete().where(lsh_bands.c.article_id.in_(ids)))
        owners = {}
        for portal in {row["portal"] for _, row in changed}:
            sigs = {url: sig for url, sig in signatures.items() if sig and rows_by_url[url]["portal"] == portal}
            _, own = band_candidates(connection, list(sigs.values()), portal, candidates=False)
            owners.update({url: _claim_buckets(neardup.bands(sig), own) for url, sig in sigs.items()})
        _index_bands(connection, owners)
    return outcomes


def band_candidates(
    connection: sa.Connection, signatures: list[bytes], portal: str, candidates: bool = True
) -> tuple[dict[tuple[int, int], list[dict]], dict[tuple[int, int], int]]:
    """Stored articles of other portals sharing an LSH band with the signatures, and ``portal``'s own count per band.

    Returns ``(others, own)``: ``others[(band, key)]`` lists the other portals' articles in that bucket,
    ``own[(band, key)]`` how many of ``portal``'s articles it holds. The portal filter is in SQL, and a
    bucket holds at most ``neardup.BUCKET_CAP`` articles per portal (``_claim_buckets``), so both
    queries read a bounded number of rows per band however many similar articles are stored.
    """
    from newscrawl import neardup

    wanted = {pair for sig in signatures for pair in neardup.bands(sig)}
    members: dict[tuple[int, int], list[int]] = {}
    own: dict[tuple[int, int], int] = {}
    for chunk in _chunks(sorted({k for _, k in wanted}), 2000):
        joined = lsh_bands.join(articles, articles.c.id == lsh_bands.c.article_id)
        counts = (
            sa.select(lsh_bands.c.band, lsh_bands.c.key, sa.func.count())
            .select_from(joined)
            .where(lsh_bands.c.key.in_(chunk), articles.c.portal == portal)
            .group_by(lsh_bands.c.band, lsh_bands.c.key)
        )
        for band, key, count in connection.execute(counts):
            if (band, key) in wanted:
                own[(band, key)] = count
        if not candidates:
            continue
        query = (
            sa.select(lsh_bands.c.band, lsh_bands.c.key, lsh_bands.c.article_id)
            .select_from(joined)
            .where(lsh_bands.c.key.in_(chunk), articles.c.portal != portal)
        )
        for band, key, article_id in connection.execute(query):
            if (band, key) in wanted:
                members.setdefault((band, key), []).append(article_id)
    # Each article once, however many of the bands it shares (its 512-byte signature included).
    found: dict[int, dict] = {}
    for chunk in _chunks(sorted({i for ids in members.values() for i in ids})):
        columns = (articles.c.id, articles.c.url, articles.c.portal, articles.c.minhash, articles.c.near_duplicate_of,
                   articles.c.first_seen_at)
        found.update((r["id"], dict(r)) for r in connection.execute(sa.select(*columns).where(articles.c.id.in_(chunk))).mappings())
    others = {pair: [found[i] for i in ids if i in found] for pair, ids in members.items()}
    return others, own


def _claim_buckets(pairs: list[tuple[int, int]], own: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """The bands an article is indexed under: those where its portal holds fewer than BUCKET_CAP articles.

    A full bucket already holds that many of the portal's articles with the same band: a copy on another
    portal is found through them (or through the article's other bands), so the index stays bounded.
    ``own`` is updated, so later articles of the same batch see the claim.
    """
    from newscrawl import neardup

    claimed = []
    for pair in pairs:
        if own.get(pair, 0) < neardup.BUCKET_CAP:
            own[pair] = own.get(pair, 0) + 1
            claimed.append(pair)
    return claimed


def _index_bands(connection: sa.Connection, owners: dict[str, list[tuple[int, int]]]) -> None:
    """Store each article's claimed ``(band, key)`` pairs, by URL."""
    owners = {url: pairs for url, pairs in owners.items() if pairs}
    if not owners:
        return
    ids = {}
    for chunk in _chunks(list(owners)):
        ids.update(connection.execute(sa.select(articles.c.url, articles.c.id).where(articles.c.url.in_(chunk))).all())
    connection.execute(
        lsh_bands.insert(),
        [{"band": band, "key": key, "article_id": ids[url]} for url, pairs in owners.items() for band, key in pairs],
    )


def _remember_aliases(connection: sa.Connection, aliases: dict[str, str], seen_at: datetime) -> None:
    """Record duplicate URLs (alias -> stored URL) so incremental crawls know them."""
    ids = {}
    for chunk in _chunks(sorted(set(aliases.values()))):
        ids.update(connection.execute(sa.select(articles.c.url, articles.c.id).where(articles.c.url.in_(chunk))).all())
    known = set()
    for chunk in _chunks(list(aliases)):
        known.update(connection.execute(sa.select(url_aliases.c.url).where(url_aliases.c.url.in_(chunk))).scalars())
    fresh = [{"url": alias, "article_id": ids[target], "first_seen_at": seen_at}
             for alias, target in aliases.items() if alias not in known and target in ids]
    if fresh:
        connection.execute(url_aliases.insert(), fresh)


def known_urls(connection: sa.Connection, urls: list[str]) -> set[str]:
    """Which of the URLs are stored, as articles or as duplicate aliases of one."""
    found = set()
    for chunk in _chunks(sorted(set(urls))):
        found.update(connection.execute(sa.select(articles.c.url).where(articles.c.url.in_(chunk))).scalars())
        found.update(connection.execute(sa.select(url_aliases.c.url).where(url_aliases.c.url.in_(chunk))).scalars())
    return found
