"""One Chromium per worker process, shared by every concurrent check, started on first need.

Workers that only ever meet static pages never start a browser; the first check that asks
for one starts it, and shutdown closes it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from pricemon.config import Settings

if TYPE_CHECKING:
    from pricemon.fetch.browser import BrowserPool

log = logging.getLogger(__name__)


class SharedBrowser:
    """Holds the process's BrowserPool; `pool()` creates it once, `close()` closes it."""

    def __init__(self, settings: Settings, *, size: int) -> None:
        self.settings = settings
        self.size = size
        self._pool: BrowserPool | None = None
        self._lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def pool(self) -> BrowserPool:
        """The shared pool, entered on the first call (concurrent callers wait for it)."""
        if self._pool is not None:
            return self._pool
        async with self._lock:
            if self._pool is None:
                from pricemon.fetch.browser import BrowserPool

                pool = BrowserPool(self.settings, size=self.size)
                await pool.__aenter__()
                self._pool = pool
                log.info("browser pool ready (%d page(s))", self.size)
        return self._pool

    async def close(self) -> None:
        """Close Chromium if it was started; safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.__aexit__(None, None, None)
            log.info("browser closed")
