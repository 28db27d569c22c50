"""Named export cursors: each export takes exactly what changed since the cursor's last complete one.

A cursor is a JSON file and a state file (id, updated_at, version of every article it has seen) kept with
the export: ``OUTDIR/_cursors/`` for Parquet, ``FILE.cursors/`` beside a file. An export scans the store's
``(id, updated_at, version)``, exports the articles whose pair differs from the state (new, edited, improved,
stored late whatever their dates), then writes the new state and, last, the JSON that points at it: a killed
export leaves the cursor where it was. docs/ANALYTICS.md, "Cursors".
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from newscrawl import db
from newscrawl.export.files import atomic_path
from newscrawl.export.source import Changes, micros
from newscrawl.reader import CommandError

STATE = pa.schema([("id", pa.int64()), ("updated_us", pa.int64()), ("version", pa.int64())])


def folder(kind: str, target: str) -> Path:
    return Path(target) / "_cursors" if kind == "parquet" else Path(f"{target}.cursors")


def _filters(job) -> dict:
    s = job.selection
    return {"format": job.kind, "portal": sorted(s.portals), "since": s.since.isoformat() if s.since else None,
            "skip_near_duplicates": s.originals_only, "versions": job.versions, "bodies": job.bodies}


def _empty():
    return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)


def load(where: Path, name: str) -> dict:
    path = where / f"{name}.json"
    if not path.exists():
        return {"name": name, "step": 0, "state": None, "filters": None, "exported_at": None}
    return json.loads(path.read_text("utf-8"))


def read_state(where: Path, cursor: dict):
    if not cursor["state"]:
        return _empty()
    table = pq.read_table(where / cursor["state"], schema=STATE)
    return tuple(table[name].to_numpy() for name in STATE.names)


def scan(engine: sa.Engine, batch: int = 20_000):
    """Every stored article's ``(id, updated_at µs, version)``, by id, as three arrays."""
    a = db.articles
    parts = []
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(
            sa.select(a.c.id, a.c.updated_at, a.c.version).order_by(a.c.id))
        for rows in result.partitions():
            parts.append(np.array([(i, micros(u), v or 1) for i, u, v in rows], dtype=np.int64).reshape(-1, 3))
    if not parts:
        return _empty()
    table = np.concatenate(parts)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy()


def changes(old, new) -> Changes:
    """The articles of ``new`` that ``old`` does not have with the same updated_at."""
    old_ids, old_updated, old_version = old
    ids, updated, version = new
    where = np.searchsorted(old_ids, ids)
    inside = where < len(old_ids)
    known = np.zeros(len(ids), bool)
    known[inside] = old_ids[where[inside]] == ids[inside]
    same = np.zeros(len(ids), bool)
    same[known] = old_updated[where[known]] == updated[known]
    pick = ~same
    first = np.ones(len(ids), np.int64)
    first[known] = old_version[where[known]]
    return Changes(ids[pick], first[pick], version[pick], updated[pick], everything=len(old_ids) == 0)


def advanced(old, new, stale: list[int]):
    """The state after the export: ``new``, except that rows changed again since the scan (``stale``) keep
    their old entry (or none), so the next export takes them."""
    if not stale:
        return new
    ids, updated, version = (x.copy() for x in new)
    old_ids, old_updated, old_version = old
    keep = np.ones(len(ids), bool)
    for article_id in set(stale):
        i = int(np.searchsorted(ids, article_id))
        j = int(np.searchsorted(old_ids, article_id))
        if j < len(old_ids) and old_ids[j] == article_id:
            updated[i], version[i] = old_updated[j], old_version[j]
        else:
            keep[i] = False
    return ids[keep], updated[keep], version[keep]


def save(where: Path, cursor: dict, state, filters: dict, counts: dict) -> None:
    """The new state file, then the JSON naming it (the moment the cursor advances), then the old state goes."""
    step = cursor["step"] + 1
    name = f"{cursor['name']}-{step:06d}.state.parquet"
    with atomic_path(where / name) as temporary:
        pq.write_table(pa.table(dict(zip(STATE.names, state)), schema=STATE), temporary, compression="zstd")
    record = {"name": cursor["name"], "step": step, "state": name, "filters": filters, "articles_seen": len(state[0]),
              "exported_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), "last_counts": counts}
    with atomic_path(where / f"{cursor['name']}.json") as temporary:
        temporary.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for old in where.glob(f"{cursor['name']}-*.state.parquet"):
        if old.name != name:
            old.unlink()


def run(engine: sa.Engine, job, name: str) -> str:
    """Export what changed since cursor ``name``'s last complete export; advance it when the export is complete."""
    from newscrawl.export.jobs import describe, write

    if job.target == "-":
        raise CommandError("--cursor needs a file or directory to export to, not stdout")
    if job.selection.changed_after is not None:
        raise CommandError("--cursor and --changed-since do not go together: the cursor knows what changed")
    where = folder(job.kind, job.target)
    where.mkdir(parents=True, exist_ok=True)
    cursor, filters = load(where, name), _filters(job)
    if cursor["filters"] is not None and cursor["filters"] != filters:
        raise CommandError(f"cursor {name} exports {json.dumps(cursor['filters'], ensure_ascii=False)}; "
                           "give the same format and options, or another cursor name")
    old = read_state(where, cursor)
    new = scan(engine)
    found = changes(old, new)
    if not len(found):
        return f"nothing changed since cursor {name}'s last export ({cursor['exported_at']}): nothing written"
    stale: list[int] = []
    counts = write(engine, job, dataclasses.replace(job.selection, changed=found), stale,
                   step=f"{name}-{cursor['step'] + 1:06d}")
    save(where, cursor, advanced(old, new, stale), filters, counts)
    return f"{describe(counts, job.target)} (cursor {name}, export {cursor['step'] + 1})"
