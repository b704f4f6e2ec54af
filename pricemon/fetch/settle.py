"""When is a rendered page ready to read? As soon as a price shows, or when it goes quiet.

Script-rendered shops fill the price in after fetching their data, so "load" is too early
and "networkidle" alone is slow (analytics keep the network busy). The browser tier waits for
the first of:

- a price: JSON-LD with an offer price, `itemprop=price`, `product:price:amount` meta, or an
  element whose class or id mentions "price" with a digit in it;
- quiet: no DOM mutation and no request in flight for QUIET_S;
- the deadline (`timeout_s`), so a page that never settles costs a bounded time.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page, Request

QUIET_S = 1.5
POLL_S = 0.15

# Runs in every document before its own scripts: remembers when the DOM last changed.
INIT_SCRIPT = """
(() => {
  window.__pricemonLastMutation = performance.now();
  new MutationObserver(() => { window.__pricemonLastMutation = performance.now(); })
    .observe(document, {subtree: true, childList: true, characterData: true});
})();
"""

PROBE_SCRIPT = """
() => {
  const quietMs = performance.now() - (window.__pricemonLastMutation || 0);
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    if (/"(price|lowPrice)"\\s*:\\s*"?\\d/.test(s.textContent || '')) return {price: true, quietMs};
  }
  const meta = document.querySelector(
    '[itemprop=price], meta[property="product:price:amount"], meta[property="og:price:amount"]');
  if (meta) return {price: true, quietMs};
  for (const el of document.querySelectorAll('[class*=price i], [id*=price i], [data-price]')) {
    if (/\\d/.test(el.textContent || '')) return {price: true, quietMs};
  }
  return {price: false, quietMs};
}
"""


class NetworkTracker:
    """Counts a page's requests in flight, and when the last one started or ended."""

    def __init__(self, page: Page) -> None:
        self.in_flight: set[Request] = set()
        self.last_activity = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Request) -> None:
        self.in_flight.add(request)
        self.last_activity = time.monotonic()

    def _ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        self.last_activity = time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since the network went idle (0 while a request is in flight)."""
        if self.in_flight:
            return 0.0
        return time.monotonic() - self.last_activity


async def wait_for_price(page: Page, tracker: NetworkTracker, *, timeout_s: float) -> str:
    """Wait until a price shows or the page is quiet, at most `timeout_s`; say which."""
    from playwright.async_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            probe = await page.evaluate(PROBE_SCRIPT)
        except PlaywrightError:  # the page navigated (a JS redirect): probe the new one
            probe = {"price": False, "quietMs": 0}
        if probe["price"]:
            return "a price appeared"
        dom_quiet_s = float(probe["quietMs"]) / 1000
        if min(dom_quiet_s, tracker.quiet_for()) >= QUIET_S:
            return "the page went quiet"
        if time.monotonic() >= deadline:
            return f"the {timeout_s:g} s limit"
        await asyncio.sleep(POLL_S)
