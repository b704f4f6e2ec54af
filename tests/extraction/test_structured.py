"""Structured data: JSON-LD shapes and damage, microdata, RDFa, meta, platform JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.extract.structured import load_lenient
from pricemon.models import Availability
from tests.extraction.pages import product_page


def jsonld(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return f'<script type="application/ld+json">{text}</script>'


def offer(price: Any, currency: str = "USD", **extra: Any) -> dict[str, Any]:
    return {"@type": "Offer", "price": price, "priceCurrency": currency, **extra}


def product(offers: Any, name: str = "Walnut Desk Lamp", **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "offers": offers,
        **extra,
    }


# Pages without a visible price, so the structured value alone decides.
STRUCTURED = [
    ("number", product(offer(49.9)), "https://x.com/p", "49.9", "USD"),
    ("string", product(offer("49.90")), "https://x.com/p", "49.90", "USD"),
    ("eu string", product(offer("1.299,00", "EUR")), "https://x.de/p", "1299.00", "EUR"),
    ("string with symbol", product(offer("$1,299.00")), "https://x.com/p", "1299.00", "USD"),
    ("trailing zeros", product(offer("12.5000")), "https://x.com/p", "12.50", "USD"),
    (
        "list of offers",
        product([offer("59.00"), offer("49.00")]),
        "https://x.com/p",
        "49.00",
        "USD",
    ),
    (
        "in stock beats cheaper sold out",
        product(
            [
                offer("39.00", availability="https://schema.org/OutOfStock"),
                offer("49.00", availability="https://schema.org/InStock"),
            ]
        ),
        "https://x.com/p",
        "49.00",
        "USD",
    ),
    (
        "aggregate offer",
        product(
            {
                "@type": "AggregateOffer",
                "lowPrice": "19.99",
                "highPrice": "29.99",
                "priceCurrency": "GBP",
            }
        ),
        "https://x.co.uk/p",
        "19.99",
        "GBP",
    ),
    (
        "price specification",
        product(
            {"@type": "Offer", "priceSpecification": {"price": "15.00", "priceCurrency": "EUR"}}
        ),
        "https://x.fr/p",
        "15.00",
        "EUR",
    ),
    (
        "list price specification ignored",
        product(
            {
                "@type": "Offer",
                "priceSpecification": [
                    {
                        "price": "80.00",
                        "priceCurrency": "EUR",
                        "priceType": "https://schema.org/ListPrice",
                    },
                    {"price": "60.00", "priceCurrency": "EUR"},
                ],
            }
        ),
        "https://x.fr/p",
        "60.00",
        "EUR",
    ),
    (
        "graph",
        {
            "@context": "https://schema.org",
            "@graph": [{"@type": "WebPage"}, product(offer("9.99"))],
        },
        "https://x.com/p",
        "9.99",
        "USD",
    ),
    (
        "main entity",
        {"@type": "WebPage", "mainEntity": product(offer("9.99", "CAD"))},
        "https://x.ca/p",
        "9.99",
        "CAD",
    ),
    (
        "type list",
        {**product(offer("9.99")), "@type": ["Product", "Thing"]},
        "https://x.com/p",
        "9.99",
        "USD",
    ),
    (
        "no currency uses domain",
        product({"@type": "Offer", "price": "9.99"}),
        "https://x.com.au/p",
        "9.99",
        "AUD",
    ),
    ("bare offer", offer("14.00", "EUR"), "https://x.it/p", "14.00", "EUR"),
    (
        "variant from url",
        {
            "@type": "ProductGroup",
            "name": "Walnut Desk Lamp",
            "hasVariant": [
                product(offer("20.00", url="https://x.com/p?variant=1"), name="Lamp S"),
                product(offer("30.00", url="https://x.com/p?variant=2"), name="Lamp L"),
            ],
        },
        "https://x.com/p?variant=2",
        "30.00",
        "USD",
    ),
    (
        "first variant by default",
        {
            "@type": "ProductGroup",
            "name": "Walnut Desk Lamp",
            "hasVariant": [
                product(offer("30.00"), name="Lamp L"),
                product(offer("20.00"), name="Lamp S"),
            ],
        },
        "https://x.com/p",
        "30.00",
        "USD",
    ),
    (
        "first variant in stock by default",
        {
            "@type": "ProductGroup",
            "name": "Walnut Desk Lamp",
            "hasVariant": [
                product(offer("30.00", availability="OutOfStock"), name="Lamp L"),
                product(offer("35.00", availability="InStock"), name="Lamp XL"),
            ],
        },
        "https://x.com/p",
        "35.00",
        "USD",
    ),
    (
        "related product skipped",
        product(offer("70.00"), isRelatedTo=product(offer("5.00"), name="Bulb")),
        "https://x.com/p",
        "70.00",
        "USD",
    ),
    (
        "main product chosen by name",
        [product(offer("5.00"), name="Bulb"), product(offer("70.00"))],
        "https://x.com/p",
        "70.00",
        "USD",
    ),
]


@pytest.mark.parametrize(
    ("data", "url", "price", "currency"), [pytest.param(*r[1:], id=r[0]) for r in STRUCTURED]
)
def test_jsonld(data: Any, url: str, price: str, currency: str) -> None:
    result = extract_offer(product_page("<p>No price shown here.</p>", head=jsonld(data)), url)
    assert (result.price, result.currency) == (Decimal(price), currency)
    assert str(result.price) == price
    assert result.method == "jsonld"


def test_zero_price_is_no_price() -> None:
    html = product_page('<p class="price">$64.00</p>', head=jsonld(product(offer("0"))))
    result = extract_offer(html, "https://x.com/p")
    assert (result.price, result.method) == (Decimal("64.00"), "heuristic")


def test_jsonld_confirmed_on_page_is_confident() -> None:
    html = product_page('<p class="price">$49.00</p>', head=jsonld(product(offer("49.00"))))
    result = extract_offer(html, "https://x.com/p")
    assert (result.method, result.confidence) == ("jsonld", 0.95)


def test_stale_jsonld_loses_to_main_visible_sale_price_with_a_note() -> None:
    main = '<p class="price"><s>$49.00</s> <span class="sale-price">$39.00</span></p>'
    html = product_page(main, head=jsonld(product(offer("49.00"))))
    result = extract_offer(html, "https://x.com/p")
    assert (result.price, result.method) == (Decimal("39.00"), "heuristic")
    assert any("jsonld says 49.00" in note for note in result.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,}', [{"a": 1}]),
        ('<!--{"a": 1}-->', [{"a": 1}]),
        ('//<![CDATA[\n{"a": 1}\n//]]>', [{"a": 1}]),
        ('{"a": "line\nbreak"}', [{"a": "line\nbreak"}]),
        ('{"a": 1}{"b": 2}', [{"a": 1}, {"b": 2}]),
        ("{&quot;a&quot;: 1}", [{"a": 1}]),
        ('{"a": 1.10}', [{"a": Decimal("1.10")}]),
        ("{not json at all", []),
    ],
)
def test_load_lenient(text: str, expected: list[Any]) -> None:
    assert load_lenient(text) == expected


def test_microdata_with_content_attribute() -> None:
    main = (
        '<div itemscope itemtype="https://schema.org/Product">'
        '<span itemprop="name">Walnut Desk Lamp</span>'
        '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
        '<meta itemprop="price" content="1299.50"><meta itemprop="priceCurrency" content="SEK">'
        '<link itemprop="availability" href="https://schema.org/OutOfStock"></div></div>'
    )
    result = extract_offer(product_page(main), "https://x.se/p")
    assert (result.price, result.currency, result.method) == (
        Decimal("1299.50"),
        "SEK",
        "microdata",
    )
    assert result.availability == Availability.OUT_OF_STOCK


def test_rdfa_property() -> None:
    main = (
        '<div vocab="https://schema.org/" typeof="Product"><div property="offers" typeof="Offer">'
        '<span property="price" content="19.95">19,95 €</span>'
        '<meta property="priceCurrency" content="EUR"></div></div>'
    )
    result = extract_offer(product_page(main), "https://x.nl/p")
    assert (result.price, result.currency) == (Decimal("19.95"), "EUR")


def test_shopify_analytics_meta_in_cents_with_variant() -> None:
    script = (
        '<script>Shopify.currency = {"active":"CAD","rate":"1.0"};'
        'var meta = {"product":{"id":1,"variants":'
        '[{"id":11,"price":129900},{"id":12,"price":99900}]}};'
        "</script>"
    )
    result = extract_offer(
        product_page("<p>See options.</p>", head=script), "https://x.ca/p?variant=12"
    )
    assert (result.price, result.currency, result.method) == (
        Decimal("999.00"),
        "CAD",
        "platform:shopify",
    )


def test_price_currency_given_as_symbol() -> None:
    data = product({"@type": "Offer", "price": "12.50", "priceCurrency": "€"})
    result = extract_offer(
        product_page("<p>No price shown.</p>", head=jsonld(data)), "https://x.com/p"
    )
    assert (result.price, result.currency) == (Decimal("12.50"), "EUR")


def test_next_data_state_gives_the_named_products_price() -> None:
    state = {
        "props": {
            "pageProps": {
                "recommendations": [{"name": "Brass Lamp", "price": 45}],
                "product": {
                    "name": "Walnut Desk Lamp",
                    "price": {"amount": "129.00", "currencyCode": "EUR"},
                },
            }
        }
    }
    html = (
        '<html><head><title>Walnut Desk Lamp | Shop</title></head><body><div id="__next"></div>'
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'
        "</body></html>"
    )
    result = extract_offer(html, "https://x.com/p")
    assert (result.price, result.currency, result.method) == (
        Decimal("129.00"),
        "EUR",
        "script-json",
    )


def test_next_data_without_the_product_gives_nothing() -> None:
    state = {"props": {"pageProps": {"recommendations": [{"name": "Brass Lamp", "price": 45}]}}}
    html = (
        '<html><head><title>Walnut Desk Lamp | Shop</title></head><body><div id="__next"></div>'
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'
        "</body></html>"
    )
    result = extract_offer(html, "https://x.com/p")
    assert result.price is None and result.looks_script_rendered
