"""The browser tier with real Chromium against the local shop."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

import psutil
import pytest

from pricemon.config import Settings
from pricemon.errors import BrowserError, FetchError
from pricemon.fetch import guard
from pricemon.fetch.browser import BrowserPool
from tests.fetch.test_http import CLOUDFLARE
from tests.shop import LocalShop

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JS_PRICE_PAGE = """<!doctype html><html lang="en"><head><title>Lamp</title></head><body>
<main><h1>Desk lamp</h1><div class="price" id="price"></div><button>Add to cart</button></main>
<script>
setTimeout(function () {
  document.getElementById('price').textContent = '$24.99';
}, 700);
</script></body></html>"""


async def wait_until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def chromium_processes() -> list[psutil.Process]:
    """Chromium's browser processes started by this test process (not its renderers)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name() and "chrom" not in (child.parent() or child).name():
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


async def test_price_written_by_javascript_is_waited_for(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    url = shop.add("/js", JS_PRICE_PAGE)
    async with BrowserPool(fetch_settings) as pool:
        page = await pool.fetch(url)
    assert '<div class="price" id="price">$24.99</div>' in page.html
    assert page.tier == "browser"
    assert page.status == 200
    assert page.notes == ["browser waited until a price appeared"]


async def test_images_fonts_and_media_are_not_loaded(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    shop.add("/img.png", b"\x89PNG", content_type="image/png")
    shop.add("/font.woff2", b"wOF2", content_type="font/woff2")
    shop.add("/app.js", "document.body.dataset.ran = 'yes';", content_type="text/javascript")
    url = shop.add(
        "/page",
        """<html><head><style>@font-face{font-family:x;src:url(/font.woff2)}
        body{font-family:x}</style></head><body><img src="/img.png"><p class="price">$5</p>
        <script src="/app.js"></script></body></html>""",
    )
    async with BrowserPool(fetch_settings) as pool:
        page = await pool.fetch(url)
    assert 'data-ran="yes"' in page.html
    assert shop.hits["/app.js"] == 1
    assert shop.hits["/img.png"] == 0
    assert shop.hits["/font.woff2"] == 0


async def test_contexts_are_recycled(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/p", '<html><body><p class="price">$5.00</p></body></html>')
    async with BrowserPool(fetch_settings, recycle_after=2) as pool:
        for _ in range(5):
            await pool.fetch(url)
        assert pool.stats.pages == 5
        assert pool.stats.contexts == 3  # pages 1-2, 3-4, 5
        assert pool.stats.launches == 1


async def test_a_killed_browser_is_relaunched(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/p", '<html><body><p class="price">$5.00</p></body></html>')
    async with BrowserPool(fetch_settings) as pool:
        await pool.fetch(url)
        browsers = chromium_processes()
        assert len(browsers) == 1
        os.kill(browsers[0].pid, signal.SIGKILL)
        browsers[0].wait(timeout=30)
        page = await pool.fetch(url)
        assert "$5.00" in page.html
        assert pool.stats.launches == 2


async def test_concurrent_fetches_share_one_browser(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    urls = [
        shop.add(f"/p/{i}", f'<html><body><p class="price">${i}.00</p></body></html>')
        for i in range(6)
    ]
    async with BrowserPool(fetch_settings, size=3) as pool:
        pages = await asyncio.gather(*(pool.fetch(url) for url in urls))
        assert len(chromium_processes()) == 1
    assert [f"${i}.00" in page.html for i, page in enumerate(pages)] == [True] * 6
    assert pool.stats.contexts == 3


async def test_private_address_refused_before_navigation(
    shop: LocalShop, strict_settings: Settings
) -> None:
    url = shop.add("/p", "<html></html>")
    async with BrowserPool(strict_settings) as pool:
        with pytest.raises(FetchError) as caught:
            await pool.fetch(url)
    assert caught.value.kind == "refused"
    assert "127.0.0.1 is a loopback address" in caught.value.message
    assert shop.hits["/p"] == 0


async def test_page_requests_to_private_addresses_are_aborted(
    shop: LocalShop, strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treat the shop's own 127.0.0.1 as public so its page loads; its script then tries the
    # cloud metadata address and 10.0.0.1, which the route handler aborts without traffic.
    real_reason = guard.forbidden_reason
    monkeypatch.setattr(
        guard, "forbidden_reason", lambda ip: None if str(ip) == "127.0.0.1" else real_reason(ip)
    )
    url = shop.add(
        "/ssrf",
        """<html><body><p id="out">pending</p><script>
        Promise.allSettled([fetch('http://169.254.169.254/latest/meta-data/'),
                            fetch('http://10.0.0.1/admin')])
          .then(r => { document.getElementById('out').textContent =
                       r.map(x => x.status).join(','); });
        </script></body></html>""",
    )
    async with BrowserPool(strict_settings) as pool:
        page = await pool.fetch(url)
    assert '<p id="out">rejected,rejected</p>' in page.html


async def test_bot_wall_in_the_browser_is_blocked(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    url = shop.add("/wall", CLOUDFLARE, status=503)
    async with BrowserPool(fetch_settings, settle_timeout_s=1) as pool:
        with pytest.raises(FetchError) as caught:
            await pool.fetch(url)
    assert caught.value.kind == "blocked"
    assert caught.value.transient


async def test_missing_chromium_is_a_clear_error(fetch_settings: Settings) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        if os.path.exists(playwright.chromium.executable_path):
            pytest.skip("Playwright's own Chromium is installed here")
    broken = fetch_settings.model_copy(update={"chromium_executable": "/nonexistent/chromium"})
    with pytest.raises(BrowserError) as caught:
        async with BrowserPool(broken):
            pass
    assert "PRICEMON_CHROMIUM_EXECUTABLE=/nonexistent/chromium does not exist" in str(caught.value)
    nothing = fetch_settings.model_copy(update={"chromium_executable": None})
    with pytest.raises(BrowserError) as caught:
        async with BrowserPool(nothing):
            pass
    assert "playwright install chromium" in (caught.value.hint or "")


async def test_a_closed_pool_can_start_again(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/p", '<html><body><p class="price">$5.00</p></body></html>')
    pool = BrowserPool(fetch_settings, size=2)
    await pool.start()
    await pool.close()
    await pool.close()  # twice is fine
    await pool.start()
    try:
        page = await pool.fetch(url)
        assert "$5.00" in page.html
        await wait_until(lambda: pool.idle_slots == 2)
    finally:
        await pool.close()


async def test_waits_for_a_slow_api_call_before_calling_the_page_quiet(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    # The DOM is quiet for longer than the quiet window while the API call is pending; the
    # price lands in an element that does not say "price", so only the pending call keeps
    # the wait going.
    shop.add(
        "/api/offer", '{"text": "Now only $12.00"}', content_type="application/json", delay_s=2.5
    )
    url = shop.add(
        "/slow-api",
        """<html><body><h1>Mug</h1><b id="offer"></b><script>
        fetch('/api/offer').then(r => r.json()).then(d => {
          document.getElementById('offer').textContent = d.text; });
        </script></body></html>""",
    )
    async with BrowserPool(fetch_settings, settle_timeout_s=10) as pool:
        page = await pool.fetch(url)
    assert '<b id="offer">Now only $12.00</b>' in page.html
    assert page.notes == ["browser waited until the page went quiet"]


async def test_a_static_page_without_price_settles_before_the_limit(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    url = shop.add("/plain", "<html><body><h1>About us</h1><p>We sell mugs.</p></body></html>")
    async with BrowserPool(fetch_settings, settle_timeout_s=30) as pool:
        page = await pool.fetch(url)
    assert page.notes == ["browser waited until the page went quiet"]


async def test_a_finished_page_is_blanked(shop: LocalShop, fetch_settings: Settings) -> None:
    # A page that polls its server forever must stop once its HTML has been read.
    shop.add("/poll", "{}", content_type="application/json")
    url = shop.add(
        "/poller",
        """<html><body><p class="price">$3.00</p><script>
        setInterval(() => fetch('/poll'), 100);</script></body></html>""",
    )
    async with BrowserPool(fetch_settings) as pool:
        await pool.fetch(url)
        await wait_until(lambda: pool.idle_slots == 1)
        polls = shop.hits["/poll"]
        await asyncio.sleep(1.0)
        assert shop.hits["/poll"] == polls


async def test_a_challenge_that_solves_itself_is_waited_out(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    # Like Cloudflare's "Just a moment...": a 503 page whose script moves on to the product.
    shop.add("/product", '<html><body><h1>Tent</h1><p class="price">$89.00</p></body></html>')
    url = shop.add(
        "/challenge",
        CLOUDFLARE.replace(
            "</body>", "<script>setTimeout(() => location.href='/product', 800)</script></body>"
        ),
        status=503,
    )
    async with BrowserPool(fetch_settings) as pool:
        page = await pool.fetch(url)
    assert '<p class="price">$89.00</p>' in page.html
    assert page.final_url == shop.url("/product")


def renderer_processes() -> list[list[str]]:
    """The command lines of Chromium's renderers started by this test process."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            args = child.cmdline()
        except psutil.NoSuchProcess:
            continue
        if "--type=renderer" in args:
            found.append(args)
    return found


async def test_playwrights_disabled_features_are_kept(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    # Chromium reads only the last --disable-features: ours must repeat Playwright's.
    async with BrowserPool(fetch_settings) as pool:
        args = chromium_processes()[0].cmdline()
    lists = [a.split("=", 1)[1].split(",") for a in args if a.startswith("--disable-features=")]
    assert len(lists) >= 2, args  # Playwright's and ours
    assert set(lists[-1]) >= set().union(*lists[:-1])
    assert "WebUIOmniboxPopup" in lists[-1]
    assert pool.stats.launches == 1


async def test_no_browser_ui_renderers(shop: LocalShop, fetch_settings: Settings) -> None:
    # New headless Chromium would start a renderer per context for the omnibox popup's WebUI.
    url = shop.add("/p", '<html><body><p class="price">$5.00</p></body></html>')
    async with BrowserPool(fetch_settings, size=2) as pool:
        await asyncio.gather(pool.fetch(url), pool.fetch(url))
        renderers = renderer_processes()
    assert renderers
    assert [args for args in renderers if "--top-chrome-webui" in args] == []


async def test_a_released_page_has_its_garbage_collected(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    # A long page leaves about 30 MB of dead DOM in the renderer once it is blanked: more
    # than GARBAGE_LIMIT_BYTES, so the pool collects it at once (Chromium alone would wait).
    # A short page's few KB are left for later.
    reviews = "".join(f"<div class=review><p>Review {i}: fine.</p></div>" for i in range(3000))
    long_url = shop.add("/long", f'<html><body><p class="price">$5.00</p>{reviews}</body></html>')
    short_url = shop.add("/short", '<html><body><p class="price">$5.00</p></body></html>')
    async with BrowserPool(fetch_settings) as pool:
        await pool.fetch(short_url)
        await wait_until(lambda: pool.idle_slots == 1)
        assert pool.stats.collections == 0
        await pool.fetch(long_url)
        await wait_until(lambda: pool.idle_slots == 1)
        assert pool.stats.collections == 1
        slot = pool._slots.get_nowait()
        assert slot.devtools is not None
        usage = await slot.devtools.send("Runtime.getHeapUsage")
    assert usage["embedderHeapUsedSize"] < 5 * 2**20, usage  # DOM (Oilpan) heap


async def test_the_node_driver_gets_a_small_young_generation(
    monkeypatch: pytest.MonkeyPatch, fetch_settings: Settings
) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--no-deprecation")
    async with BrowserPool(fetch_settings):
        drivers = [
            child for child in psutil.Process().children() if "run-driver" in child.cmdline()
        ]
        assert len(drivers) == 1
        assert drivers[0].environ()["NODE_OPTIONS"] == "--no-deprecation --max-semi-space-size=1"
    assert os.environ["NODE_OPTIONS"] == "--no-deprecation"


async def test_pages_see_a_mouse(shop: LocalShop, fetch_settings: Settings) -> None:
    # Playwright's --blink-settings (hover, a fine pointer) survive ours (no images): without
    # them a page sees a touch screen, and some shops serve their mobile layout.
    url = shop.add(
        "/media",
        """<html><body><p class="price">$5.00</p><script>document.body.dataset.media =
        [matchMedia('(hover: hover)').matches, matchMedia('(pointer: fine)').matches];
        </script></body></html>""",
    )
    async with BrowserPool(fetch_settings) as pool:
        page = await pool.fetch(url)
    assert 'data-media="true,true"' in page.html
