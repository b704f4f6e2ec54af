"""Fixtures for the fetch tier tests: settings that need no database or Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

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
