"""When is a rendered page ready to read? As soon as a price shows, or when it goes quiet.

Script-rendered shops fill the price in after fetching their data, so "load" is too early
and "networkidle" alone is slow (analytics keep the network busy). The browser tier waits for
the first of:

- a price: JSON-LD with an offer price, `itemprop=price`, `product:price:amount` meta, or an
  element whose class or id mentions "price" with a digit in it;
- quiet: the document has loaded (`readyState` "complete": its scripts have run), no
  fetch/XHR is pending, and the DOM has not changed for QUIET_MS;
- the deadline (`timeout_s`), so a page that never settles costs a bounded time.

The condition is evaluated inside the page every POLL_MS (Playwright's `wait_for_function`),
so waiting costs one round trip to the browser, not one per poll.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

QUIET_MS = 1500
POLL_MS = 100

# Runs in every document before its own scripts: remembers when the DOM last changed and
# counts the page's fetch and XMLHttpRequest calls in flight.
INIT_SCRIPT = """
(() => {
  window.__pricemonLastMutation = performance.now();
  window.__pricemonPending = 0;
  new MutationObserver(() => { window.__pricemonLastMutation = performance.now(); })
    .observe(document, {subtree: true, childList: true, characterData: true});
  const done = () => { window.__pricemonPending -= 1; };
  const originalFetch = window.fetch;
  if (originalFetch) {
    window.fetch = function (...args) {
      window.__pricemonPending += 1;
      return originalFetch.apply(this, args).finally(done);
    };
  }
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    window.__pricemonPending += 1;
    this.addEventListener('loadend', done, {once: true});
    return send.apply(this, args);
  };
})();
"""

SETTLED_SCRIPT = """
(quietMs) => {
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    if (/"(price|lowPrice)"\\s*:\\s*"?\\d/.test(s.textContent || '')) return 'a price appeared';
  }
  if (document.querySelector(
      '[itemprop=price], meta[property="product:price:amount"], meta[property="og:price:amount"]'))
    return 'a price appeared';
  for (const el of document.querySelectorAll('[class*=price i], [id*=price i], [data-price]')) {
    if (/\\d/.test(el.textContent || '')) return 'a price appeared';
  }
  const quiet = performance.now() - (window.__pricemonLastMutation || 0) >= quietMs;
  if (quiet && document.readyState === 'complete' && !(window.__pricemonPending > 0))
    return 'the page went quiet';
  return false;
}
"""


async def wait_for_price(page: Page, *, timeout_s: float) -> str:
    """Wait until a price shows or the page is quiet, at most `timeout_s`; say which."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_s
    for _attempt in range(3):  # a script-driven navigation destroys the context: retry
        remaining_ms = max(deadline - time.monotonic(), 0.05) * 1000
        try:
            handle = await page.wait_for_function(
                SETTLED_SCRIPT, arg=QUIET_MS, polling=POLL_MS, timeout=remaining_ms
            )
            return str(await handle.json_value())
        except PlaywrightTimeout:
            return f"the {timeout_s:g} s limit"
        except PlaywrightError:
            if page.is_closed():
                raise
    return "the page kept navigating"
