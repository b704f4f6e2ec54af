"""Every saved page in tests/fixtures/pages gives the result recorded in expected.json."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pricemon.domain.extract import extract_offer

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
EXPECTED: dict[str, dict[str, Any]] = json.loads((PAGES / "expected.json").read_text("utf-8"))


def test_every_page_has_an_expectation() -> None:
    pages = {p.name for p in PAGES.glob("*.html")}
    assert pages == set(EXPECTED)
    assert len(pages) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    want = EXPECTED[name]
    result = extract_offer((PAGES / name).read_text("utf-8"), want["url"])

    price = str(result.price) if result.price is not None else None
    assert (price, result.currency) == (want["price"], want["currency"]), result.notes
    assert result.availability.value == want["availability"]
    if want.get("title"):
        assert result.title is not None and want["title"] in result.title
    if want.get("method"):
        assert result.method == want["method"]
    assert result.blocked == want.get("blocked", False)
    assert result.looks_script_rendered == want.get("looks_script_rendered", False)
    assert 0.0 <= result.confidence <= 1.0

    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    if result.price is not None:
        assert result.confidence >= 0.6
        assert any(c.amount == Decimal(want["price"]) for c in result.candidates)
        assert any(c.source == result.method for c in result.candidates)
    else:
        assert result.method == "none"
