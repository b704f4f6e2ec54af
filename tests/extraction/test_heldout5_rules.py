"""Rules found by the fifth held-out corpus (tests/fixtures/heldout5), one trap per test."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.domain.extract.page import Page
from tests.extraction.pages import product_page


def _price(main: str, url: str, lang: str = "en") -> tuple[Decimal | None, str | None]:
    result = extract_offer(product_page(main, lang=lang), url)
    return result.price, result.currency


def test_a_wholesale_price_list_is_not_a_list_price() -> None:
    tiers = "".join(
        f'<div class="price-item"><div class="quality">{q}</div>'
        f'<div class="price"><span>{p}</span></div></div>'
        for q, p in (("2 - 99 pieces", "$3.80"), ("100 - 499 pieces", "$3.50"))
    )
    main = f'<div class="price-list">{tiers}</div><div>Min. order: 2 pieces</div>'
    assert _price(main, "https://x.com/p") == (Decimal("3.80"), "USD")


def test_a_bem_list_modifier_is_still_a_list_price() -> None:
    main = '<span class="price price--list">$50.00</span> <span class="price">$40.00</span>'
    assert _price(main, "https://x.com/p") == (Decimal("40.00"), "USD")


def test_a_discount_rate_does_not_swallow_the_old_price_beside_it() -> None:
    # "45<em>%</em>" made its price box one price "45%55,000원30,000원~" read as 55,000.
    main = (
        '<div class="price_area"><span class="rate">45<em>%</em></span>'
        '<del class="org">55,000<em>원</em></del><strong class="num">30,000<em>원~</em></strong>'
        "</div>"
    )
    assert _price(main, "https://x.co.kr/deal/1", "ko") == (Decimal("30000"), "KRW")


def test_a_chinese_discount_rate_is_not_an_amount() -> None:
    main = (
        '<div class="price-box"><span class="discount">6折</span>'
        '<span class="price">$<em>210</em></span><span class="price-org">原價 $350</span></div>'
    )
    result = extract_offer(product_page(main, lang="zh-TW"), "https://x.com.tw/p")
    assert (result.price, result.currency) == (Decimal("210"), "TWD")
    assert result.confidence >= 0.6, result.notes  # no close call: $350 is the old price


def test_a_cjk_original_price_label_marks_the_old_price() -> None:
    main = (
        '<div class="price-box"><span class="price-note">原價 $350</span>'
        '<span class="price">$210</span></div>'
    )
    assert _price(main, "https://x.com.tw/p", "zh-TW") == (Decimal("210"), "TWD")


def test_prices_in_a_descriptions_sentence_are_not_the_asking_price() -> None:
    main = (
        '<div class="price">Please Contact</div><div itemprop="description">Beautiful 100+ '
        "year old pine harvest table, 8 ft. Serious offers only, was appraised at $1,200 a few "
        "years ago. Delivery possible in the GTA for $80.</div>"
    )
    assert _price(main, "https://x.ca/v/1") == (None, None)


def test_a_table_row_label_says_which_price_is_the_list_price() -> None:
    main = (
        "<table><tr><th>List Price:</th><td>$39.99</td></tr>"
        "<tr><th>Price:</th><td>$29.99</td></tr></table>"
    )
    assert _price(main, "https://x.com/p") == (Decimal("29.99"), "USD")


def test_a_definition_list_label_says_the_amount_is_shipping() -> None:
    main = (
        '<div class="delivery"><dl><dt>배송비</dt><dd>3,000원</dd></dl></div>'
        '<div class="price"><strong>12,900원</strong></div>'
    )
    result = extract_offer(product_page(main, lang="ko"), "https://x.co.kr/p")
    assert (result.price, result.currency) == (Decimal("12900"), "KRW")
    assert not any(c.amount == Decimal(3000) and c.score > 0 for c in result.candidates)


def test_an_old_price_named_only_in_a_test_attribute_is_struck() -> None:
    main = (
        '<div class="_3NaXx"><span class="_1ArMm" data-auto="old-price">15 990 ₽</span>'
        '<span class="_1ArMm" data-auto="mainPrice">12 490 ₽</span></div>'
    )
    assert _price(main, "https://x.ru/p", "ru") == (Decimal("12490"), "RUB")


@pytest.mark.parametrize(
    ("beside", "amount"),
    [
        ('<div class="split">Сплит: 4 × 3 123 ₽</div>', "3123"),
        ('<div class="offers">Ещё 5 предложений от 11 990 ₽</div>', "11990"),
    ],
)
def test_split_payments_and_other_sellers_from_prices_lose(beside: str, amount: str) -> None:
    main = f'{beside}<div class="_1ArMm"><span>12 490 ₽</span></div>'
    result = extract_offer(product_page(main, lang="ru"), "https://x.ru/p")
    assert (result.price, result.currency) == (Decimal("12490"), "RUB"), result.candidates[:3]
    best = max(c.score for c in result.candidates if c.amount == Decimal("12490"))
    assert all(c.score < best for c in result.candidates if c.amount == Decimal(amount))


def test_korean_points_up_to_are_not_the_price() -> None:
    main = (
        '<div class="benefit"><span class="point">적립 최대 300원</span></div>'
        '<div class="price"><strong>29,000원</strong></div>'
    )
    result = extract_offer(product_page(main, lang="ko"), "https://x.co.kr/p")
    assert not any(c.amount == Decimal(300) and c.score > 0 for c in result.candidates)


def test_spaces_in_pretty_printed_state_do_not_hide_the_pages_text() -> None:
    state = json.dumps({f"key{i}": {"label": "a b c d e f", "n": i} for i in range(2000)}, indent=2)
    html = product_page(f"<script>window.__STATE__ = {state};</script>")
    assert Page.parse(html, "https://x.com/p").body_text_length() > 200
