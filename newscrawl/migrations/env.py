"""Alembic environment: runs on the connection the caller passes, else on NEWSCRAWL_DATABASE_URL."""

import os

from alembic import context

from newscrawl import db

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=db.metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("NEWSCRAWL_DATABASE_URL", "sqlite:///newscrawl.db")
    engine = db.create_engine(url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=db.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
