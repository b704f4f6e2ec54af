"""Rules found by the eighth held-out corpus (tests/fixtures/heldout8), one trap per test."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.extract.page import Page
from pricemon.models import Availability
from tests.extraction.pages import product_page


def test_bitrix_product_item_detail_is_the_product_not_a_tile() -> None:
    main = (
        '<div class="product-item-detail-pay-block">'
        '<div class="product-item-detail-price-current">349 990 ₸</div></div>'
    )
    tiles = (
        '<div class="catalog-section"><div class="product-item"><a href="/a">Мышь</a>'
        '<span class="product-item-price-current">5 990 ₸</span></div></div>'
    )
    result = extract_offer(product_page(main, lang="ru", after=tiles), "https://x.kz/p")
    assert (result.price, result.currency) == (Decimal("349990"), "KZT"), result.candidates[:3]
    assert result.confidence >= 0.6


@pytest.mark.parametrize(
    ("banner", "url"),
    [
        ("Frete grátis* acima de R$ 299 | Parcele em até 10x", "https://x.com.br/p"),
        ("Despacho gratis en compras sobre $39.990", "https://x.cl/p"),
    ],
)
def test_free_shipping_thresholds_in_portuguese_and_spanish_are_not_the_price(
    banner: str, url: str
) -> None:
    page = product_page("<p>Produto indisponível</p>", before=f"<div class='top'>{banner}</div>")
    result = extract_offer(page, url)
    assert result.price is None, result.candidates[:3]


def test_spend_threshold_and_instant_discount_in_chinese_are_not_the_price() -> None:
    main = '<div class="price">NT$680</div><div class="promo">優惠 滿$1,500現折$150</div>'
    result = extract_offer(product_page(main, lang="zh-TW"), "https://x.com.tw/p")
    assert (result.price, result.currency) == (Decimal("680"), "TWD")
    assert not any(c.amount in (1500, 150) and c.score > 0 for c in result.candidates)


def test_japanese_tax_exclusive_price_loses_to_the_tax_inclusive_one() -> None:
    main = (
        '<div class="ec-price"><span class="ec-price__price">3,980円</span>'
        '<span class="ec-price__tax">（税抜）</span></div>'
        '<div class="ec-price"><span class="ec-price__price">4,378円</span>'
        '<span class="ec-price__tax">（税込）</span></div>'
    )
    result = extract_offer(product_page(main, lang="ja"), "https://x.jp/p")
    assert (result.price, result.currency) == (Decimal("4378"), "JPY"), result.candidates[:3]


def test_a_price_for_one_banks_cards_is_not_the_price() -> None:
    main = (
        '<div class="pdp-price"><span class="amount">₹57,990.00</span></div>'
        '<div class="bank-offer">Get it for <strong>₹54,990.00</strong> with HDFC Bank Credit '
        "Card EMI.</div>"
    )
    result = extract_offer(product_page(main, lang="en-IN"), "https://x.in/p")
    assert (result.price, result.currency) == (Decimal("57990.00"), "INR")
    assert not any(c.amount == Decimal("54990") and c.score > 0 for c in result.candidates)


def test_belarusian_rubles_written_r_are_byn_on_a_by_domain() -> None:
    main = '<div class="product-price"><span class="price">1 502,20 р.</span></div>'
    result = extract_offer(product_page(main, lang="ru"), "https://x.by/p")
    assert (result.price, result.currency) == (Decimal("1502.20"), "BYN")


def _bare_page(body: str, lang: str) -> str:
    return f'<html lang="{lang}"><head><title>Shop</title></head><body>{body}</body></html>'


def test_add_to_bag_in_arabic_is_a_cart_button() -> None:
    body = (
        '<div class="pdp"><h1>حذاء سنيكرز</h1><span class="price">د.إ 259</span>'
        '<button class="Button_primary">أضف إلى الحقيبة</button></div>'
    )
    result = extract_offer(_bare_page(body, "ar"), "https://x.ae/p")
    assert result.availability == Availability.IN_STOCK


def test_cafe24_buy_link_with_a_span_is_a_cart_button() -> None:
    body = (
        '<div class="detailArea"><h2>시카 앰플 50ml</h2><strong id="span_product_price_text">'
        '25,600원</strong><a href="#none" class="first" onclick="product_submit(1, '
        '\'/exec/front/order/basket/\', this)"><span id="btnBuy">바로 구매하기</span></a></div>'
    )
    result = extract_offer(_bare_page(body, "ko"), "https://x.co.kr/p")
    assert result.availability == Availability.IN_STOCK


def test_vtex_product_name_div_beats_a_section_heading() -> None:
    head = '<meta property="og:title" content="Guarda-Roupa Casal 3 Portas">'
    body = (
        '<div class="produto"><div class="productName"><div class="fn productName">'
        'Guarda-Roupa Casal 3 Portas</div></div><strong class="skuBestPrice">R$ 899,90</strong>'
        '</div><div class="descricao"><h2>Descrição</h2><p>MDP 15mm.</p></div>'
    )
    page = f'<html lang="pt-br"><head>{head}</head><body>{body}</body></html>'
    result = extract_offer(page, "https://x.com.br/p")
    assert result.title == "Guarda-Roupa Casal 3 Portas"


def test_spaces_inside_inline_state_json_do_not_make_the_page_look_empty() -> None:
    state = json.dumps({f"key {i}": "a b c d e f g h i j k l m n o p" for i in range(3000)})
    text = "<p>" + "Холодильник двухкамерный, объём 312 л. " * 40 + "</p>"
    page = Page.parse(_bare_page(f"{text}<script>var s = {state};</script>", "ru"), "https://x.by")
    assert page.body_text_length() > 1000
