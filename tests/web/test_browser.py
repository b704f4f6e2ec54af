"""The dashboard in real Chromium against a real `pricemon serve` (and `pricemon work`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.shop import LocalShop, product_page
from tests.web.browser import browser_page, process_env, running, web_server
from tests.web.conftest import (
    PASSWORD,
    add_history,
    add_product,
    save_screenshot_if_failed,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def env(pg_engine: Engine, redis_url: str, tmp_path: Path) -> dict[str, str]:
    return process_env(
        DATABASE_URL=pg_engine.url.render_as_string(hide_password=False),
        REDIS_URL=redis_url,
        PRICEMON_DATA_DIR=str(tmp_path / "data"),
        PRICEMON_ADMIN_PASSWORD=PASSWORD,
        PRICEMON_ALLOW_PRIVATE_URLS="true",
        ENABLE_SCHEDULER="false",
        LOG_LEVEL="INFO",
    )


@pytest.fixture
def page(chromium_executable: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A Chromium tab; its screenshot goes to test-artifacts/ when the test fails."""
    with browser_page(chromium_executable) as browser_tab:
        yield browser_tab
        save_screenshot_if_failed(request, browser_tab)


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/")
    assert "/login" in page.url
    page.get_by_label("Admin password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()


def test_add_a_product_and_watch_its_first_price_arrive(
    env: dict[str, str], tmp_path: Path, shop: LocalShop, page: Any
) -> None:
    shop.add("/kettle", product_page("Stove-top kettle", "34.90", "EUR"))
    with (
        running(["work", "--concurrency", "2"], env, tmp_path / "work.log"),
        web_server(env, tmp_path) as base,
    ):
        sign_in(page, base)
        page.get_by_role("link", name="Products").click()
        page.get_by_label("Product page URL").fill(shop.url("/kettle"))
        page.get_by_label("Name (optional)").fill("Kettle")
        page.get_by_role("button", name="Add and check now").click()
        page.wait_for_url(re.compile(r"/products/\d+$"))
        assert page.get_by_text("first check queued").is_visible()
        # The page polls and reloads itself when the worker has recorded the check.
        page.locator('[data-field="price"]', has_text="34.90 EUR").wait_for(timeout=90_000)
        assert page.locator(".badge-ok").first.is_visible()
        assert page.locator("figure.chart svg").count() == 1
        page.get_by_role("link", name="Dashboard").click()
        assert page.get_by_role("link", name="Kettle").is_visible()
        assert page.get_by_text("34.90 EUR").is_visible()
    assert shop.hits["/kettle"] >= 1


def test_history_chart_ranges_and_digest_schedule(
    env: dict[str, str], tmp_path: Path, pg_engine: Engine, page: Any
) -> None:
    product = add_product(pg_engine, name="Espresso grinder", currency="EUR", status="ok")
    add_history(
        pg_engine, product.id, ["249.00", "239.00", "229.00", "244.00"], hours_apart=24 * 10
    )
    with web_server(env, tmp_path) as base:
        sign_in(page, base)
        page.goto(f"{base}/products/{product.id}")
        page.get_by_role("link", name="All time").click()
        page.wait_for_url(re.compile(r"range=all"))
        chart = page.locator("figure.chart svg")
        assert chart.locator("circle.dot").count() == 4
        stats = page.locator("dl.stats").inner_text()
        assert "229.00 EUR" in stats and "249.00 EUR" in stats
        page.get_by_role("link", name="7 days").click()
        assert page.locator("figure.chart svg circle.dot").count() == 1

        page.get_by_role("link", name="Settings").click()
        page.get_by_label("Send the digest on a schedule").check()
        page.get_by_label("How often").select_option("weekly")
        page.get_by_label("Day (weekly)").select_option("Sunday")
        page.get_by_label("Hour").fill("8")
        page.get_by_label("Minute").fill("15")
        page.get_by_label("Timezone").select_option("Europe/Berlin")
        page.get_by_label("Recipients").fill("me@example.com")
        page.get_by_role("button", name="Save schedule").click()
        assert page.get_by_text("Schedule saved").is_visible()
        runs = page.locator("ol.next-runs li")
        assert runs.count() == 3
        for text in runs.all_inner_texts():
            assert text.startswith("Sunday") and "08:15" in text and "Europe/Berlin" in text
