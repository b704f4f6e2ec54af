"""Rules found by the ninth held-out corpus (tests/fixtures/heldout9), one trap per test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricemon.domain.extract import extract_offer
from pricemon.models import Availability
from tests.extraction.pages import product_page


def test_the_egyptian_pound_written_as_a_word_is_a_currency() -> None:
    # No structured data: the only price is "12,999 جنيه", the Arabic word for the pound.
    main = '<div class="product-price-box"><span class="new-price">12,999 جنيه</span></div>'
    result = extract_offer(product_page(main, lang="ar"), "https://x.com/p")
    assert (result.price, result.currency) == (Decimal("12999"), "EGP"), result.candidates[:3]


@pytest.mark.parametrize(
    ("line", "lang", "url", "price", "currency"),
    [
        ("Miễn phí giao hàng cho đơn từ 500.000₫", "vi", "https://x.vn/p", "990000", "VND"),
        ("全單滿 HK$500 免運費", "zh-HK", "https://x.com.hk/p", "2380.00", "HKD"),
        ("500 TL üzeri ücretsiz kargo", "tr", "https://x.com.tr/p", "1249.90", "TRY"),
    ],
)
def test_a_free_shipping_threshold_is_not_the_price(
    line: str, lang: str, url: str, price: str, currency: str
) -> None:
    # The threshold sits between the price and the cart button, in a promo box.
    shown = {"VND": "990.000₫", "HKD": "HK$2,380.00", "TRY": "1.249,90 TL"}[currency]
    main = (
        f'<div class="product-price"><span>{shown}</span></div><div class="promotions">{line}</div>'
    )
    result = extract_offer(product_page(main, lang=lang), url)
    assert (result.price, result.currency) == (Decimal(price), currency), result.candidates[:3]


def test_a_card_offers_price_after_a_discount_is_not_the_price() -> None:
    # "$25 OFF" once read "OFF" as a currency code and lost the word that made it a saving.
    main = (
        '<div class="price-format__main-price">$149.00</div><div class="promotion-card"><p>'
        "Pay <strong>$124.00</strong> after <strong>$25</strong> OFF your total qualifying "
        "purchase upon opening a new card.</p></div>"
    )
    result = extract_offer(product_page(main, lang="en-US"), "https://x.com/p")
    assert result.price == Decimal("149.00"), result.candidates[:3]
    assert all(c.score < 0 for c in result.candidates if c.amount in (124, 25))


def test_a_box_classed_price_list_holds_the_price_not_a_list_price() -> None:
    # Ticimax's "PriceList" holds the reference price, the sale price and a transfer discount.
    main = (
        '<div class="PriceList"><div><span>Piyasa Fiyatı:</span> <span>1.599,90 TL</span></div>'
        '<div><span>İndirimli Fiyat:</span> <span class="indirimliFiyat">1.249,90 TL</span></div>'
        "</div>"
    )
    result = extract_offer(product_page(main, lang="tr"), "https://x.com.tr/p")
    assert result.price == Decimal("1249.90"), result.candidates[:3]


def test_a_market_price_range_beside_an_ads_price_is_a_reference() -> None:
    main = (
        '<div class="advert-price"><span>₦ 385,000</span></div>'
        '<div class="advert-market-price"><span>Market price: ₦ 360,000 ~ ₦ 420,000</span></div>'
    )
    result = extract_offer(product_page(main, lang="en-NG"), "https://x.ng/p")
    assert (result.price, result.currency) == (Decimal("385000"), "NGN"), result.candidates[:3]


def test_a_chinese_members_price_is_not_everyones_price() -> None:
    main = (
        '<div class="price-detail"><div class="price-regular price">HK$2,380.00</div></div>'
        '<div class="member-price-tag">會員價 HK$2,261.00</div>'
    )
    result = extract_offer(product_page(main, lang="zh-HK"), "https://x.com.hk/p")
    assert result.price == Decimal("2380.00"), result.candidates[:3]


def test_the_price_standard_class_is_the_struck_standard_price() -> None:
    # Shoptet and Salesforce Commerce Cloud: "price-standard" is struck by the stylesheet.
    main = (
        '<div class="p-final-price-wrapper"><span class="price-standard"><span>5 490 Kč</span>'
        '</span> <span class="price-save">–9 %</span> <strong class="price-final">'
        '<span class="price-final-holder">4 990 Kč</span></strong></div>'
    )
    result = extract_offer(product_page(main, lang="cs"), "https://x.cz/p")
    assert result.price == Decimal("4990"), result.candidates[:3]


def test_a_capitalised_vietnamese_sold_out_label_means_out_of_stock() -> None:
    main = (
        '<div class="product-price"><span class="pro-price">Liên hệ</span></div>'
        '<div class="product-status">Tình trạng: <span class="sold-out">Hết hàng</span></div>'
    )
    page = product_page(main, lang="vi").replace(
        '<button class="add-to-cart" type="submit">Add to cart</button>',
        '<button class="add-to-cart" disabled>Hết hàng</button>',
    )
    result = extract_offer(page, "https://x.vn/p")
    assert result.availability == Availability.OUT_OF_STOCK


def test_a_stock_count_classed_availability_amount_is_not_a_price() -> None:
    # Nothing else in the box says which number is the price: only the class tells them apart.
    main = (
        '<div class="p-final-price-wrapper"><strong class="price-final">4 990 Kč</strong></div>'
        '<table><tr><td><span class="availability-label">Skladem</span> '
        '<span class="availability-amount">(&gt;5&nbsp;ks)</span></td></tr></table>'
    )
    result = extract_offer(product_page(main, lang="cs"), "https://x.cz/p")
    assert result.price == Decimal("4990")
    assert all(c.amount != 5 for c in result.candidates), result.candidates[:3]


@pytest.mark.parametrize(
    ("price", "line", "lang", "url", "want"),
    [
        ("¥368.00", "满300减20 · 新人券 ¥10", "zh-CN", "https://x.cn/p", "368.00"),
        ("36,90€", "Χωρίς Φ.Π.Α.: 32,65€", "el", "https://x.gr/p", "36.90"),
        ("36,90€", "Δωρεάν μεταφορικά για αγορές άνω των 49,00€", "el", "https://x.gr/p", "36.90"),
        ("RM29.90", "Beli 3 pek, jimat RM10", "ms", "https://x.my/p", "29.90"),
        ("$24.99", "Free with RedCard or $35 orders*", "en-US", "https://x.com/p", "24.99"),
        ("$429.99", "2-Year Protection $59.99", "en-US", "https://x.com/p", "429.99"),
        ("71,96 €", "Originalpreis: 89,95 € -20%", "de", "https://x.de/p", "71.96"),
        ("1.249,90 TL", "Havale/EFT ile 1.187,41 TL", "tr", "https://x.com.tr/p", "1249.90"),
    ],
)
def test_a_line_below_the_price_that_is_not_the_price(
    price: str, line: str, lang: str, url: str, want: str
) -> None:
    # Both lines are marked up alike, and the trap's line comes second: its words decide.
    main = f"<div><span>{price}</span></div><div><span>{line}</span></div>"
    result = extract_offer(product_page(main, lang=lang), url)
    assert result.price == Decimal(want), result.candidates[:3]
    assert "close call" not in " ".join(result.notes), result.notes
