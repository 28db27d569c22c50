"""Database schema and the queries the store needs (SQLAlchemy Core; SQLite or PostgreSQL), see docs/SCHEMA.md."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone

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


listing_walks = sa.Table(
    "listing_walks",
    metadata,
    sa.Column("spider", sa.String(64), primary_key=True),
    sa.Column("listing", sa.Text, primary_key=True),  # the URL of the listing's first page
    sa.Column("open_walk_started_at", UTCDateTime),  # a walk began and has not completed (NULL: none open)
    sa.Column("completed_at", UTCDateTime),  # when the last completed walk ended
    sa.Column("depth", sa.Integer),  # list pages the last completed walk read
)

gone_urls = sa.Table(
    "gone_urls",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("status", sa.SmallInteger, nullable=False),  # 404 or 410
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False, index=True),
)


_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<password>[^@\s]*)@")


def mask_passwords(text: str) -> str:
    """``scheme://user:secret@host`` becomes ``scheme://user:***@host`` wherever it appears in ``text``."""
    return _PASSWORD.sub(lambda m: f"{m['head']}***@", text) if "@" in text else text


def check_database_url(url: str) -> str:
    """Return the URL or raise ValueError with a one-line hint (the password masked)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(
            f"NEWSCRAWL_DATABASE_URL={mask_passwords(url)!r} is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"NEWSCRAWL_DATABASE_URL: {parsed.get_backend_name()} is not supported; use sqlite or postgresql")
    return url


def shown_url(url) -> str:
    """A database URL fit for logs and messages: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return mask_passwords(str(url))


class DatabaseTimeout(sa.exc.SQLAlchemyError):
    """A database call did not return within its time limit (a hanging server or network)."""


class WorkerError(sa.exc.SQLAlchemyError):
    """A database error raised in the store's worker process (newscrawl/storeworker.py), as plain data:
    what ``classify`` and ``describe`` said of it there, and its exception class name."""

    def __init__(self, kind: str, text: str, name: str):
        super().__init__(kind, text, name)
        self.kind, self.text, self.name = kind, text, name

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):
        return type(self), (self.kind, self.text, self.name)


class Limits:
    """Time limits of every database call, in seconds (docs/SCHEMA.md, "Time limits")."""

    def __init__(self, connect: float = 5.0, statement: float = 30.0, lock: float = 10.0, keepalive: float = 10.0):
        self.connect, self.statement, self.lock, self.keepalive = connect, statement, lock, keepalive

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            connect=settings.getfloat("NEWSCRAWL_STORE_TIMEOUT", 5.0),
            statement=settings.getfloat("NEWSCRAWL_DB_STATEMENT_TIMEOUT", 30.0),
            lock=settings.getfloat("NEWSCRAWL_DB_LOCK_TIMEOUT", 10.0),
            keepalive=settings.getfloat("NEWSCRAWL_DB_KEEPALIVE", 10.0),
        )

    @property
    def call(self) -> float:
        """How long one call (connect, ping, a batch's statements) may take before it counts as an outage."""
        return self.connect + self.statement + self.lock + 5.0


