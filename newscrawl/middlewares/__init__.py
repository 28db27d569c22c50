"""Downloader and spider middlewares, one job each (docs/OPERATIONS.md, "Hostile pages")."""
