"""Fixtures for the web tests: the app on the real test database and Redis, clients, pages.

Browser tests save a screenshot of the page to `test-artifacts/` when they fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from pricemon.config import Settings
from pricemon.db import create_db_engine, session_scope
from pricemon.models import CheckRun, PriceRecord, Product, utcnow

PASSWORD = "correct horse battery staple"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def web_engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.effective_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app(settings: Settings, web_engine: Engine) -> FastAPI:
    from pricemon.web import create_app

    return create_app(settings, engine=web_engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def auth_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_password": SecretStr(PASSWORD)})


@pytest.fixture
def auth_client(auth_settings: Settings, web_engine: Engine) -> Iterator[TestClient]:
    """A client for an app with a password, not signed in."""
    from pricemon.web import create_app

    app = create_app(auth_settings, engine=web_engine)
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as test_client:
        yield test_client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def page_csrf(client: TestClient, path: str = "/products") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return csrf_from(response.text)


def add_product(engine: Engine, **fields: Any) -> Product:
    """A product row as the worker would leave it after some checks."""
    fields.setdefault("url", "https://shop.example/p/1")
    with session_scope(engine) as session:
        product = Product(**fields)
        session.add(product)
        session.flush()
        session.refresh(product)
        return product


def add_history(
    engine: Engine, product_id: int, amounts: list[str], *, hours_apart: float = 24
) -> None:
    """Price records (and their check runs) ending now, oldest first."""
    from datetime import timedelta

    now = utcnow()
    with session_scope(engine) as session:
        for index, amount in enumerate(amounts):
            at = now - timedelta(hours=hours_apart * (len(amounts) - 1 - index))
            run = CheckRun(product_id=product_id, started_at=at, outcome="ok", method="json-ld")
            session.add(run)
            session.flush()
            session.add(
                PriceRecord(
                    product_id=product_id,
                    check_run_id=run.id,
                    amount=Decimal(amount),
                    currency="EUR",
                    method="json-ld",
                    checked_at=at,
                )
            )


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember each phase's report on the test item, for the screenshot fixture."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def save_screenshot_if_failed(request: pytest.FixtureRequest, page: Any) -> Path | None:
    """Call in a page fixture's teardown, while the browser is still open."""
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", request.node.name) + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # the browser may be gone; the test's own failure matters more
        print(f"screenshot of the failed test not saved: {exc}")
        return None
    return path
