"""`scrapy export`'s formats: one column definition (columns.py), one reader (source.py), one module per format."""
