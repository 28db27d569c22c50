"""newscrawl: clean, deduplicated articles from Chinese industry news portals."""

__version__ = "0.1.0"
