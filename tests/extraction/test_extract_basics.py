"""extract_offer on small inline pages: one behaviour per test."""

from __future__ import annotations

from decimal import Decimal

from pricemon.domain.extract import extract_offer
from pricemon.models import Availability


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    filler = "<p>" + "Product details and care instructions. " * 20 + "</p>"
    return f'<html lang="{lang}"><head>{head}</head><body>{body}{filler}</body></html>'


def jsonld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def test_jsonld_product_offer() -> None:
    html = page(
        jsonld(
            '{"@context":"https://schema.org","@type":"Product","name":"Kettle",'
            '"image":["https://x.test/k.jpg"],"offers":{"@type":"Offer","price":"49.99",'
            '"priceCurrency":"GBP","availability":"https://schema.org/InStock"}}'
        ),
        "<h1>Kettle</h1><span class=price>£49.99</span><button>Add to basket</button>",
    )
    result = extract_offer(html, "https://shop.co.uk/kettle")
    assert (result.price, result.currency, result.method) == (Decimal("49.99"), "GBP", "jsonld")
    assert result.availability == Availability.IN_STOCK
    assert (result.title, result.image_url) == ("Kettle", "https://x.test/k.jpg")
    assert result.confidence >= 0.9
    assert any(c.source == "heuristic" and c.amount == Decimal("49.99") for c in result.candidates)


def test_og_meta_only() -> None:
    html = page(
        '<meta property="og:title" content="Lamp"><meta property="og:image" content="/l.png">'
        '<meta property="product:price:amount" content="1299.00">'
        '<meta property="product:price:currency" content="EUR">'
    )
    result = extract_offer(html, "https://shop.de/lamp")
    assert (result.price, result.currency, result.method) == (Decimal("1299.00"), "EUR", "meta")
    assert result.title == "Lamp"


def test_broken_jsonld_with_trailing_comma_and_entities() -> None:
    html = page(
        jsonld(
            '<!--{"@type":"Product","name":"Caf&eacute;","offers":[{"@type":"Offer",'
            '"price":12.5,"priceCurrency":"EUR",},],}-->'
        )
    )
    result = extract_offer(html, "https://x.fr/p")
    assert (result.price, result.currency) == (Decimal("12.5"), "EUR")
    assert result.title == "Café"


def test_out_of_stock_without_price_is_a_result() -> None:
    html = page(
        jsonld(
            '{"@type":"Product","name":"Boots","offers":{"@type":"Offer",'
            '"availability":"OutOfStock","priceCurrency":"USD"}}'
        ),
        "<h1>Boots</h1><p class=stock>Sold out</p>",
    )
    result = extract_offer(html, "https://x.com/boots")
    assert result.price is None
    assert result.availability == Availability.OUT_OF_STOCK
    assert not result.blocked


def test_empty_document() -> None:
    result = extract_offer("", "https://x.com/")
    assert result.price is None and result.looks_script_rendered
