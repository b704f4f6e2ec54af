"""Rules found by the ninth held-out corpus (tests/fixtures/heldout9), one trap per test."""

from __future__ import annotations

from decimal import Decimal

from pricemon.domain.extract import extract_offer
from tests.extraction.pages import product_page


def test_the_egyptian_pound_written_as_a_word_is_a_currency() -> None:
    # No structured data: the only price is "12,999 جنيه", the Arabic word for the pound.
    main = '<div class="product-price-box"><span class="new-price">12,999 جنيه</span></div>'
    result = extract_offer(product_page(main, lang="ar"), "https://x.com/p")
    assert (result.price, result.currency) == (Decimal("12999"), "EGP"), result.candidates[:3]
