"""Page objects: one article page's fields, the generic page, and one page class per portal (docs/CONTRIBUTING.md)."""

from newscrawl.pages.base import Page, PageSettings, field
from newscrawl.pages.generic import GenericPage
from newscrawl.pages.portal import PortalPage

__all__ = ["GenericPage", "Page", "PageSettings", "PortalPage", "field"]
