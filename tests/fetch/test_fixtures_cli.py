"""Issue 3's acceptance: every saved page (the corpora of tests/extraction/test_fixtures.py)
gives its expected result through `pricemon check --html FILE --url URL --json` (no
network)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from tests.extraction.test_fixtures import CASES, CORPORA

FIXTURES = Path(__file__).parent.parent / "fixtures"
EXPECTED: dict[str, dict[str, dict[str, Any]]] = {
    corpus: json.loads((FIXTURES / corpus / "expected.json").read_text("utf-8"))
    for corpus in CORPORA
}
runner = CliRunner()


@pytest.mark.parametrize(("corpus", "name"), CASES)
def test_fixture_through_the_cli(corpus: str, name: str) -> None:
    want = EXPECTED[corpus][name]
    page = FIXTURES / corpus / name
    result = runner.invoke(app, ["check", "--html", str(page), "--url", want["url"], "--json"])
    if want.get("blocked"):
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith("Error: blocked: the page saved for ")
        return
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"] == want["url"]
    # Amounts compare as numbers: "129999" expected, "129999.00" printed.
    price = None if data["price"] is None else Decimal(data["price"])
    expected = None if want["price"] is None else Decimal(want["price"])
    assert (price, data["currency"]) == (expected, want["currency"])
    assert data["availability"] == want["availability"]
    if want.get("title"):
        assert want["title"] in (data["title"] or "")
    if want.get("method"):
        assert data["method"] == f"html+{want['method']}"
    if data["price"] is not None:
        assert Decimal(data["price"]) in {Decimal(c["amount"]) for c in data["candidates"]}
    else:
        assert data["method"] == "html+none"
