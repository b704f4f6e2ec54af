"""The plain HTTP tier: one GET with a browser's headers, every hop checked, size capped.

FetchError kinds raised by `fetch_page` (transient = a retry later may help):

refused     scheme is not http(s), or the host is/resolves to a non-public address
            (permanent; see pricemon.fetch.guard)
dns         the name does not resolve (NXDOMAIN: permanent; resolver failure: transient)
timeout     no complete answer within PRICEMON_FETCH_TIMEOUT (transient)
connect     connection refused/reset, TLS or protocol failure (transient, except a
            certificate that does not verify)
http        an error status, or too many redirects; 5xx, 408, 425 transient, others not
blocked     a bot wall, challenge or CAPTCHA (pricemon.fetch.blocking; transient)
too_large   the page is larger than the cap (permanent)
not_html    a PDF, an image, JSON... (permanent)
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import ssl
import time
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from pricemon.config import Settings
from pricemon.errors import FetchError
from pricemon.fetch.blocking import detect_block
from pricemon.fetch.guard import PinnedBackend, check_url_allowed
from pricemon.fetch.page import FetchedPage, decode_html

__all__ = ["FetchedPage", "browser_headers", "create_client", "fetch_page", "status_error"]

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
CHROME_MAJOR = 142
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/{CHROME_MAJOR}.0.0.0 Safari/537.36"
)
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
BLOCKED_HINT = (
    "the shop blocks automated requests; the browser tier may get through "
    "(pricemon check --browser always); later checks retry"
)


def _accept_encoding() -> str:
    # Advertise only what httpx can decode here: it decodes br with brotli/brotlicffi and
    # zstd with zstandard, when they are installed, and would otherwise hand us raw bytes.
    encodings = ["gzip", "deflate"]
    if importlib.util.find_spec("brotli") or importlib.util.find_spec("brotlicffi"):
        encodings.append("br")
    if importlib.util.find_spec("zstandard"):
        encodings.append("zstd")
    return ", ".join(encodings)


def browser_headers() -> dict[str, str]:
    """The headers desktop Chrome sends for a top-level navigation (many shops serve bots
    a different page, or none, when these are missing)."""
    return {
        "User-Agent": USER_AGENT,
        "Accept": (
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
            "image/apng,*/*;q=0.8"
        ),
        "Accept-Language": "en-US,en;q=0.9",
        "Accept-Encoding": _accept_encoding(),
        "Upgrade-Insecure-Requests": "1",
        "sec-ch-ua": (
            f'"Chromium";v="{CHROME_MAJOR}", "Google Chrome";v="{CHROME_MAJOR}", '
            '"Not_A Brand";v="99"'
        ),
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"Windows"',
        "Sec-Fetch-Dest": "document",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Site": "none",
        "Sec-Fetch-User": "?1",
    }


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with `PinnedBackend` underneath (httpx has no public switch for the
    network backend, so the pool it builds is replaced by the same pool with ours)."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=PinnedBackend(allow_private=allow_private),
        )


def create_client(settings: Settings) -> httpx.AsyncClient:
    """An AsyncClient for `fetch_page` that may be shared by many fetches (the caller closes
    it). Environment proxies are ignored (trust_env=False): a proxy would resolve the host
    itself, out of reach of the address check."""
    timeout_s = settings.fetch_timeout_s
    return httpx.AsyncClient(
        transport=_PinnedTransport(allow_private=settings.allow_private_urls),
        headers=browser_headers(),
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
        follow_redirects=False,
        trust_env=False,
    )


async def fetch_page(
    url: str,
    *,
    settings: Settings,
    client: httpx.AsyncClient | None = None,
    max_bytes: int = MAX_PAGE_BYTES,
) -> FetchedPage:
    """GET `url` and return the HTML page it ends at, or raise FetchError (see module doc).

    Redirects are followed here, at most MAX_REDIRECTS, so that every hop's scheme and
    address are checked. The whole fetch, redirects included, is bounded by
    `settings.fetch_timeout_s`.
    """
    started = time.perf_counter()
    own_client = client is None
    active = client or create_client(settings)
    try:
        async with asyncio.timeout(settings.fetch_timeout_s):
            return await _follow(url, active, settings, started, max_bytes)
    except TimeoutError:
        raise _timeout_error(url, settings) from None
    except httpx.TimeoutException:
        raise _timeout_error(url, settings) from None
    except httpx.TransportError as error:
        raise _transport_error(url, error) from None
    finally:
        if own_client:
            await active.aclose()


async def _follow(
    url: str, client: httpx.AsyncClient, settings: Settings, started: float, max_bytes: int
) -> FetchedPage:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        await check_url_allowed(current, allow_private=settings.allow_private_urls)
        async with client.stream("GET", current) as response:
            location = response.headers.get("location")
            if response.is_redirect and location:
                current = urljoin(str(response.url), location.strip())
                log.debug("redirect %s -> %s", response.url, current)
                continue
            return await _read_page(url, response, started, max_bytes)
    raise FetchError(
        f"http: {url} redirected more than {MAX_REDIRECTS} times",
        hint="open the URL in a browser and use the address it ends at",
        kind="http",
        url=url,
    )


async def _read_page(
    url: str, response: httpx.Response, started: float, max_bytes: int
) -> FetchedPage:
    final_url = str(response.url)
    content_type = response.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if response.status_code < 300 and media_type and media_type not in HTML_TYPES:
        raise FetchError(
            f"not_html: {final_url} is {media_type}, not an HTML page",
            hint="give the address of the product page itself",
            kind="not_html",
            url=url,
            status_code=response.status_code,
        )
    body = await _read_capped(url, response, max_bytes)
    html = decode_html(body, content_type)
    headers = {name: value for name, value in response.headers.items()}
    block = detect_block(response.status_code, headers, html)
    if block:
        raise FetchError(
            f"blocked: {urlsplit(final_url).hostname} answered {response.status_code} "
            f"with a bot wall ({block})",
            hint=BLOCKED_HINT,
            kind="blocked",
            url=url,
            status_code=response.status_code,
            transient=True,
        )
    if response.status_code >= 300:
        raise status_error(url, response.status_code, response.reason_phrase)
    return FetchedPage(
        url=url,
        final_url=final_url,
        status=response.status_code,
        headers=headers,
        html=html,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


async def _read_capped(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, refusing more than `max_bytes` (counted after decompression, so a
    gzip bomb stops at the cap too)."""
    declared = response.headers.get("content-length", "")
    too_large = FetchError(
        f"too_large: {url} is larger than {max_bytes // 1024} KB",
        hint="product pages are far smaller; check the URL",
        kind="too_large",
        url=url,
    )
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def status_error(url: str, status: int, reason_phrase: str = "") -> FetchError:
    """FetchError(kind="http") for an error status (shared with the browser tier)."""
    transient = status >= 500 or status in _TRANSIENT_STATUSES
    if status in (404, 410):
        hint = "the product page is gone; check the URL or remove the product"
    elif transient:
        hint = "the shop has a temporary problem; later checks retry"
    else:
        hint = "open the URL in a browser to see what the shop answers"
    return FetchError(
        f"http: {url} answered {status} {reason_phrase}".rstrip(),
        hint=hint,
        kind="http",
        url=url,
        status_code=status,
        transient=transient,
    )


def _timeout_error(url: str, settings: Settings) -> FetchError:
    return FetchError(
        f"timeout: {url} did not answer within {settings.fetch_timeout_s:g} s",
        hint="the shop is slow or down; later checks retry (PRICEMON_FETCH_TIMEOUT sets the limit)",
        kind="timeout",
        url=url,
        transient=True,
    )


def _transport_error(url: str, error: httpx.TransportError) -> FetchError:
    host = urlsplit(url).hostname
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return FetchError(
            f"connect: the TLS certificate of {host} does not verify ({cause.verify_message})",
            hint="the site's certificate is invalid; open it in a browser to see why",
            kind="connect",
            url=url,
        )
    return FetchError(
        f"connect: could not talk to {host} ({type(error).__name__}: {error or 'no details'})",
        hint="the shop may be down or unreachable from here; later checks retry",
        kind="connect",
        url=url,
        transient=True,
    )
