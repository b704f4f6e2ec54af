"""Rules found by the sixth held-out corpus (tests/fixtures/heldout6), one trap per test."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.models import Availability
from tests.extraction.pages import product_page


def _json_ld(amount: str, currency: str) -> str:
    doc = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Walnut Desk Lamp",
        "offers": {"@type": "Offer", "price": amount, "priceCurrency": currency},
    }
    return f'<script type="application/ld+json">{json.dumps(doc)}</script>'


@pytest.mark.parametrize(
    "reward",
    ["Get $1.80 in CT Money", "Earn $1.80 in Kohl's Cash", "Earn $1.80 with every order"],
)
def test_a_store_currency_reward_near_the_title_is_not_the_price(reward: str) -> None:
    main = (
        '<div class="price-box"><span class="price">$59.99</span> <span>Each</span></div>'
        f'<div class="ct-money"><span>{reward}</span></div>'
    )
    result = extract_offer(product_page(main, lang="en-CA"), "https://x.ca/p")
    assert (result.price, result.currency) == (Decimal("59.99"), "CAD"), result.candidates[:3]


def test_a_protection_plan_beside_the_price_is_not_the_price() -> None:
    main = (
        '<div class="price-box"><span class="price">$59.99</span></div>'
        "<div><p>Product protection plan 2 years - $12.99</p></div>"
    )
    result = extract_offer(product_page(main, lang="en-US"), "https://x.com/p")
    assert result.price == Decimal("59.99")
    assert all(c.score < 0 for c in result.candidates if c.amount == Decimal("12.99"))


def test_a_price_box_classed_product_item_price_is_the_products_own() -> None:
    # "product-item" marks listing tiles; "product-item-price" is the product page's price.
    main = (
        '<div class="primary-row product-item-price product-item-price-discount">'
        '<span class="price-value">£17.99</span><small class="price-value-original">£24.99</small>'
        "</div>"
    )
    page = product_page(main, head=_json_ld("24.99", "GBP"), lang="en-GB")
    result = extract_offer(page, "https://x.co.uk/p")
    assert (result.price, result.currency) == (Decimal("17.99"), "GBP"), result.notes


def test_a_members_price_labelled_on_the_line_above_is_not_everyones_price() -> None:
    main = (
        '<div class="price-module"><p class="label">IKEA Family price</p>'
        '<span class="price"><span class="currency">£</span><span class="integer">269</span></span>'
        '<p class="validity">Price valid while supply lasts</p>'
        '<p class="regular">Regular price <span class="price">£310</span></p></div>'
    )
    page = product_page(main, head=_json_ld("310", "GBP"), lang="en-GB")
    result = extract_offer(page, "https://x.co.uk/p")
    assert (result.price, result.currency) == (Decimal("310"), "GBP"), result.notes
    member = [c for c in result.candidates if c.amount == Decimal("269")]
    assert member and all("a members' price" in c.reasons for c in member)


def test_fulfilment_buttons_without_cart_words_mean_in_stock() -> None:
    page = (
        '<!doctype html><html lang="en"><head><title>Cardigan</title></head><body><main>'
        '<h1>Cozy Rib Cardigan</h1><span class="price">$20.00</span>'
        '<button type="button">Ship it</button><button type="button">Pick it up</button>'
        "</main></body></html>"
    )
    result = extract_offer(page, "https://x.com/p")
    assert result.price == Decimal("20.00")
    assert result.availability == Availability.IN_STOCK


@pytest.mark.parametrize(
    ("cls", "heading"),
    [("partner-offers", "Also available from our partners"), ("seller-offers", "Other sellers")],
)
def test_other_sellers_offers_beside_the_buy_box_are_not_the_price(cls: str, heading: str) -> None:
    main = (
        '<p class="price price--large">£579.99</p>'
        f'<section class="{cls}"><h3>{heading}</h3><ul>'
        '<li><span class="name">Kitchen Outlet Ltd</span> <span class="price">£549.00</span>'
        " <span>+ £4.95 delivery</span></li>"
        '<li><span class="name">Cuisine Direct</span> <span class="price">£562.50</span>'
        "</li></ul></section>"
    )
    result = extract_offer(product_page(main, lang="en-GB"), "https://x.co.uk/p")
    assert (result.price, result.currency) == (Decimal("579.99"), "GBP"), result.candidates[:3]
