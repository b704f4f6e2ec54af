"""extract_offer never raises: truncated, spliced and garbage pages give a result."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pricemon.domain.extract import extract_offer

PAGES = sorted((Path(__file__).parent.parent / "fixtures" / "pages").glob("*.html"))
JUNK = ["<", ">", '"', "{", "}", "$", "€", "&", "\x00", "<script>", "</div>", "]]>", "<!--"]

EDGE_CASES = [
    "",
    "\x00\x00",
    "<" * 1000,
    "<div>" * 5000 + "$5",
    '<script type="application/ld+json">' + "[" * 5000 + "</script>",
    '<script type="application/ld+json">{"@type":"Product","offers":{"price":{"a":1}}}</script>',
    '<meta property="og:price:amount" content="1e400">',
    '<p class="price">$99999999999999999999999</p>',
    '<meta property="product:price:amount" content="NaN"><p class="price">NaN</p>',
    '<script id="__NEXT_DATA__" type="application/json">' + "{" * 3000 + "</script>",
]


def damaged(seed: int) -> str:
    rng = random.Random(seed)
    page = rng.choice(PAGES).read_text("utf-8")
    cut = rng.randrange(len(page))
    kind = seed % 3
    if kind == 0:
        return page[:cut]
    if kind == 1:
        return page[:cut] + page[cut + rng.randrange(400) :]
    return page[:cut] + rng.choice(JUNK) * rng.randrange(1, 30) + page[cut:]


@pytest.mark.parametrize("seed", range(60))
def test_damaged_page(seed: int) -> None:
    result = extract_offer(damaged(seed), "https://shop.example/p")
    assert 0.0 <= result.confidence <= 1.0


@pytest.mark.parametrize("html", EDGE_CASES)
def test_edge_case(html: str) -> None:
    result = extract_offer(html, "https://shop.example/p")
    assert result.price is None or result.price > 0
