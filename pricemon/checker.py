"""Check one URL's price through the tiers, cheapest first, and say which one found it.

    http fetch ──> extract_offer ──> browser ──> AI
                   (static tiers)    when the fetch is blocked (or 403), or no confident
                                     price on a page that looks script-rendered; or always
                                                 when still not confident, AI_PROVIDER is
                                                 set and ai_mode is "auto"

A fetch failure raises FetchError (its `transient` tells the worker whether to retry). A page
that loads without a price is a result with price None, not an error; a bot wall never is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from pricemon.config import Settings
from pricemon.domain.extract import extract_offer
from pricemon.domain.extract.decide import CONFIDENT
from pricemon.domain.offer import Candidate, CheckResult, Extraction
from pricemon.errors import AIError, BrowserError, FetchError
from pricemon.fetch.guard import check_url_allowed
from pricemon.fetch.http import BLOCKED_HINT, fetch_page
from pricemon.fetch.page import FetchedPage

if TYPE_CHECKING:
    import httpx

    from pricemon.fetch.browser import BrowserPool

log = logging.getLogger(__name__)

BrowserMode = Literal["auto", "always", "never"]
AIMode = Literal["auto", "never"]
T = TypeVar("T")


class _Run:
    """What one check has gathered so far: the best page and extraction, timings, notes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.page: FetchedPage | None = None
        self.extraction: Extraction | None = None
        self.tier = "http"
        self.timings_ms: dict[str, float] = {}
        self.notes: list[str] = []

    async def timed(self, tier: str, step: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        try:
            return await step()
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.timings_ms[tier] = round(self.timings_ms.get(tier, 0.0) + elapsed, 1)

    def extract(self, page: FetchedPage, tier: str) -> Extraction:
        started = time.perf_counter()
        extraction = extract_offer(page.html, page.final_url)
        elapsed = (time.perf_counter() - started) * 1000
        self.timings_ms["extract"] = round(self.timings_ms.get("extract", 0.0) + elapsed, 1)
        self.notes.extend(f"{tier}: {note}" for note in page.notes)
        return extraction

    @property
    def confident(self) -> bool:
        return self.extraction is not None and self.extraction.confidence >= CONFIDENT


async def check_url(
    url: str,
    settings: Settings,
    *,
    browser: BrowserPool | None = None,
    browser_mode: BrowserMode = "auto",
    ai_mode: AIMode = "auto",
    http_client: httpx.AsyncClient | None = None,
) -> CheckResult:
    """Fetch `url` and find its price, spending the browser and the AI only when needed.

    `browser` is a running BrowserPool to reuse (the worker keeps one); when the browser tier
    is needed and none is given, a temporary pool is started and closed. `http_client` is a
    `pricemon.fetch.http.create_client` client to reuse (the worker keeps one: building one
    loads the CA bundle, about 0.1 s of CPU per check otherwise). Raises FetchError
    for fetch failures (kind "blocked" when the page stays a bot wall in the browser too) and
    BrowserError when the browser is needed and cannot run.
    """
    run = _Run(url)
    http_error: FetchError | None = None
    if browser_mode != "always":
        http_error = await _http_tier(run, settings, browser_mode, http_client)
    else:  # refuse before paying for a Chromium start
        await check_url_allowed(url, allow_private=settings.allow_private_urls)
    if _needs_browser(run, browser_mode, http_error):
        await _browser_tier(run, settings, browser, http_error)
    if ai_mode == "auto" and not run.confident and run.page is not None:
        await _ai_tier(run, settings)
    return _result(run)


async def _http_tier(
    run: _Run,
    settings: Settings,
    browser_mode: BrowserMode,
    client: httpx.AsyncClient | None = None,
) -> FetchError | None:
    """Fetch and extract; returns the fetch error the browser may get around, else raises."""
    try:
        page = await run.timed(
            "http", lambda: fetch_page(run.url, settings=settings, client=client)
        )
    except FetchError as error:
        may_help = error.kind == "blocked" or (error.kind == "http" and error.status_code == 403)
        if browser_mode == "never" or not may_help:
            raise
        run.notes.append(f"http: {error.message}; trying the browser")
        return error
    extraction = run.extract(page, "http")
    if extraction.blocked:
        wall = FetchError(
            f"blocked: {run.url} answered a bot wall or CAPTCHA page",
            hint=BLOCKED_HINT,
            kind="blocked",
            url=run.url,
            status_code=page.status,
            transient=True,
        )
        if browser_mode == "never":
            raise wall
        run.notes.append("http: the page is a bot wall; trying the browser")
        return wall
    run.page, run.extraction = page, extraction
    return None


def _needs_browser(run: _Run, browser_mode: BrowserMode, http_error: FetchError | None) -> bool:
    if browser_mode == "never":
        return False
    if browser_mode == "always" or http_error is not None:
        return True
    extraction = run.extraction
    return extraction is not None and not run.confident and extraction.looks_script_rendered


async def _browser_tier(
    run: _Run, settings: Settings, pool: BrowserPool | None, http_error: FetchError | None
) -> None:
    """Render with Chromium; keep its extraction when it is better than the HTTP one."""
    try:
        page = await run.timed("browser", lambda: _render(run.url, settings, pool))
    except (FetchError, BrowserError) as error:
        if run.extraction is None:  # nothing to fall back on
            if isinstance(error, BrowserError) and http_error is not None:
                raise http_error from error
            raise
        run.notes.append(f"browser: {error.message}; keeping the plain HTTP result")
        return
    extraction = run.extract(page, "browser")
    if extraction.blocked:
        raise FetchError(
            f"blocked: {run.url} is a bot wall or CAPTCHA page, in the browser too",
            hint=BLOCKED_HINT,
            kind="blocked",
            url=run.url,
            status_code=page.status,
            transient=True,
        )
    previous = run.extraction
    if previous is None or _better(extraction, previous):
        run.page, run.extraction, run.tier = page, extraction, "browser"
    else:
        run.notes.append("browser: found nothing better than the plain HTTP page")


def _better(new: Extraction, old: Extraction) -> bool:
    if new.found != old.found:
        return new.found
    return new.confidence > old.confidence


async def _render(url: str, settings: Settings, pool: BrowserPool | None) -> FetchedPage:
    if pool is not None:
        return await pool.fetch(url)
    from pricemon.fetch.browser import BrowserPool

    async with BrowserPool(settings) as temporary:
        return await temporary.fetch(url)


async def _ai_tier(run: _Run, settings: Settings) -> None:
    """Ask the LLM; its checked answer replaces a less confident static one."""
    from pricemon.ai import ai_enabled, ask_ai

    if not ai_enabled(settings):
        return
    assert run.page is not None
    page = run.page
    try:
        answer = await run.timed("ai", lambda: ask_ai(settings, page.html, page.final_url))
    except AIError as error:
        run.notes.append(f"ai: {error.message}")
        return
    current = run.extraction
    if answer.price is None or (current is not None and current.confidence >= answer.confidence):
        run.notes.append(f"ai: {answer.model} found no better price")
        return
    candidate = Candidate(
        amount=answer.price,
        currency=answer.currency,
        source="ai",
        score=answer.confidence,
        reasons=(f"answered by {answer.model}", "the amount occurs on the page"),
    )
    previous = current.candidates if current else []
    run.extraction = Extraction(
        price=answer.price,
        currency=answer.currency,
        availability=answer.availability,
        title=answer.title or (current.title if current else None),
        image_url=current.image_url if current else None,
        method="ai",
        confidence=answer.confidence,
        candidates=[candidate, *previous],
    )
    run.tier = "ai"


def _result(run: _Run) -> CheckResult:
    assert run.page is not None and run.extraction is not None
    extraction = run.extraction
    method = "ai" if run.tier == "ai" else f"{run.tier}+{extraction.method}"
    return CheckResult(
        url=run.url,
        final_url=run.page.final_url,
        price=extraction.price,
        currency=extraction.currency,
        availability=extraction.availability,
        title=extraction.title,
        image_url=extraction.image_url,
        method=method,
        confidence=extraction.confidence,
        candidates=list(extraction.candidates),
        notes=[*run.notes, *extraction.notes],
        timings_ms=run.timings_ms,
    )


def check_html(html: str, url: str) -> CheckResult:
    """The static tiers on a saved page: no network at all (`pricemon check --html`).

    A saved bot wall raises FetchError(kind="blocked"), as it would have when fetched: it is
    never a page without a price.
    """
    started = time.perf_counter()
    extraction = extract_offer(html, url)
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    if extraction.blocked:
        raise FetchError(
            f"blocked: the page saved for {url} is a bot wall or CAPTCHA, not the product page",
            hint="save the page from a browser that got through to the product",
            kind="blocked",
            url=url,
            transient=True,
        )
    return CheckResult(
        url=url,
        final_url=url,
        price=extraction.price,
        currency=extraction.currency,
        availability=extraction.availability,
        title=extraction.title,
        image_url=extraction.image_url,
        method=f"html+{extraction.method}",
        confidence=extraction.confidence,
        candidates=list(extraction.candidates),
        notes=list(extraction.notes),
        timings_ms={"extract": elapsed},
    )
