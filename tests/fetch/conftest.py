"""Fixtures for the fetch tier tests: settings that need no database or Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from respx.mocks import HTTPCoreMocker

from pricemon.config import Settings
from tests.conftest import find_chromium

# Chromium may resolve nothing but the local shop: tests talk only to 127.0.0.1.
STRICT_HOST_RULES = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"


@pytest.fixture
def fetch_settings(tmp_path: Path) -> Settings:
    """Settings for fetching from the local shop (private URLs allowed, short timeout)."""
    return Settings(
        data_dir=tmp_path / "data",
        allow_private_urls=True,
        fetch_timeout_s=10.0,
        chromium_executable=find_chromium(),
        browser_host_rules=STRICT_HOST_RULES,
    )


@pytest.fixture
def strict_settings(fetch_settings: Settings) -> Settings:
    """The production rule: private addresses refused."""
    return fetch_settings.model_copy(update={"allow_private_urls": False})


def _openai_sends_with_httpx2() -> bool:
    import openai._base_client

    return hasattr(openai._base_client, "httpx2")


class HTTPCore2Mocker(HTTPCoreMocker):
    """respx's httpcore mocker, pointed at httpcore2: the openai SDK (3.x) sends through the
    httpx2/httpcore2 fork, which respx does not patch by itself. Tests use
    `respx.mock(using=OPENAI_MOCKER)`; routes, calls and assertions are plain respx."""

    name = "httpcore2"
    targets = [  # noqa: RUF012 (respx's own class attribute shape)
        "httpcore2._async.connection.AsyncHTTPConnection",
        "httpcore2._async.connection_pool.AsyncConnectionPool",
        "httpcore2._async.http_proxy.AsyncHTTPProxy",
    ]

    @classmethod
    def from_sync_httpx_response(cls, httpx_response: Any, target: Any, **kwargs: Any) -> Any:
        import httpcore2

        return httpcore2.Response(
            status=httpx_response.status_code,
            headers=httpx_response.headers.raw,
            content=httpx_response.stream,
            extensions=httpx_response.extensions,
        )


# The respx mocker that sees the openai SDK's requests, whichever HTTP stack it uses.
OPENAI_MOCKER = "httpcore2" if _openai_sends_with_httpx2() else "httpcore"
