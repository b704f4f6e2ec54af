"""Rules found by the seventh held-out corpus (tests/fixtures/heldout7), one trap per test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.money import has_currency
from tests.extraction.pages import product_page


@pytest.mark.parametrize("text", ["Réf. : 771100", "Rýchle dodanie 3", "Rückgabe 30"])
def test_a_capital_r_starting_an_accented_word_is_not_the_rand(text: str) -> None:
    assert not has_currency(text)


def test_a_product_reference_beside_a_from_price_is_not_a_price() -> None:
    main = (
        '<div class="fp-ref">Réf. : 771100</div><div class="fp-price"><span class="label">'
        'À partir de</span> <span class="fp-price-value">29,99 €</span></div>'
    )
    result = extract_offer(product_page(main, lang="fr"), "https://www.x.fr/p")
    assert (result.price, result.currency) == (Decimal("29.99"), "EUR"), result.candidates[:3]
