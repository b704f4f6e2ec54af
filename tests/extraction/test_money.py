"""parse_price: separators, symbols and hints, as shops in many countries write them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from price_parser import Price as LibraryPrice

from pricemon.domain.currency import country_of_url, resolve_symbol
from pricemon.domain.money import Price, parse_amount, parse_price

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"

CASES = [
    # text, currency_hint, locale_hint, amount, currency
    ("1.299,95 €", None, None, "1299.95", "EUR"),
    ("1,299.95", None, None, "1299.95", None),
    ("$1,299.95", None, None, "1299.95", "USD"),
    (f"1{NBSP}299,95{NBSP}€", None, None, "1299.95", "EUR"),
    (f"1{NNBSP}299,95{NNBSP}€", None, "fr-FR", "1299.95", "EUR"),
    (f"1{THIN}299,95 €", None, None, "1299.95", "EUR"),
    ("1 299,95 €", None, None, "1299.95", "EUR"),
    ("CHF 1'299.95", None, None, "1299.95", "CHF"),
    ("CHF 1’299.95", None, None, "1299.95", "CHF"),
    ("Fr. 49.90", None, None, "49.90", "CHF"),
    (",95 €", None, None, "0.95", "EUR"),
    ("1.299", None, "de-DE", "1299", None),
    ("1.299", None, "en-US", "1299", None),
    ("1.299 €", None, "de-DE", "1299", "EUR"),
    ("1,299", None, "de-DE", "1299", None),
    ("0.299", None, None, "0.299", None),
    ("1.250 KWD", None, None, "1.250", "KWD"),
    ("€1.299,-", None, None, "1299", "EUR"),
    ("1.299,– €", None, None, "1299", "EUR"),
    ("49.- CHF", None, None, "49", "CHF"),
    ("1.299:-", None, "sv-SE", "1299", "SEK"),
    ("1 299 kr", None, "shop.se", "1299", "SEK"),
    ("1 299 kr", None, "https://www.shop.no/p/1", "1299", "NOK"),
    ("1.299,00 kr.", None, "da-DK", "1299.00", "DKK"),
    ("299 kr", "NOK", None, "299", "NOK"),
    ("₹1,23,456.00", None, None, "123456.00", "INR"),
    ("Rs. 1,23,456", None, None, "123456", "INR"),
    ("¥12,800", None, None, "12800", "JPY"),
    ("12,800円", None, None, "12800", "JPY"),
    ("￥12,800(税込)", None, "ja-JP", "12800", "JPY"),
    ("¥199.00", None, "zh-CN", "199.00", "CNY"),
    ("¥199", None, "https://item.shop.cn/x", "199", "CNY"),
    ("¥199", "CNY", None, "199", "CNY"),
    ("₩39,000", None, None, "39000", "KRW"),
    ("１２，８００円", None, None, "12800", "JPY"),
    ("￥１２，８００", None, "ja-JP", "12800", "JPY"),
    ("١٢٣ ر.س", None, None, "123", "SAR"),
    ("S/ 49.90", None, None, "49.90", "PEN"),
    ("R 1 299.00", None, "https://shop.co.za/p", "1299.00", "ZAR"),
    ("R1,299", None, None, "1299", None),
    ("39,000원", None, None, "39000", "KRW"),
    ("$49.99", None, "https://shop.com.au/p", "49.99", "AUD"),
    ("$49.99", None, "en-AU", "49.99", "AUD"),
    ("$49.99", None, "shop.ca", "49.99", "CAD"),
    ("$49.99", None, "fr-CA", "49.99", "CAD"),
    ("$49.99", None, "www.shop.co.nz", "49.99", "NZD"),
    ("$49.99", "AUD", None, "49.99", "AUD"),
    ("$49.99", "EUR", None, "49.99", "USD"),
    ("A$49.99", None, None, "49.99", "AUD"),
    ("C$ 49.99", None, None, "49.99", "CAD"),
    ("US$ 49.99", None, "en-AU", "49.99", "USD"),
    ("£9.99", None, None, "9.99", "GBP"),
    ("€9,99", None, None, "9.99", "EUR"),
    ("R$ 1.299,90", None, None, "1299.90", "BRL"),
    ("12,50 zł", None, None, "12.50", "PLN"),
    ("1 299 Kč", None, None, "1299", "CZK"),
    ("12 990 Ft", None, None, "12990", "HUF"),
    ("1.299,99 lei", None, None, "1299.99", "RON"),
    ("2 499 ₽", None, None, "2499", "RUB"),
    ("₺1.299,90", None, None, "1299.90", "TRY"),
    ("฿1,290", None, None, "1290", "THB"),
    ("1.290.000 ₫", None, None, "1290000", "VND"),
    ("EUR 12.00", None, None, "12.00", "EUR"),
    ("12.00 USD", None, None, "12.00", "USD"),
    ("12.99", "EUR", None, "12.99", "EUR"),
    ("12,99", "eur", None, "12.99", "EUR"),
    ("1.299.000", None, None, "1299000", None),
    ("1,299,000.50", None, None, "1299000.50", None),
    ("12.5", None, None, "12.5", None),
    ("Now $19.99", None, None, "19.99", "USD"),
    ("2 for $10", None, None, "10", "USD"),
    ("Size 10 - $24.00", None, None, "24.00", "USD"),
    ("SHOP ALL 12", None, None, "12", None),
    ("Price: 0", None, None, "0", None),
    ("349€99", None, None, "349.99", "EUR"),  # French retailers: the euro sign as separator
    ("1.049€00", None, None, "1049.00", "EUR"),
    ("12 490 ₽", None, None, "12490", "RUB"),  # thin spaces group
]


@pytest.mark.parametrize(("text", "currency_hint", "locale_hint", "amount", "currency"), CASES)
def test_parse_price(
    text: str, currency_hint: str | None, locale_hint: str | None, amount: str, currency: str
) -> None:
    price = parse_price(text, currency_hint=currency_hint, locale_hint=locale_hint)
    assert price == Price(Decimal(amount), currency)
    assert str(price.amount) == amount  # exact: no float round trip, trailing zeros kept


@pytest.mark.parametrize("text", ["", None, "Sold out", "€", "Add to cart", "-"])
def test_no_number_gives_none(text: str | None) -> None:
    assert parse_price(text) is None


@pytest.mark.parametrize(
    ("text", "ours", "theirs"),
    [
        # price-parser reads a bare cents fraction as whole units
        (",95 €", "0.95", "95"),
        # price-parser takes the first number, not the one next to the currency
        ("2 for $10", "10", "2"),
    ],
)
def test_cases_where_price_parser_is_wrong(text: str, ours: str, theirs: str) -> None:
    assert LibraryPrice.fromstring(text).amount == Decimal(theirs)
    price = parse_price(text)
    assert price is not None and price.amount == Decimal(ours)


@pytest.mark.parametrize(
    ("number", "currency", "amount"),
    [("129900", None, "129900"), ("1.299", "JPY", "1299"), ("1.299", "BHD", "1.299")],
)
def test_parse_amount(number: str, currency: str | None, amount: str) -> None:
    assert parse_amount(number, currency=currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("symbol", "hint", "locale", "expected"),
    [
        ("$", None, None, "USD"),
        ("$", None, "es-MX", "MXN"),
        ("kr", None, "da", "DKK"),
        ("kr", None, None, "SEK"),
        ("¥", None, "zh", "CNY"),
        ("RMB", None, None, "CNY"),
        ("ZZZ", None, None, None),
    ],
)
def test_resolve_symbol(symbol: str, hint: str | None, locale: str | None, expected: str) -> None:
    assert resolve_symbol(symbol, currency_hint=hint, locale_hint=locale) == expected


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://shop.com.au/p", "au"),
        ("https://shop.co.uk/p", "uk"),
        ("https://shop.co/p", None),
        ("https://shop.com.co/p", "co"),
        ("https://shop.io/p", None),
        ("https://shop.com/p", None),
        ("https://127.0.0.1:8000/p", None),
    ],
)
def test_country_of_url(url: str, country: str | None) -> None:
    assert country_of_url(url) == country
