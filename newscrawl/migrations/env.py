"""Alembic environment: runs on the connection the caller passes, else on the project's NEWSCRAWL_DATABASE_URL
(settings.py, the environment: what `scrapy migrate` would use), unless alembic.ini names sqlalchemy.url."""

from alembic import context

from newscrawl import db


def project_database_url() -> str:
    from scrapy.utils.project import get_project_settings

    from newscrawl import config as project_config

    settings = get_project_settings()
    project_config.configure(settings)
    return project_config.options(settings).database_url


config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=db.metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = config.get_main_option("sqlalchemy.url") or project_database_url()
    engine = db.create_engine(url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=db.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
