"""Rules found by the tenth held-out corpus (tests/fixtures/heldout10), one trap per test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
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
