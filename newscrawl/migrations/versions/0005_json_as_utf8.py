"""SQLite: JSON columns rewritten from ASCII escapes (["\\u4eba..."]) to UTF-8 text (["人工智能"]).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

New rows are written so by db.create_engine's json_serializer; this rewrites the rows stored before, so
that `LIKE '%人工智能%'` and json_each find them. PostgreSQL's jsonb has no text form to change: nothing to do.
"""

import json

import sqlalchemy as sa
from alembic import op

from newscrawl.jsontext import json_line

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = {
    "articles": ("categories", "tags", "images"),
    "article_versions": ("categories", "tags", "images"),
    "crawl_runs": ("arguments", "stats"),
}
BATCH = 1000


def _rewrite(connection, table: str, columns: tuple[str, ...]) -> None:
    """Rows holding a \\u escape, a batch at a time by id (bounded memory on any size of store)."""
    escaped = " OR ".join(f"instr({c}, '\\u') > 0" for c in columns)
    select = sa.text(f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :after AND ({escaped}) "
                     f"ORDER BY id LIMIT {BATCH}")
    update = sa.text(f"UPDATE {table} SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :id")
    after = 0
    while rows := connection.execute(select, {"after": after}).mappings().all():
        connection.execute(update, [
            {"id": row["id"], **{c: None if row[c] is None else json_line(json.loads(row[c])) for c in columns}}
            for row in rows])
        after = rows[-1]["id"]


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    present = set(sa.inspect(connection).get_table_names())
    for table, columns in COLUMNS.items():
        if table in present:
            _rewrite(connection, table, columns)


def downgrade() -> None:
    pass  # ASCII escapes and UTF-8 are the same JSON: nothing to undo
