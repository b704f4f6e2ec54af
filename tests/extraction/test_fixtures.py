"""Every saved page gives the result recorded in its corpus's expected.json.

Every folder of tests/fixtures with an expected.json is a corpus. tests/fixtures/pages was
written alongside the extractor. tests/fixtures/heldout, heldout2, heldout3 (independent shops
in less-covered countries), heldout4 and each later heldoutN are imitations of real retailers'
and shop platforms' pages written without reading the extractor, each scored before the rules
it led to were added (docs/performance.md gives the first scores). A page's "note" in
expected.json says when its expectation is debatable, and "known_miss" why the extractor still
gets it wrong (counted as a miss by benchmarks/extraction.py too). Amounts are compared as
decimals on the held-out pages ("399" from JSON-LD is 399.00), as written on the originals.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pricemon.domain.extract import extract_offer

FIXTURES = Path(__file__).parent.parent / "fixtures"
# Every folder with an expected.json is a corpus; "pages" first, then the held-out ones in order.
CORPORA = tuple(
    sorted(
        (p.parent.name for p in FIXTURES.glob("*/expected.json")),
        key=lambda name: (name != "pages", len(name), name),
    )
)
MIN_PAGES = 15


def _expected(corpus: str) -> dict[str, dict[str, Any]]:
    return json.loads((FIXTURES / corpus / "expected.json").read_text("utf-8"))


def fixture_cases(corpora: tuple[str, ...] = CORPORA) -> list[Any]:
    """(corpus, page) for every page; a page whose expected.json entry has "known_miss" (why
    the extractor still gets it wrong) is a strict xfail: it turns red once it passes."""
    cases = []
    for corpus in corpora:
        for name, want in sorted(_expected(corpus).items()):
            miss = want.get("known_miss")
            marks = [pytest.mark.xfail(strict=True, reason=miss)] if miss else []
            cases.append(pytest.param(corpus, name, marks=marks, id=f"{corpus}-{name}"))
    return cases


CASES = fixture_cases()


def test_the_corpora_are_all_found() -> None:
    assert CORPORA[:5] == ("pages", "heldout", "heldout2", "heldout3", "heldout4")


@pytest.mark.parametrize("corpus", CORPORA)
def test_every_page_has_an_expectation(corpus: str) -> None:
    pages = {p.name for p in (FIXTURES / corpus).glob("*.html")}
    assert pages == set(_expected(corpus))
    assert len(pages) >= MIN_PAGES


@pytest.mark.parametrize(("corpus", "name"), CASES)
def test_fixture(corpus: str, name: str) -> None:
    want = _expected(corpus)[name]
    result = extract_offer((FIXTURES / corpus / name).read_text("utf-8"), want["url"])

    if corpus == "pages":
        price = str(result.price) if result.price is not None else None
        assert (price, result.currency) == (want["price"], want["currency"]), result.notes
    else:
        wanted = Decimal(want["price"]) if want["price"] is not None else None
        assert (result.price, result.currency) == (wanted, want["currency"]), result.notes
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
        # On the held-out pages a right answer below the threshold only means the browser
        # or AI tier would be asked too; the original pages are all answered confidently.
        if corpus == "pages":
            assert result.confidence >= 0.6
        assert any(c.amount == Decimal(want["price"]) for c in result.candidates)
        assert any(c.source == result.method for c in result.candidates)
    else:
        assert result.method == "none"