def create_engine(url: str, timeout: float = 5.0, limits: Limits | None = None, **kwargs) -> sa.Engine:
    """An engine whose every wait is bounded: connect, statements, lock waits, a silent network (``limits``).

    ``timeout`` alone (seconds) sets the connect and SQLite lock wait limits.
    """
    check_database_url(url)
    limits = limits or Limits(connect=timeout)
    parsed = make_url(url)
    connect_args = kwargs.setdefault("connect_args", {})
    if parsed.get_backend_name() == "postgresql":
        # Fail fast when the server is gone or stops answering; the store retries and spools instead of hanging.
        connect_args.setdefault("connect_timeout", max(1, round(limits.connect)))
        options = f"-c statement_timeout={int(limits.statement * 1000)} -c lock_timeout={int(limits.lock * 1000)}"
        connect_args.setdefault("options", options)
        idle = max(1, round(limits.keepalive))
        for name, value in (("keepalives", 1), ("keepalives_idle", idle), ("keepalives_interval", max(1, idle // 3)),
                            ("keepalives_count", 3), ("tcp_user_timeout", int((limits.keepalive + limits.statement) * 1000))):
            connect_args.setdefault(name, value)
    else:
        connect_args.setdefault("timeout", limits.connect)
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            from pathlib import Path

            folder = Path(parsed.database).expanduser().resolve().parent
            if not folder.is_dir():
                raise ValueError(f"NEWSCRAWL_DATABASE_URL: the directory {folder} of the SQLite file does not exist; create it")
    engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(limits.connect * 1000)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            # 64 MB page cache instead of 2 MB: near-duplicate lookups probe the lsh_bands index at random.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


CONFIGURATION_ERRORS = (
    "password authentication failed", "role \"", "does not exist", "could not translate host name",
    "name or service not known", "nodename nor servname", "no pg_hba.conf entry", "unable to open database file",
    "invalid dsn", "invalid connection option", "sslmode value", "authentication failed", "temporary failure in name resolution",
)


def classify(exc: BaseException) -> str:
    """What a database error means for the caller.

    ``configuration`` (a wrong password, role, database, host or path: retrying cannot help, fix the
    setting), ``rejected`` (the database refuses a row or a value: isolate it), ``outage`` (the
    server is down, slow, locked or cut off: retry later, spool meanwhile).
    """
    if isinstance(exc, DatabaseTimeout):
        return "outage"
    if isinstance(exc, WorkerError):
        return exc.kind
    message = describe(exc).lower()
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) and any(m in message for m in CONFIGURATION_ERRORS):
        return "configuration"
    if isinstance(exc, (sa.exc.DataError, sa.exc.IntegrityError)):
        return "rejected"
    if isinstance(exc, sa.exc.StatementError) and not isinstance(exc, sa.exc.DBAPIError):
        return "rejected"  # a value the driver cannot send (bad date, wrong type)
    if isinstance(exc, (ValueError, TypeError, OverflowError)):
        return "rejected"
    return "outage"


def describe(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's statement dump, passwords masked."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return mask_passwords(" ".join(lines[:2]) if lines and lines[0].endswith(":") else (lines[0] if lines else type(exc).__name__))


def in_thread(function, *args, timeout: float | None = None):
    """Run ``function(*args)`` on a new daemon thread; a Deferred of its result.

    Daemon, so a call hanging on a dead server never keeps the process alive after Ctrl-C; with
    ``timeout`` the Deferred fails with DatabaseTimeout when the call takes longer (the thread is left
    to finish or die with the process).
    """
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

    done = Deferred()

    def settle(outcome):
        if not done.called:
            (done.errback if isinstance(outcome, Failure) else done.callback)(outcome)

    def work():
        try:
            outcome = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the Deferred
            outcome = Failure(exc)
        try:
            reactor.callFromThread(settle, outcome)
        except RuntimeError:
            pass  # the reactor is gone
    threading.Thread(target=work, daemon=True, name="newscrawl-db").start()
    if timeout:
        timer = reactor.callLater(timeout, lambda: settle(Failure(DatabaseTimeout(
            f"no answer from the database within {timeout:g} s"))))
        done.addBoth(lambda result: (timer.active() and timer.cancel(), result)[1])
    return done


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
        in_chunk = _key_in(connection, chunk)
        counts = (
            sa.select(lsh_bands.c.band, lsh_bands.c.key, sa.func.count())
            .select_from(joined)
            .where(in_chunk, articles.c.portal == portal)
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
            .where(in_chunk, articles.c.portal != portal)
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


def _key_in(connection: sa.Connection, keys: list[int]):
    """``lsh_bands.key IN keys`` as one parameter: a PostgreSQL array, a JSON list for SQLite's json_each.

    ``key.in_(keys)`` renders and binds up to 2,000 parameters for each of a batch's two lookups.
    """
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return lsh_bands.c.key == sa.any_(sa.bindparam("lsh_keys", keys, type_=ARRAY(sa.BigInteger)))
    keys_json = sa.bindparam("lsh_keys", json.dumps(keys), type_=sa.String)
    return lsh_bands.c.key.in_(sa.select(sa.column("value", sa.BigInteger)).select_from(sa.func.json_each(keys_json)))


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
    # Up to 32 rows an article: the driver's executemany of plain tuples, not SQLAlchemy's per-row
    # parameter processing (a third of the store's time for three integer columns; bench_ofweek --profile).
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO lsh_bands (band, key, article_id) VALUES ({marker}, {marker}, {marker})",
        [(band, key, ids[url]) for url, pairs in owners.items() for band, key in pairs],
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


def known_urls(connection: sa.Connection, urls: list[str], gone_days: float = 0) -> set[str]:
    """Which of the URLs are stored, as articles or as duplicate aliases of one, or answered 404/410 lately."""
    found = set()
    since = utcnow() - timedelta(days=gone_days)
    for chunk in _chunks(sorted(set(urls))):
        found.update(connection.execute(sa.select(articles.c.url).where(articles.c.url.in_(chunk))).scalars())
        found.update(connection.execute(sa.select(url_aliases.c.url).where(url_aliases.c.url.in_(chunk))).scalars())
        if gone_days > 0:
            found.update(connection.execute(
                sa.select(gone_urls.c.url).where(gone_urls.c.url.in_(chunk), gone_urls.c.last_seen_at >= since)).scalars())
    return found


def remember_gone(connection: sa.Connection, gone: dict[str, int], seen_at: datetime) -> None:
    """Article URLs that answered 404/410 (url -> status): not requested again for NEWSCRAWL_GONE_DAYS."""
    if not gone:
        return
    known = set()
    for chunk in _chunks(sorted(gone)):
        known.update(connection.execute(sa.select(gone_urls.c.url).where(gone_urls.c.url.in_(chunk))).scalars())
    if known:
        connection.execute(gone_urls.update().where(gone_urls.c.url == sa.bindparam("b_url")),
                           [{"b_url": url, "status": gone[url], "last_seen_at": seen_at} for url in sorted(known)])
    fresh = [{"url": url, "status": status, "first_seen_at": seen_at, "last_seen_at": seen_at}
             for url, status in gone.items() if url not in known]
    if fresh:
        connection.execute(gone_urls.insert(), fresh)


def listing_states(connection: sa.Connection, spider: str, listings: list[str]) -> dict[str, dict]:
    """The walk state of each listing that has one (see docs/SCHEMA.md, "Incremental crawling")."""
    states = {}
    for chunk in _chunks(sorted(set(listings))):
        query = sa.select(listing_walks).where(listing_walks.c.spider == spider, listing_walks.c.listing.in_(chunk))
        for record in connection.execute(query).mappings():
            states[record["listing"]] = dict(record)
    return states


def open_walks(connection: sa.Connection, spider: str, listings: list[str], started_at: datetime) -> None:
    """Mark a walk of each listing as begun (and not complete) before any of its article requests is sent."""
    have = set(listing_states(connection, spider, listings))
    if have:
        connection.execute(
            listing_walks.update().where(listing_walks.c.spider == spider, listing_walks.c.listing == sa.bindparam("b_listing")),
            [{"b_listing": listing, "open_walk_started_at": started_at} for listing in sorted(have)])
    fresh = [{"spider": spider, "listing": listing, "open_walk_started_at": started_at}
             for listing in sorted(set(listings) - have)]
    if fresh:
        connection.execute(listing_walks.insert(), fresh)


def complete_walks(connection: sa.Connection, spider: str, depths: dict[str, int], started_at: datetime) -> int:
    """Mark the walks this run began as complete; a walk opened since by another run stays open."""
    done = 0
    now = utcnow()
    for listing, depth in depths.items():
        result = connection.execute(
            listing_walks.update()
            .where(listing_walks.c.spider == spider, listing_walks.c.listing == listing,
                   listing_walks.c.open_walk_started_at == started_at)
            .values(open_walk_started_at=None, completed_at=now, depth=depth))
        done += result.rowcount or 0
    return done


# ---------------------------------------------------------------- rows the database will take

MAX_TEXT = 16 * 1024 * 1024  # characters of one text field; a larger page is a fault, not an article
TEXT_LIMITS = {"portal": 64, "language": 16, "published_at_local": 40, "content_hash": 64}
DATE_FIELDS = ("published_at", "crawled_at")


def invalid_row(row) -> str | None:
    """Why the database would refuse this article row (one line), or None when it is fit to write."""
    if not isinstance(row, dict):
        return f"not an article row: {type(row).__name__}"
    for name in ("url", "portal", "title"):
        if not isinstance(row.get(name), str) or not row[name].strip():
            return f"{name} missing or not text"
    for name, value in row.items():
        if name in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"{name} is not a list of text"
            values = value
        elif name in DATE_FIELDS:
            reason = _invalid_date(value)
            if reason:
                return f"{name} {reason}"
            continue
        elif value is None:
            continue
        elif not isinstance(value, str):
            return f"{name} is {type(value).__name__}, not text"
        else:
            values = [value]
        for text in values:
            if "\x00" in text:
                return f"{name} holds a NUL character"
            if len(text) > TEXT_LIMITS.get(name, MAX_TEXT):
                return f"{name} is {len(text)} characters long, more than {TEXT_LIMITS.get(name, MAX_TEXT)}"
    return None


def _invalid_date(value) -> str | None:
    if value is None:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return f"{str(value)[:40]!r} is not an ISO 8601 time"
    offset = moment.utcoffset()
    if offset is None:
        return f"{moment.isoformat()} has no UTC offset"
    if offset.microseconds or offset.seconds % 60:
        return f"{moment.isoformat()} has an offset of {offset} (not whole minutes)"
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return f"{moment.isoformat()} is out of range in UTC"
    if not 1900 <= utc.year <= 2200:
        return f"{moment.isoformat()} is outside the years 1900-2200"
    return None


def write_rows(engine: sa.Engine, rows: list[dict], seen_at: datetime | None = None) -> list[tuple[str, str | None]]:
    """``write_batch`` in transactions, with every row the database refuses isolated.

    Rows failing ``invalid_row`` are not sent. A batch the database rejects (``classify`` = rejected)
    is split in halves until the refused row is alone; the others are stored. Refused rows get the
    outcome ``("rejected", reason)``. An outage or configuration error propagates (nothing is lost:
    the caller spools or keeps the batch; rows already committed load as ``unchanged``).
    """
    outcomes: list[tuple[str, str | None] | None] = [None] * len(rows)
    good = []
    for i, row in enumerate(rows):
        reason = invalid_row(row)
        if reason:
            outcomes[i] = ("rejected", reason)
        else:
            good.append(i)

    def attempt(indexes: list[int]) -> None:
        if not indexes:
            return
        try:
            with engine.begin() as connection:
                written = write_batch(connection, [rows[i] for i in indexes], seen_at)
        except Exception as exc:
            if classify(exc) != "rejected":
                raise
            if len(indexes) == 1:
                outcomes[indexes[0]] = ("rejected", describe(exc))
                return
            middle = len(indexes) // 2
            attempt(indexes[:middle])
            attempt(indexes[middle:])
            return
        for i, outcome in zip(indexes, written):
            outcomes[i] = outcome

    attempt(good)
    return outcomes  # type: ignore[return-value]


def exit_code_for(exc: BaseException) -> int:
    """A command's exit code for a database error: 2 fix the setting, 75 retry later, 74 refused, 1 otherwise."""
    from newscrawl.exitcodes import EXIT_NOT_STORED, EXIT_SPIDER_FAILED, EXIT_SPOOLED, EXIT_USAGE

    kind = classify(exc)
    if kind == "configuration":
        return EXIT_USAGE
    if kind == "rejected":
        return EXIT_NOT_STORED
    if isinstance(exc, (DatabaseTimeout, sa.exc.OperationalError, sa.exc.InterfaceError)):
        return EXIT_SPOOLED
    return EXIT_SPIDER_FAILED
