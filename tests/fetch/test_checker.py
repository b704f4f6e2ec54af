"""check_url through the tiers against the local shop (and respx for the LLM)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import respx
from pydantic import SecretStr

from pricemon.checker import check_html, check_url
from pricemon.config import AIProvider, Settings
from pricemon.errors import FetchError
from pricemon.fetch.browser import BrowserPool
from pricemon.models import Availability
from tests.fetch.conftest import OPENAI_MOCKER
from tests.fetch.test_ai import ANSWER, PROSE_PAGE, completion
from tests.fetch.test_browser import JS_PRICE_PAGE
from tests.fetch.test_http import CLOUDFLARE
from tests.shop import LocalShop, product_page


async def test_static_page_needs_only_http(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/p", product_page("Kettle", "19.99", "EUR"))
    result = await check_url(url, fetch_settings)
    assert (result.price, result.currency) == (Decimal("19.99"), "EUR")
    assert result.method == "http+jsonld"
    assert result.availability is Availability.IN_STOCK
    assert result.title == "Kettle"
    assert set(result.timings_ms) == {"http", "extract"}


async def test_no_browser_means_no_price_for_an_app_shell(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    url = shop.add("/js", JS_PRICE_PAGE)
    result = await check_url(url, fetch_settings, browser_mode="never")
    assert result.price is None
    assert result.method == "http+none"


async def test_errors_are_fetch_errors(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/gone", "<html><body>Gone</body></html>", status=410)
    with pytest.raises(FetchError) as caught:
        await check_url(url, fetch_settings)
    assert (caught.value.kind, caught.value.transient) == ("http", False)


async def test_wall_without_browser_is_blocked(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/wall", CLOUDFLARE, status=503)
    with pytest.raises(FetchError) as caught:
        await check_url(url, fetch_settings, browser_mode="never")
    assert caught.value.kind == "blocked"
    assert caught.value.transient


@pytest.mark.browser
@pytest.mark.slow
async def test_app_shell_goes_to_the_browser(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/js", JS_PRICE_PAGE)
    async with BrowserPool(fetch_settings) as pool:
        result = await check_url(url, fetch_settings, browser=pool)
    assert (result.price, result.currency) == (Decimal("24.99"), "USD")
    assert result.method.startswith("browser+")
    assert {"http", "extract", "browser"} <= set(result.timings_ms)
    assert "browser: browser waited until a price appeared" in result.notes


@pytest.mark.browser
@pytest.mark.slow
async def test_wall_in_the_browser_too_is_blocked(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    url = shop.add("/wall", CLOUDFLARE, status=503)
    with pytest.raises(FetchError) as caught:
        await check_url(url, fetch_settings)  # starts and closes its own pool
    assert (caught.value.kind, caught.value.transient) == ("blocked", True)
    assert shop.hits["/wall"] == 2  # once over HTTP, once in the browser


async def test_ai_is_asked_when_static_tiers_find_nothing(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    settings = fetch_settings.model_copy(
        update={"ai_provider": AIProvider.OPENAI, "openai_api_key": SecretStr("sk-test")}
    )
    url = shop.add("/prose", PROSE_PAGE)
    with respx.mock(using=OPENAI_MOCKER, assert_all_called=False) as router:
        router.route(host="127.0.0.1").pass_through()  # the shop, if respx sees it at all
        route = router.post("https://api.openai.com/v1/chat/completions").mock(
            return_value=httpx.Response(200, json=completion(ANSWER))
        )
        result = await check_url(url, settings, browser_mode="never")
    assert route.call_count == 1
    assert (result.price, result.currency, result.method) == (Decimal("349"), "EUR", "ai")
    assert result.candidates[0].source == "ai"
    assert "ai" in result.timings_ms


async def test_ai_is_not_asked_when_off_or_confident(
    shop: LocalShop, fetch_settings: Settings
) -> None:
    prose = shop.add("/prose", PROSE_PAGE)
    plain = shop.add("/p", product_page("Kettle", "19.99"))
    with respx.mock(
        using=OPENAI_MOCKER, assert_all_called=False
    ) as router:  # any LLM request would fail the test
        shop_route = router.route(host="127.0.0.1").pass_through()
        off = await check_url(prose, fetch_settings, browser_mode="never")
        with_ai = fetch_settings.model_copy(
            update={"ai_provider": AIProvider.OPENAI, "openai_api_key": SecretStr("sk-test")}
        )
        confident = await check_url(plain, with_ai, browser_mode="never")
        never = await check_url(prose, with_ai, browser_mode="never", ai_mode="never")
        assert router.calls.call_count == shop_route.call_count
    assert off.price is None and never.price is None
    assert confident.method == "http+jsonld"


def test_check_html_needs_no_network() -> None:
    result = check_html(product_page("Kettle", "1299.95", "EUR"), "https://shop.example.de/k")
    assert (result.price, result.currency, result.method) == (
        Decimal("1299.95"),
        "EUR",
        "html+jsonld",
    )
