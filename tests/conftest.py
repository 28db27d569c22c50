"""Shared fixtures: PostgreSQL for tests (skipped when unreachable, failing when NEWSCRAWL_REQUIRE_SERVICES=1)."""

import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("NEWSCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def service_unavailable(reason: str):
    """Skip with the reason, or fail when CI says the service must be there."""
    if os.environ.get("NEWSCRAWL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (NEWSCRAWL_REQUIRE_SERVICES=1: the service is required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def make_postgres_database():
    """A factory of fresh, empty PostgreSQL databases (random names), all dropped at the end of the session."""
    url = make_url(POSTGRES_URL)
    admin = None
    for database in (url.database, "postgres"):
        engine = sa.create_engine(url.set(database=database), isolation_level="AUTOCOMMIT",
                                  connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                admin = engine
                break
        except sa.exc.OperationalError as exc:
            engine.dispose()
            error = " ".join(str(exc.orig).split())[:160]
    if admin is None:
        service_unavailable(f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}: {error}")
    created = []

    def make(prefix: str = "newscrawl_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as connection:
        for name in created:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# ---------------------------------------------------------------- Redis (distributed crawling)

REDIS_URL = os.environ.get("NEWSCRAWL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_keys():
    """(Redis URL, a unique key prefix for NEWSCRAWL_REDIS_KEY_PREFIX); the prefix's keys are deleted after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    prefix = f"newscrawl-test-{uuid.uuid4().hex[:10]}"
    yield REDIS_URL, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()
