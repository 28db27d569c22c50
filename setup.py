"""Packaging for Scrapyd: `scrapyd-deploy` builds the project's egg from this file (docs/OPERATIONS.md)."""

from setuptools import find_namespace_packages, setup

setup(
    name="newscrawl",
    version="0.1",
    # Namespace-aware: some subpackages (spiders/, migrations/versions/) have no __init__.py.
    packages=find_namespace_packages(include=["newscrawl", "newscrawl.*"], exclude=["*.__pycache__"]),
    # Non-Python files the code reads at run time (Alembic's script template, any data files).
    package_data={"newscrawl": ["**/*.mako", "**/*.ini", "**/*.json", "**/*.txt", "**/*.sql", "**/*.yaml"]},
    entry_points={"scrapy": ["settings = newscrawl.settings"]},
    zip_safe=False,
)
