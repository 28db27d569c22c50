"""Headline and site name from the <title>, og:title and the headline element."""

from __future__ import annotations

import re

TITLE_SEP = re.compile(r"\s*(?:[-_|–—|｜]|::)\s*")
