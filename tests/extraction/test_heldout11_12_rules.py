"""Rules found by the eleventh and twelfth held-out corpora (tests/fixtures/heldout11 and
heldout12), one trap per test."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.money import has_currency
from pricemon.models import Availability
from tests.extraction.pages import product_page


@pytest.mark.parametrize("text", ["Κωδικός: NB-A14-R5", "Part no. XK/R20", "SKU 5521-kr2"])
def test_a_letter_symbol_inside_a_product_code_is_not_a_currency(text: str) -> None:
    assert not has_currency(text)


def test_the_greek_price_without_vat_is_not_the_price() -> None:
    main = (
        '<ul class="list-unstyled"><li><span style="text-decoration: line-through;">999,00€'
        "</span></li><li><h2>899,00€</h2></li><li>Χωρίς ΦΠΑ: 725,00€</li></ul>"
    )
    result = extract_offer(product_page(main, lang="el"), "https://www.x.gr/p")
    assert (result.price, result.currency) == (Decimal("899.00"), "EUR"), result.candidates[:3]
    net = next(c for c in result.candidates if c.amount == Decimal("725.00"))
    assert "excluding tax" in net.reasons and net.score < result.candidates[0].score, net


def test_a_threshold_before_a_sol_sign_is_not_the_price() -> None:
    """ "S/" sits between the threshold's words and the amount; it is stripped like "$"."""
    main = (
        '<p class="agotado">Agotado</p><a href="https://wa.me/1">Consultar por WhatsApp</a>'
        '<p class="envio">Envío gratis en Lima por compras mayores a S/ 1,500</p>'
    )
    result = extract_offer(product_page(main, lang="es"), "https://www.x.pe/p")
    assert result.price is None, result.candidates[:3]


def test_a_related_products_heading_beside_the_product_heads_the_next_block() -> None:
    tiles = "".join(
        f'<div class="col-md-3 item"><a href="/p/{i}"><h4>Mesa de comedor de huarango {i}</h4></a>'
        f'<span class="precio">S/ {amount}</span></div>'
        for i, amount in enumerate(["5,807.11", "1,738.90"])
    )
    main = (
        '<p class="agotado">Agotado: consultar disponibilidad</p>'
        f'<h3>Productos relacionados</h3><div class="row">{tiles}</div>'
    )
    result = extract_offer(product_page(main, lang="es"), "https://www.x.pe/p")
    assert result.price is None, result.candidates[:3]
    assert all("outside the product" in c.reasons[0] for c in result.candidates[:2])


def test_meta_price_shown_only_as_the_pre_tax_price_loses_to_the_shown_price() -> None:
    """EC-CUBE's product:price:amount is the price before tax; Japanese shops show the price
    with tax as the price and the pre-tax one beside it in brackets."""
    head = (
        '<meta property="product:price:amount" content="18000">'
        '<meta property="product:price:currency" content="JPY">'
    )
    main = (
        '<div class="ec-productRole__price"><div class="ec-price">'
        '<span class="ec-price__price">¥19,800</span><span class="ec-price__tax">税込</span>'
        '</div><p class="ec-price__notax">(税抜 ¥18,000)</p></div>'
    )
    result = extract_offer(product_page(main, head=head, lang="ja"), "https://www.x.jp/p")
    assert (result.price, result.currency) == (Decimal("19800"), "JPY"), result.candidates[:3]
    assert result.method == "heuristic"


def test_one_product_per_size_sold_out_in_the_first_size_is_in_stock() -> None:
    def size(name: str, stock: str) -> dict[str, object]:
        offer = {"@type": "Offer", "price": "39.99", "priceCurrency": "EUR", "availability": stock}
        return {"@type": "Product", "name": "Walnut Desk Lamp", "size": name, "offers": offer}

    products = [
        size("XS", "https://schema.org/OutOfStock"),
        size("S", "https://schema.org/InStock"),
    ]
    head = f'<script type="application/ld+json">{json.dumps(products)}</script>'
    result = extract_offer(product_page("<p>39,99 EUR</p>", head=head), "https://www.x.es/p")
    assert (result.price, result.availability) == (Decimal("39.99"), Availability.IN_STOCK)


def test_french_unavailable_is_out_of_stock() -> None:
    main = '<div id="availability"><span>Actuellement indisponible.</span></div>'
    page = product_page(main, lang="fr").replace('<button class="add-to-cart"', "<button disabled")
    assert extract_offer(page, "https://www.x.fr/p").availability == Availability.OUT_OF_STOCK


def test_a_product_header_element_is_not_page_chrome() -> None:
    """Shopware 5 wraps the h1 in `<header class="product--header">`: the title is there."""
    main = (
        '<header class="product--header"><h1 class="product--title">Japan Sencha 500 g</h1>'
        '</header><div class="product--buybox"><span class="price--content">12,90 €</span></div>'
        '<h2>Kunden kauften auch</h2><div class="slider"><div class="product--box">Teekanne '
        'Kyusu 300 ml aus Ton <span class="price">34,90 €</span></div></div>'
    )
    page = product_page(main, lang="de").replace("<h1>Walnut Desk Lamp</h1>", "")
    result = extract_offer(page, "https://www.x.de/p")
    assert result.title == "Japan Sencha 500 g"
    top = result.candidates[0]
    assert top.amount == Decimal("12.90") and "near the title" in top.reasons, result.candidates
