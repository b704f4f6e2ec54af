"""Issue 3's acceptance: every saved page in tests/fixtures/pages gives its expected result
through `pricemon check --html FILE --url URL --json` (no network)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pricemon.cli import app

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
EXPECTED: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text("utf-8"))
runner = CliRunner()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_through_the_cli(name: str) -> None:
    want = EXPECTED[name]
    result = runner.invoke(
        app, ["check", "--html", str(PAGES / name), "--url", want["url"], "--json"]
    )
    if want.get("blocked"):
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith("Error: blocked: the page saved for ")
        return
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"] == want["url"]
    assert (data["price"], data["currency"]) == (want["price"], want["currency"])
    assert data["availability"] == want["availability"]
    if want.get("title"):
        assert want["title"] in (data["title"] or "")
    if want.get("method"):
        assert data["method"] == f"html+{want['method']}"
    if data["price"] is not None:
        assert Decimal(data["price"]) in {Decimal(c["amount"]) for c in data["candidates"]}
    else:
        assert data["method"] == "html+none"
