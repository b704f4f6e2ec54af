"""One Chromium per worker process, shared by every concurrent check, started on first need.

`BrowserPool.start()` (pricemon/fetch/browser.py) launches Chromium at once, and the checker
is handed the pool before it knows whether a page needs a browser. `LazyBrowserPool` defers
the start to the first `fetch`, so workers that only ever meet static pages never start
Chromium; shutdown closes it if it was started.
"""

from __future__ import annotations

import asyncio
import logging

from pricemon.config import Settings
from pricemon.fetch.browser import BrowserPool
from pricemon.fetch.page import FetchedPage

log = logging.getLogger(__name__)


class LazyBrowserPool(BrowserPool):
    """A BrowserPool that starts Playwright and Chromium on its first fetch."""

    def __init__(self, settings: Settings, size: int = 1) -> None:
        super().__init__(settings, size)
        self._start_lock = asyncio.Lock()
        self.started = False

    async def fetch(self, url: str) -> FetchedPage:
        if not self.started:
            async with self._start_lock:
                if not self.started:
                    await self.start()
                    self.started = True
                    log.info("Chromium started for the browser tier (%d page(s))", self.size)
        return await super().fetch(url)

    async def close(self) -> None:
        await super().close()
        if self.started:
            self.started = False
            log.info("Chromium closed")


class SharedBrowser:
    """Holds the process's pool; `pool()` is cheap, Chromium starts on the first fetch."""

    def __init__(self, settings: Settings, *, size: int) -> None:
        self._pool = LazyBrowserPool(settings, size)

    @property
    def started(self) -> bool:
        return self._pool.started

    async def pool(self) -> BrowserPool:
        return self._pool

    async def close(self) -> None:
        """Close Chromium if it was started; safe to call twice."""
        await self._pool.close()
