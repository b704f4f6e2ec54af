"""Rules found by the seventh held-out corpus (tests/fixtures/heldout7), one trap per test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.money import has_currency
from pricemon.models import Availability
from tests.extraction.pages import product_page


@pytest.mark.parametrize(
    "text", ["Réf. : 771100", "Rýchle dodanie 3", "Rückgabe 30", "Okvir Titan Lite TL-540"]
)
def test_a_capital_r_starting_an_accented_word_is_not_the_rand(text: str) -> None:
    assert not has_currency(text)


def test_a_product_reference_beside_a_from_price_is_not_a_price() -> None:
    main = (
        '<div class="fp-ref">Réf. : 771100</div><div class="fp-price"><span class="label">'
        'À partir de</span> <span class="fp-price-value">29,99 €</span></div>'
    )
    result = extract_offer(product_page(main, lang="fr"), "https://www.x.fr/p")
    assert (result.price, result.currency) == (Decimal("29.99"), "EUR"), result.candidates[:3]


def test_block_prices_for_larger_quantities_are_not_the_price() -> None:
    rows = "".join(
        f'<tr><td class="block-prices--cell">{label}</td><td class="block-prices--cell">'
        f"{amount}&nbsp;&euro;&nbsp;*</td></tr>"
        for label, amount in (("bis 4", "12,90"), ("ab 5", "11,50"), ("ab 10", "10,40"))
    )
    main = (
        '<div itemprop="offers" itemscope itemtype="http://schema.org/AggregateOffer">'
        '<meta itemprop="lowPrice" content="10.4"><meta itemprop="highPrice" content="12.9">'
        f'<meta itemprop="priceCurrency" content="EUR"><table>{rows}</table></div>'
    )
    result = extract_offer(product_page(main, lang="de"), "https://www.x.de/p")
    assert (result.price, result.currency) == (Decimal("12.90"), "EUR"), result.notes


def test_a_price_converted_into_another_currency_is_not_the_price() -> None:
    main = (
        '<div class="cijena-box"><div class="stara">Redovna cijena: <s>23,50 €</s> '
        '<small>(177,06 kn)</small></div><div class="akcijska-cijena">19,90 € '
        '<small class="kn">/ 149,94 kn</small></div><div class="tecaj">Fiksni tečaj konverzije '
        "1 € = 7,53450 kn</div><div class='usteda'>Uštedite 3,60 €</div></div>"
    )
    result = extract_offer(product_page(main, lang="hr"), "https://www.x.hr/p")
    assert (result.price, result.currency) == (Decimal("19.90"), "EUR"), result.candidates[:3]
    assert result.confidence >= 0.7, result.notes


@pytest.mark.parametrize(
    "button",
    [
        "V košarico",
        "U košaricu",
        "Do košíka",
        "Adauga in Cos",
        "Pievienot grozam",
        "Lisa ostukorvi",
    ],
)
def test_add_to_cart_in_more_languages_means_in_stock(button: str) -> None:
    page = product_page('<div class="price">129,00 €</div>').replace("Add to cart", button)
    page = page.replace('class="add-to-cart"', 'id="button-cart"')
    result = extract_offer(page, "https://www.x.eu/p")
    assert result.availability == Availability.IN_STOCK


def test_an_unavailable_products_page_does_not_take_a_recommendations_price() -> None:
    tiles = "".join(
        f'<div class="card-v2"><a href="/p{i}">Telefon {i}</a><p class="product-new-price">'
        f'{p}<sup>99</sup> <span>Lei</span></p><button class="btn">Adauga in Cos</button></div>'
        for i, p in enumerate(("2.799", "1.899", "49"))
    )
    main = (
        '<p class="label label-out_of_stock">indisponibil</p><div class="card-section">'
        f"<h2>Clientii care au vizualizat acest produs au cumparat si</h2><div>{tiles}</div></div>"
    )
    page = product_page(main, lang="ro").replace(
        '<button class="add-to-cart" type="submit">Add to cart</button>',
        '<button class="js-notify">Anunta-ma cand revine in stoc</button>',
    )
    result = extract_offer(page, "https://www.x.ro/p")
    assert result.price is None, result.candidates[:3]


def test_the_price_without_vat_and_a_from_price_for_lenses_lose_to_the_price_with_vat() -> None:
    main = (
        '<div class="price-box"><span class="price-excluding-tax"><span class="label">Brez DDV:'
        '</span> <span class="price">81,15 €</span></span><span class="price-including-tax">'
        '<span class="label">Z DDV:</span> <span class="price">99,00 €</span></span></div>'
        '<div class="lens-offer">Stekla z antirefleksnim nanosom od 49,00 € na par</div>'
    )
    result = extract_offer(product_page(main, lang="sl"), "https://www.x.si/p")
    assert (result.price, result.currency) == (Decimal("99.00"), "EUR"), result.candidates[:3]


def test_a_heading_holding_only_the_price_is_not_the_title() -> None:
    main = (
        '<h1 style="float: right;"><del>€1.390,00</del> <span class="productSpecialPrice">'
        "€1.249,00</span></h1><h1>Chitarra elettrica Vintage ST<br>"
        '<span class="smallText">[FRT-ST-SB]</span></h1>'
    )
    page = product_page(main, lang="it").replace("<h1>Walnut Desk Lamp</h1>", "")
    result = extract_offer(page, "https://www.x.it/product_info.php?products_id=1")
    assert result.title is not None and "Vintage ST" in result.title, result.title
    assert result.price == Decimal("1249.00")


def test_an_image_button_saying_add_to_cart_means_in_stock() -> None:
    button = '<input type="image" src="button_in_cart.gif" alt="Aggiungi al carrello">'
    page = product_page('<div class="price">8,50 €</div>').replace(
        '<button class="add-to-cart" type="submit">Add to cart</button>', button
    )
    result = extract_offer(page, "https://www.x.it/p")
    assert result.availability == Availability.IN_STOCK


def test_a_side_columns_specials_lose_to_the_price_beside_the_name_in_a_table() -> None:
    page = (
        "<html><head><title>Shop, Corde Nickel 10-46</title></head><body><table><tr>"
        '<td id="columnLeft"><div class="infoBoxHeading">Offerte</div><div><a href="/p">'
        'Capotasto</a><br><del>€24,00</del><br><span class="productSpecialPrice">€19,50</span>'
        '</div></td><td><form><table><tr><td class="pageHeading">Corde Nickel 10-46</td>'
        '<td class="pageHeading" align="right">8,50 EUR</td></tr></table>'
        '<input type="image" alt="Aggiungi al carrello"></form></td></tr></table></body></html>'
    )
    result = extract_offer(page, "https://www.x.it/product_info.php?products_id=2")
    assert (result.price, result.currency) == (Decimal("8.50"), "EUR"), result.candidates[:3]
    assert result.title is not None and "Nickel 10-46" in result.title
