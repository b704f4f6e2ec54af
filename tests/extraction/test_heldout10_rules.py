"""Rules found by the tenth held-out corpus (tests/fixtures/heldout10), one trap per test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.models import Availability
from tests.extraction.pages import product_page


@pytest.mark.parametrize("label", ["メーカー希望小売価格", "参考価格", "原價", "정상가"])
def test_a_cjk_list_price_label_marks_the_old_price(label: str) -> None:
    # The list price comes first and is only labelled in words, not struck through.
    main = (
        f'<div><span class="price1">{label} 22,000円</span></div>'
        '<div><span class="price2">12,800円</span></div>'
    )
    result = extract_offer(product_page(main, lang="ja"), "https://x.co.jp/p")
    assert (result.price, result.currency) == (Decimal("12800"), "JPY"), result.candidates[:3]


def test_a_limited_price_label_is_not_a_list_price() -> None:
    # 限定価格 ("limited-time price") contains 定価 ("list price").
    main = '<div><span class="price">限定価格 9,800円</span></div>'
    result = extract_offer(product_page(main, lang="ja"), "https://x.co.jp/p")
    assert result.price == Decimal("9800")
    assert not any("old" in r for c in result.candidates for r in c.reasons)


def test_a_name_in_a_non_heading_element_beats_a_carousel_heading() -> None:
    # No h1: the product name is a bold span, the only h2s are carousel headings.
    html = (
        '<html lang="ja"><head><meta property="og:title" content="マイコン炊飯器 5.5合">'
        '</head><body><div><span class="item_name"><b>マイコン炊飯器 5.5合</b></span>'
        '<span class="price2">12,800円</span><button class="add-to-cart">カートに入れる</button>'
        '</div><section><h2>この商品を見た人はこんな商品も見ています</h2><div class="tile">'
        '<span class="price">4,049円</span></div></section></body></html>'
    )
    result = extract_offer(html, "https://x.co.jp/p")
    assert result.title is not None and "マイコン炊飯器" in result.title
    assert result.price == Decimal("12800")


def _sold_out_page(stock_text: str, tiles: str = "") -> str:
    return (
        '<html lang="bg"><body><main><div class="product"><h1>Манов мед от Родопите</h1>'
        f'<p class="price"></p><form class="cart"><p class="stock">{stock_text}</p></form>'
        f'<section class="related products"><h2>Свързани продукти</h2><ul>{tiles}</ul>'
        "</section></div></main></body></html>"
    )


def test_a_bulgarian_sold_out_label_is_out_of_stock() -> None:
    page = _sold_out_page("Този продукт в момента е изчерпан и не е наличен.")
    result = extract_offer(page, "https://x.bg/p")
    assert result.availability == Availability.OUT_OF_STOCK


def test_related_products_cart_buttons_do_not_make_the_product_available() -> None:
    tile = (
        '<li class="product"><h2>Акациев мед</h2><span class="price">18,04 лв.</span>'
        '<a href="?add-to-cart=1" class="button add_to_cart_button">Add to cart</a></li>'
    )
    result = extract_offer(_sold_out_page("Out of stock", tile * 4), "https://x.bg/p")
    assert result.price is None
    assert result.availability == Availability.OUT_OF_STOCK


def test_a_chinese_members_price_is_not_everyones_price() -> None:
    main = (
        '<div class="price-regular"><span class="price">NT$680</span></div>'
        '<div class="price-member"><span class="price">會員價 NT$646</span></div>'
    )
    result = extract_offer(product_page(main, lang="zh-TW"), "https://x.com.tw/p")
    assert (result.price, result.currency) == (Decimal("680"), "TWD"), result.candidates[:3]


def test_dollars_and_cents_in_sibling_spans_are_one_price() -> None:
    main = (
        '<div class="nl-price" data-testid="priceTotal"><span class="nl-price__dollar">$1,099.'
        '</span><span class="nl-price__change">99</span></div>'
    )
    result = extract_offer(product_page(main, lang="en-CA"), "https://x.ca/p")
    assert (result.price, result.currency) == (Decimal("1099.99"), "CAD"), result.candidates[:3]


@pytest.mark.parametrize(
    "price",
    [
        '<h2 class="total-price">95.00 <i class="sicon-sar"></i></h2>',
        '<span class="price"><i class="fa fa-sar"></i><span>95.00</span></span>',
    ],
)
def test_an_icon_font_currency_is_the_prices_currency(price: str) -> None:
    # A .com shop in Arabic: neither the domain nor lang="ar" says which currency.
    main = f'<div class="product-price">{price}</div>'
    result = extract_offer(product_page(main, lang="ar"), "https://x.com/p")
    assert (result.price, result.currency) == (Decimal("95.00"), "SAR"), result.candidates[:3]


def test_a_cart_widgets_item_name_is_no_title_fallback() -> None:
    html = (
        '<html><head><meta property="og:title" content="Walnut Desk Lamp"></head><body>'
        '<div class="mini-cart"><span class="item-name">Brass Candle Holder</span></div>'
        '<div class="product"><b>The lamp</b><span class="price">$59.99</span></div>'
        "</body></html>"
    )
    result = extract_offer(html, "https://x.com/p")
    assert result.title == "Walnut Desk Lamp"
