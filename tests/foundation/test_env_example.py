""".env.example documents every setting, and is itself a valid .env."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pricemon.config import Settings, _field_env_name, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def _assigned_names() -> set[str]:
    """Variables assigned on an uncommented line (NAME=...)."""
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", EXAMPLE.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_env_example(field: str) -> None:
    assert _field_env_name(field) in _assigned_names()


def test_env_example_is_a_valid_env_file_with_the_defaults() -> None:
    shutil.copy(EXAMPLE, ".env")
    from_example = load_settings()
    assert from_example.model_dump() == Settings(_env_file=None).model_dump()  # type: ignore[call-arg]
    assert from_example.admin_password is None and from_example.openai_api_key is None
