"""Fixtures for the digest tests: a local Resend stand-in and settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from pricemon.config import Settings
from tests.digest.resend_stub import ResendStub


@pytest.fixture
def resend() -> Iterator[ResendStub]:
    with ResendStub() as stub:
        yield stub


def with_email(settings: Settings, resend: ResendStub) -> Settings:
    return settings.model_copy(
        update={
            "resend_api_key": SecretStr(resend.api_key),
            "resend_base_url": resend.url,
            "email_from": "Pricemon <prices@example.com>",
            "alert_email": "owner@example.com",
        }
    )


@pytest.fixture
def email_settings(resend: ResendStub, tmp_path: Path) -> Settings:
    """Settings with email configured against the Resend stand-in (no database needed)."""
    return with_email(Settings(data_dir=tmp_path / "data"), resend)


@pytest.fixture
def mail_settings(settings: Settings, resend: ResendStub) -> Settings:
    """The test settings (real database and Redis) with email against the stand-in."""
    return with_email(settings, resend)
