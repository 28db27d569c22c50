"""The batch write: one transaction per batch, three levels of deduplication, every refused row isolated."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from newscrawl import neardup
from newscrawl.db.engine import utcnow
from newscrawl.db.errors import classify, describe
from newscrawl.db.lsh import band_candidates, claim_buckets, index_bands
from newscrawl.db.merge import better_row, changed_fields, improves
from newscrawl.db.rows import invalid_row
from newscrawl.db.schema import VERSIONED_FIELDS, article_versions, articles, lsh_bands, url_aliases
from newscrawl.db.util import chunks


Outcome = tuple[str, "str | None"]
# Columns a row may lack (written by an older newscrawl, spooled, or crawled without the archive).
OPTIONAL = {"archive_file": None, "archive_offset": None, "version_reason": None}
REEXTRACT = "reextract"  # a row's version_reason from `scrapy reextract`: any changed field makes a new version


def write_batch(connection: sa.Connection, rows: list[dict], seen_at: datetime | None = None) -> list[Outcome]:
    """Store a batch of article rows in one transaction; return one ``(outcome, detail)`` per row.

    Outcomes: ``inserted`` (detail: the URL it is a near-duplicate of, or None), ``updated`` (text
    changed: the old version went to article_versions), ``improved`` (same text, better metadata: see
    ``better_row``; detail: the fields, comma-separated), ``unchanged`` (seen again), ``duplicate_content``
    (same text as another URL of the same portal; detail: that URL; nothing written).
    A row whose ``version_reason`` is ``reextract`` (`scrapy reextract`) makes a new version for any changed field
    (``updated``, detail: the fields), and leaves an unchanged article untouched. Each new version records why
    (``version_reason``: ``recrawl: <fields>`` or ``reextract: <fields>``).
    A handful of set-based statements per batch, whatever its size.
    """
    seen_at = seen_at or utcnow()
    rows = [{**OPTIONAL, **row} for row in rows]  # executemany wants the same keys in every row
    outcomes: list[Outcome | None] = [None] * len(rows)
    last_index = {row["url"]: i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        if last_index[row["url"]] != i:
            outcomes[i] = ("unchanged", None)  # the same URL again later in this batch wins
    live = [i for i in range(len(rows)) if outcomes[i] is None]
    existing = _stored(connection, [rows[i]["url"] for i in live])
    new = [i for i in live if rows[i]["url"] not in existing]
    inserts, aliases = _same_text_elsewhere(connection, rows, new, outcomes)
    _insert_new(connection, rows, inserts, outcomes, seen_at)
    if aliases:
        _remember_aliases(connection, aliases, seen_at)  # after the inserts: an alias may name one of them
    _update_stored(connection, rows, [i for i in live if rows[i]["url"] in existing], existing, outcomes, seen_at)
    return outcomes  # type: ignore[return-value]


def _stored(connection: sa.Connection, urls: list[str]) -> dict[str, dict]:
    """The stored rows of these URLs (the columns a version keeps, and the bookkeeping), by URL."""
    existing = {}
    columns = [articles.c.id, articles.c.version, articles.c.updated_at, articles.c.first_seen_at, articles.c.last_seen_at,
               articles.c.portal, articles.c.site, articles.c.language] + [articles.c[n] for n in VERSIONED_FIELDS]
    for chunk in chunks(urls):
        for record in connection.execute(sa.select(*columns).where(articles.c.url.in_(chunk))).mappings():
            existing[record["url"]] = dict(record)
    return existing


def _same_text_elsewhere(connection, rows, new: list[int], outcomes) -> tuple[list[int], dict[str, str]]:
    """Level 2: rows whose text the portal already has at another URL (stored or earlier in this batch).

    Returns the rows to insert, and the others as aliases (their URL -> the URL that has the text).
    """
    hashes = sorted({rows[i]["content_hash"] for i in new if rows[i].get("content_hash")})
    known_hash: dict[tuple[str, str], str] = {}
    for chunk in chunks(hashes):
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
    return inserts, aliases


def _insert_new(connection, rows, inserts: list[int], outcomes, seen_at) -> None:
    """Level 3: insert new rows, each marked as a near-duplicate of the earliest similar article of another
    portal found through the LSH band index (bounded: see band_candidates)."""
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
            band_owners[row["url"]] = claim_buckets(pairs, own)
            for pair in band_owners[row["url"]]:
                in_batch.setdefault(pair, []).append(me)
        outcomes[i] = ("inserted", near)
        insert_rows.append({**row, "first_seen_at": seen_at, "last_seen_at": seen_at, "updated_at": seen_at,
                            "version": 1, "near_duplicate_of": near, "minhash": sig})
    if insert_rows:
        connection.execute(articles.insert(), insert_rows)
        index_bands(connection, band_owners)


def _update_stored(connection, rows, seen: list[int], existing: dict[str, dict], outcomes, seen_at) -> None:
    """Rows of stored URLs: a new version where the text changed (or, re-extracted, any field), better metadata
    filled in, or only seen.

    Seen times only widen (a spool loaded late holds older sightings): ``first_seen_at`` is the earliest,
    ``last_seen_at`` the latest, and a text seen before the stored one's last sighting is not a new version.
    """
    changed, unchanged, improved = [], [], []
    for i in seen:
        old = existing[rows[i]["url"]]
        row = better_row(old, rows[i])
        reextracted = row.get("version_reason") == REEXTRACT
        fields = changed_fields(old, row)
        seen_times = {"first_seen_at": min(old["first_seen_at"], seen_at), "last_seen_at": max(old["last_seen_at"], seen_at)}
        other_text = old["content_hash"] != row.get("content_hash")
        older_sighting = seen_at < old["last_seen_at"] and not reextracted
        if other_text and not older_sighting or reextracted and fields:
            kind = REEXTRACT if reextracted else "recrawl"
            changed.append((old, {**row, "version_reason": f"{kind}: {','.join(fields) or 'content_hash'}"}))
            outcomes[i] = ("updated", ",".join(fields))
        elif reextracted:
            outcomes[i] = ("unchanged", None)  # the same extraction: not even seen again on the portal
        elif not other_text and (better := improves(old, row)):
            values = {name: row.get(name) for name in better}
            values.update(published_at=row.get("published_at"), published_at_local=row.get("published_at_local"),
                          crawled_at=row.get("crawled_at"), b_id=old["id"], **seen_times, **_source(old, row),
                          updated_at=max(old["updated_at"], seen_at))  # changed content for exports' cursors, though not a new text
            improved.append(values)
            outcomes[i] = ("improved", ",".join(better))
        else:
            unchanged.append({"b_id": old["id"], **seen_times, **_source(old, row)})
            outcomes[i] = ("unchanged", None)
    if unchanged:
        connection.execute(articles.update().where(articles.c.id == sa.bindparam("b_id")), unchanged)
    for values in improved:  # one statement each: the rows change different columns
        connection.execute(articles.update().where(articles.c.id == values.pop("b_id")), values)
    if changed:
        _new_versions(connection, changed, seen_at)


def _source(old: dict, row: dict) -> dict:
    """The archived page of a version that did not change: the one it has, else the one just archived."""
    keep = old.get("archive_file") is not None or row.get("archive_file") is None
    return {name: (old if keep else row).get(name) for name in ("archive_file", "archive_offset")}


def _new_versions(connection, changed: list[tuple[dict, dict]], seen_at) -> None:
    """Keep each old text in article_versions, store the new one, and index its bands again."""
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
        owners.update({url: claim_buckets(neardup.bands(sig), own) for url, sig in sigs.items()})
    index_bands(connection, owners)


def _remember_aliases(connection: sa.Connection, aliases: dict[str, str], seen_at: datetime) -> None:
    """Record duplicate URLs (alias -> stored URL) so incremental crawls know them."""
    ids = {}
    for chunk in chunks(sorted(set(aliases.values()))):
        ids.update(connection.execute(sa.select(articles.c.url, articles.c.id).where(articles.c.url.in_(chunk))).all())
    known = set()
    for chunk in chunks(list(aliases)):
        known.update(connection.execute(sa.select(url_aliases.c.url).where(url_aliases.c.url.in_(chunk))).scalars())
    fresh = [{"url": alias, "article_id": ids[target], "first_seen_at": seen_at}
             for alias, target in aliases.items() if alias not in known and target in ids]
    if fresh:
        connection.execute(url_aliases.insert(), fresh)


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
