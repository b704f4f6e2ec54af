"""Fetching pages: `http` (httpx, the cheap first tier) and `browser` (Playwright/Chromium).

Import the submodules directly; this package imports neither, so that `pricemon --help` and
code that only needs `FetchedPage` never load Playwright.
"""

from pricemon.fetch.page import FetchedPage

__all__ = ["FetchedPage"]
