"""The LSH band index that finds near-duplicates across portals in a bounded number of rows."""

from __future__ import annotations

import json

import sqlalchemy as sa

from newscrawl import neardup
from newscrawl.db.schema import articles, lsh_bands
from newscrawl.db.util import chunks


def band_candidates(
    connection: sa.Connection, signatures: list[bytes], portal: str, candidates: bool = True
) -> tuple[dict[tuple[int, int], list[dict]], dict[tuple[int, int], int]]:
    """Stored articles of other portals sharing an LSH band with the signatures, and ``portal``'s own count per band.

    Returns ``(others, own)``: ``others[(band, key)]`` lists the other portals' articles in that bucket,
    ``own[(band, key)]`` how many of ``portal``'s articles it holds. The portal filter is in SQL, and a
    bucket holds at most ``neardup.BUCKET_CAP`` articles per portal (``claim_buckets``), so both
    queries read a bounded number of rows per band however many similar articles are stored.
    """

    wanted = {pair for sig in signatures for pair in neardup.bands(sig)}
    members: dict[tuple[int, int], list[int]] = {}
    own: dict[tuple[int, int], int] = {}
    for chunk in chunks(sorted({k for _, k in wanted}), 2000):
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
    for chunk in chunks(sorted({i for ids in members.values() for i in ids})):
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


def claim_buckets(pairs: list[tuple[int, int]], own: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """The bands an article is indexed under: those where its portal holds fewer than BUCKET_CAP articles.

    A full bucket already holds that many of the portal's articles with the same band: a copy on another
    portal is found through them (or through the article's other bands), so the index stays bounded.
    ``own`` is updated, so later articles of the same batch see the claim.
    """

    claimed = []
    for pair in pairs:
        if own.get(pair, 0) < neardup.BUCKET_CAP:
            own[pair] = own.get(pair, 0) + 1
            claimed.append(pair)
    return claimed


def index_bands(connection: sa.Connection, owners: dict[str, list[tuple[int, int]]]) -> None:
    """Store each article's claimed ``(band, key)`` pairs, by URL."""
    owners = {url: pairs for url, pairs in owners.items() if pairs}
    if not owners:
        return
    ids = {}
    for chunk in chunks(list(owners)):
        ids.update(connection.execute(sa.select(articles.c.url, articles.c.id).where(articles.c.url.in_(chunk))).all())
    # Up to 32 rows an article: the driver's executemany of plain tuples, not SQLAlchemy's per-row
    # parameter processing (a third of the store's time for three integer columns; bench_ofweek --profile).
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO lsh_bands (band, key, article_id) VALUES ({marker}, {marker}, {marker})",
        [(band, key, ids[url]) for url, pairs in owners.items() for band, key in pairs],
    )
