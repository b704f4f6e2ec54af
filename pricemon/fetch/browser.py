"""The browser tier: pages rendered by one shared headless Chromium (Playwright, async).

    async with BrowserPool(settings, size=4) as pool:
        page = await pool.fetch(url)      # FetchedPage with the rendered HTML

One Chromium per pool (make one pool per process). Each of the `size` concurrency slots owns
a browser context with one page, reused from fetch to fetch and replaced every
`recycle_after` pages (a context collects cookies and caches). After each fetch the page is
blanked and its renderer's garbage collected when it passes 24 MB, so a renderer stays
under 100 MB instead of keeping most of every page it has shown. When Chromium dies
(`browser.is_connected()` turns false, or a call fails on a closed target) the pool
relaunches it and the fetch is retried once.

Private addresses (see pricemon.fetch.guard) are refused before navigating, every request
the page makes is checked in a route handler (aborted without traffic when refused), and
the redirect chain of the document is checked after loading: Playwright does not route
redirect hops, so a public page that redirects to a private address gets that one GET sent
by Chromium, but its content is never returned. Chromium resolves names itself, so the
DNS-rebinding pin of the HTTP tier is not available here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pricemon.config import Settings
from pricemon.errors import BrowserError, FetchError
from pricemon.fetch.blocking import detect_block
from pricemon.fetch.chromium import driver_node_options, executable_path, launch_args, user_agent
from pricemon.fetch.guard import VerdictCache, check_url_allowed
from pricemon.fetch.http import BLOCKED_HINT, status_error
from pricemon.fetch.page import FetchedPage
from pricemon.fetch.settle import INIT_SCRIPT, wait_for_price

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        BrowserContext,
        CDPSession,
        Page,
        Playwright,
        Request,
        Response,
        Route,
    )

log = logging.getLogger(__name__)

BLOCKED_RESOURCES = frozenset({"image", "media", "font"})
# JS and DOM heap a blanked page may keep before it is collected (see _collect_garbage).
GARBAGE_LIMIT_BYTES = 24 * 2**20


@dataclass
class _Slot:
    """One concurrency slot: a context and its page, and when to replace them."""

    context: BrowserContext | None = None
    page: Page | None = None
    devtools: CDPSession | None = None  # the page's own DevTools session, to collect garbage
    uses: int = 0
    generation: int = -1  # the browser launch this context belongs to
    refused: str | None = None  # why the last document request was refused, if it was
    document: Response | None = None  # the main frame's latest document response


@dataclass
class PoolStats:
    launches: int = 0
    contexts: int = 0
    pages: int = 0
    collections: int = 0  # full garbage collections after a page


class BrowserPool:
    """Headless Chromium shared by `size` concurrent fetches (see module doc)."""

    def __init__(
        self,
        settings: Settings,
        size: int = 1,
        *,
        recycle_after: int = 50,
        settle_timeout_s: float = 5.0,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.settings = settings
        self.size = size
        self.recycle_after = recycle_after
        self.settle_timeout_s = settle_timeout_s
        self.stats = PoolStats()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._slots: asyncio.Queue[_Slot] = asyncio.Queue()
        self._launch_lock = asyncio.Lock()
        self._user_agent = ""
        self._verdicts = VerdictCache()
        self._releases: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> BrowserPool:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start Playwright and Chromium (raises BrowserError when Chromium cannot start)."""
        from playwright.async_api import async_playwright

        if self._playwright is not None:
            return
        with driver_node_options():
            self._playwright = await async_playwright().start()
        for _ in range(self.size):
            self._slots.put_nowait(_Slot())
        try:
            await self._ensure_browser()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close Chromium and Playwright; safe to call twice."""
        browser, self._browser = self._browser, None
        if browser is not None:
            try:
                await browser.close()
            except Exception as error:  # already dead: nothing left to close
                log.debug("closing Chromium: %s", error)
        if self._releases:  # they end quickly once the browser is gone
            await asyncio.gather(*self._releases, return_exceptions=True)
        playwright, self._playwright = self._playwright, None
        if playwright is not None:
            await playwright.stop()
        self._slots = asyncio.Queue()  # a later start() makes fresh slots

    @property
    def idle_slots(self) -> int:
        """Slots not rendering right now (all `size` of them between fetches)."""
        return self._slots.qsize()

    async def _ensure_browser(self) -> Browser:
        """The running browser; (re)launched when there is none or it has died."""
        async with self._launch_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._playwright is None:
                raise BrowserError("the browser pool is closed", hint="use `async with`")
            if self._browser is not None:
                log.warning("Chromium is gone (crashed or killed); relaunching")
            self._browser = await self._launch()
            return self._browser

    async def _launch(self) -> Browser:
        from playwright.async_api import Error as PlaywrightError

        assert self._playwright is not None
        executable = executable_path(self.settings, self._playwright.chromium.executable_path)
        try:
            browser = await self._playwright.chromium.launch(
                executable_path=executable,
                args=launch_args(self.settings),
                headless=True,
                timeout=60_000,
                handle_sigint=False,
                handle_sigterm=False,
                handle_sighup=False,
            )
        except PlaywrightError as error:
            raise BrowserError(
                f"Chromium did not start ({executable or 'Playwright Chromium'}): "
                f"{error.message.splitlines()[0]}",
                hint="run it with --headless by hand to see why; see PRICEMON_CHROMIUM_EXECUTABLE",
            ) from None
        self.stats.launches += 1
        self._user_agent = user_agent(browser.version)
        return browser

    async def fetch(self, url: str) -> FetchedPage:
        """Render `url` and return its HTML once a price appears or the page settles.

        Raises FetchError (refused, timeout, http, blocked, connect) like the HTTP tier, and
        BrowserError when Chromium cannot be started or driven.
        """
        from playwright.async_api import Error as PlaywrightError

        await check_url_allowed(url, allow_private=self.settings.allow_private_urls)
        slot = await self._slots.get()
        try:
            for attempt in (1, 2):
                browser = await self._ensure_browser()
                try:
                    return await self._fetch_in(slot, browser, url)
                except PlaywrightError as error:
                    if slot.refused:
                        raise FetchError(slot.refused, kind="refused", url=url) from None
                    slot.generation = -1  # a fresh context next time, whatever broke
                    crashed = (
                        not browser.is_connected() or slot.page is None or (slot.page.is_closed())
                    )
                    if not crashed:
                        raise _navigation_error(url, error, self.settings) from None
                    if attempt == 2:
                        raise BrowserError(
                            f"Chromium crashed twice while loading {url}",
                            hint="check memory limits; the page may crash the renderer",
                        ) from None
                    log.warning("Chromium failed during %s (%s); retrying", url, error.message)
            raise AssertionError("unreachable")
        finally:
            release = asyncio.create_task(self._release(slot))
            self._releases.add(release)
            release.add_done_callback(self._releases.discard)

    async def _release(self, slot: _Slot) -> None:
        """Blank the slot's page and collect its garbage, then hand the slot back. Runs after
        `fetch` has returned, so that a finished page's timers and polling stop without
        delaying the caller. Chromium alone collects a dead page's DOM only now and then:
        renderers grew to 150 MB after 15 product pages and 280 MB after 50."""
        from playwright.async_api import Error as PlaywrightError

        try:
            if slot.page is not None and not slot.page.is_closed():
                await slot.page.goto("about:blank", timeout=5_000)
                if slot.devtools is not None:  # CDP calls have no timeout of their own
                    await asyncio.wait_for(self._collect_garbage(slot.devtools), 5)
        except (PlaywrightError, TimeoutError) as error:  # a fresh context next time
            log.debug("blanking a page: %s", error)
            slot.generation = -1
        finally:
            self._slots.put_nowait(slot)

    async def _collect_garbage(self, devtools: CDPSession) -> None:
        """A full collection once the renderer holds more than GARBAGE_LIMIT_BYTES: on the
        blank page nearly all of its heaps is garbage. One costs about 50 ms of CPU (V8
        collects until nothing more is freed): after every page it cost 10% more CPU per
        page than none; at 24 MB (every second 120 KB product page) it costs none measurable,
        for about 60 MB more PSS at concurrency 4."""
        usage = await devtools.send("Runtime.getHeapUsage")
        if usage["usedSize"] + usage.get("embedderHeapUsedSize", 0) > GARBAGE_LIMIT_BYTES:
            await devtools.send("HeapProfiler.collectGarbage")
            self.stats.collections += 1

    async def _fetch_in(self, slot: _Slot, browser: Browser, url: str) -> FetchedPage:
        page = await self._slot_page(slot, browser)
        started = time.perf_counter()
        slot.refused, slot.document = None, None
        timeout_ms = self.settings.fetch_timeout_s * 1000
        response = await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        await self._check_redirects(url, response)
        settled = await wait_for_price(page, timeout_s=self.settle_timeout_s)
        html = await page.content()
        block = await _block_reason(slot.document or response, html)
        if block and await self._challenge_passed(page):
            settled = await wait_for_price(page, timeout_s=self.settle_timeout_s)
            html = await page.content()
            block = await _block_reason(slot.document or response, html)
        current = slot.document or response  # a script may have navigated on since goto
        status = current.status if current else 200
        if block:
            raise FetchError(
                f"blocked: {url} showed a bot wall in the browser ({block})",
                hint=BLOCKED_HINT,
                kind="blocked",
                url=url,
                status_code=status,
                transient=True,
            )
        if status >= 400:
            raise status_error(url, status, current.status_text if current else "")
        self.stats.pages += 1
        return FetchedPage(
            url=url,
            final_url=page.url,
            status=status,
            headers=await current.all_headers() if current else {},
            html=html,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            tier="browser",
            notes=[f"browser waited until {settled}"],
        )

    async def _challenge_passed(self, page: Page) -> bool:
        """Wait (bounded) for a JavaScript challenge to solve itself and navigate on, as
        Cloudflare's "Just a moment..." does in a real browser; True when the page moved."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        try:
            await page.wait_for_event(
                "framenavigated",
                predicate=lambda frame: frame == page.main_frame,
                timeout=self.settle_timeout_s * 1000,
            )
            await page.wait_for_load_state("domcontentloaded")
        except PlaywrightTimeout:
            return False
        return True

    async def _check_redirects(self, url: str, response: Any) -> None:
        """Refuse the page when any hop of the document's redirect chain is not allowed."""
        if response is None or self.settings.allow_private_urls:
            return
        request = response.request
        while request is not None:
            await check_url_allowed(request.url, allow_private=False)
            request = request.redirected_from

    async def _slot_page(self, slot: _Slot, browser: Browser) -> Page:
        """The slot's page, with a fresh context when the old one is used up or stale."""
        stale = slot.generation != self.stats.launches or slot.uses >= self.recycle_after
        if slot.page is not None and not stale:
            slot.uses += 1
            return slot.page
        if slot.context is not None:
            try:
                await slot.context.close()
            except Exception as error:  # its browser may be gone already
                log.debug("closing a context: %s", error)
        context = await browser.new_context(
            user_agent=self._user_agent,
            locale="en-US",
            viewport={"width": 1366, "height": 900},
            service_workers="block",
            accept_downloads=False,
        )
        await context.add_init_script(INIT_SCRIPT)
        await context.route("**/*", lambda route, request: self._route(slot, route, request))
        page = await context.new_page()
        page.on("response", lambda response: _remember_document(slot, page, response))
        slot.devtools = await context.new_cdp_session(page)
        slot.context, slot.page = context, page
        slot.generation, slot.uses = self.stats.launches, 1
        self.stats.contexts += 1
        return page

    async def _route(self, slot: _Slot, route: Route, request: Request) -> None:
        """Drop images, fonts and media; refuse requests to addresses not allowed."""
        from playwright.async_api import Error as PlaywrightError

        try:
            if request.resource_type in BLOCKED_RESOURCES:
                await route.abort("blockedbyclient")
                return
            if not self.settings.allow_private_urls:
                refusal = await self._verdicts.refusal(request.url)
                if refusal is not None:
                    if request.is_navigation_request() and request.frame.parent_frame is None:
                        slot.refused = refusal.message
                    log.info("browser request refused: %s", refusal.message)
                    await route.abort("blockedbyclient")
                    return
            await route.continue_()
        except PlaywrightError as error:  # the page closed or crashed meanwhile
            log.debug("route for %s not handled: %s", request.url, error.message)


def _remember_document(slot: _Slot, page: Page, response: Response) -> None:
    if response.request.resource_type == "document" and response.frame == page.main_frame:
        slot.document = response


async def _block_reason(response: Response | None, html: str) -> str | None:
    status = response.status if response else 200
    headers = await response.all_headers() if response else {}
    return detect_block(status, headers, html)


def _navigation_error(url: str, error: Any, settings: Settings) -> FetchError:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    if isinstance(error, PlaywrightTimeout):
        return FetchError(
            f"timeout: {url} did not load in the browser within {settings.fetch_timeout_s:g} s",
            hint="the shop is slow or down; later checks retry",
            kind="timeout",
            url=url,
            transient=True,
        )
    first_line = (error.message or str(error)).splitlines()[0]
    return FetchError(
        f"connect: the browser could not load {url} ({first_line})",
        hint="the shop may be down or unreachable from here; later checks retry",
        kind="connect",
        url=url,
        transient=True,
    )
