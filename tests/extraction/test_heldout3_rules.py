"""Rules found by the third held-out corpus (tests/fixtures/heldout3), one trap per test."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.money import Price, parse_price
from pricemon.models import Availability
from tests.extraction.pages import product_page


@pytest.mark.parametrize(
    ("text", "locale_hint", "amount", "currency"),
    [
        ("Rs.4,990.00", "shop.pk", "4990.00", "PKR"),  # not ".4" glued to the symbol
        ("Rs. 1,250", "en-LK", "1250", "LKR"),
        ("Rs 499", None, "499", "INR"),  # India's rupee when nothing says otherwise
        ("S/.59.90", None, "59.90", "PEN"),
        ("Fr.12.50", None, "12.50", "CHF"),
        ("$.99", None, "0.99", "USD"),
        ("Art.12345 9,99 €", None, "9.99", "EUR"),
    ],
)
def test_number_after_a_symbol_ending_in_a_dot(
    text: str, locale_hint: str | None, amount: str, currency: str
) -> None:
    assert parse_price(text, locale_hint=locale_hint) == Price(Decimal(amount), currency)


def _ld(offers: dict[str, object]) -> str:
    doc = {"@context": "https://schema.org", "@type": "Product", "name": "Lamp", "offers": offers}
    return f'<script type="application/ld+json">{json.dumps(doc)}</script>'


def test_currency_in_its_own_element_beside_the_number() -> None:
    main = (
        '<div class="prix"><span class="devise">CHF</span> <span class="montant">599.00</span>'
        '<span class="ancien">au lieu de CHF 649.00</span></div><p>TAR incl. CHF 0.46</p>'
    )
    result = extract_offer(product_page(main, lang="fr-CH"), "https://x.ch/p")
    assert (result.price, result.currency) == (Decimal("599.00"), "CHF"), result.candidates[:3]


def test_a_fee_included_in_the_price_is_not_the_price() -> None:
    main = '<p class="price">CHF 599.00</p><p>TAR incl. CHF 0.46</p>'
    result = extract_offer(product_page(main), "https://x.ch/p")
    reasons = {c.amount: c.reasons for c in result.candidates if c.source == "heuristic"}
    assert reasons[Decimal("0.46")] == ("not the price: fee or tax",)


def test_a_case_price_beside_the_bottle_price_loses_even_in_json_ld() -> None:
    main = (
        '<p class="price"><span class="amount">34,90 €</span></p>'
        '<div class="pack-offer">Caixa de 6 garrafas: <strong>188,46 €</strong></div>'
    )
    head = _ld({"@type": "Offer", "price": "188.46", "priceCurrency": "EUR"})
    result = extract_offer(product_page(main, head=head, lang="pt-PT"), "https://x.pt/p")
    assert (result.price, result.currency) == (Decimal("34.90"), "EUR"), result.notes


def test_lowest_grade_in_a_chooser_loses_to_the_selected_price() -> None:
    grades = "".join(
        f'<label><input type="radio" name="grade"> Stav {g} <span>{p} Kč</span></label>'
        for g, p in (("A", "12 990"), ("B", "11 490"), ("C", "9 990"))
    )
    main = f'<div class="grades">{grades}</div><div class="price-main">12 990 Kč</div>'
    head = _ld(
        {"@type": "AggregateOffer", "lowPrice": 9990, "highPrice": 12990, "priceCurrency": "CZK"}
    )
    result = extract_offer(product_page(main, head=head, lang="cs"), "https://x.cz/p")
    assert result.price == Decimal("12990"), result.notes
    assert any("lesser price" in note for note in result.notes)


@pytest.mark.parametrize(
    ("label", "availability"),
    [
        ("Niet meer leverbaar", Availability.OUT_OF_STOCK),
        ("Tilapäisesti loppu", Availability.OUT_OF_STOCK),
        ("Til á lager", Availability.IN_STOCK),
        ("有貨", Availability.IN_STOCK),
        ("มีสินค้า", Availability.IN_STOCK),
        ("غير متوفر", Availability.OUT_OF_STOCK),
    ],
)
def test_stock_labels_in_more_languages(label: str, availability: Availability) -> None:
    main = f'<p class="price">€ 10,00</p><div class="stock-status">{label}</div>'
    page = product_page(main).replace('class="add-to-cart" type="submit"', 'disabled class="x"')
    assert extract_offer(page, "https://x.com/p").availability == availability
