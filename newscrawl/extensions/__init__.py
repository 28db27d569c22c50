"""Scrapy extensions: run monitoring, progress lines, run records."""
