"""Breadcrumbs and tags: where a page lists its sections and keywords."""

from __future__ import annotations

CRUMB_XPATH = (
    '//*[contains(@class, "crumb") or contains(@id, "crumb")'
    ' or contains(concat(" ", normalize-space(@class), " "), " position ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " location ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " dqwz ")'
    ' or starts-with(normalize-space(text()[1]), "当前位置") or starts-with(normalize-space(text()[1]), "您的位置")'
    ' or starts-with(normalize-space(text()[1]), "您现在的位置")][.//a]'
)
