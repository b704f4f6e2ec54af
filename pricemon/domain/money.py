"""Prices as exact decimals, read from the text shops show.

`parse_price` turns "1.299,95 €", "CHF 1'299.95", "¥12,800", "€1.299,-" or "1,23,456.00" into
`Price(Decimal, "EUR")`. Grouping and decimal separators are told apart from the number itself:

- spaces (also no-break and thin spaces) and apostrophes only ever group digits;
- when both `.` and `,` occur, the last one is the decimal separator;
- a separator that occurs more than once groups digits (`1.299.000`, Indian `1,23,456`);
- a single separator followed by exactly three digits groups digits (`1.299` is 1299 in every
  locale), because retail prices never have three decimals, except in currencies whose minor
  unit has three digits (KWD, BHD, OMR, JOD, TND...), where it is the decimal separator; a
  leading `0` (`0.299`) also makes it decimal. Fuel and unit prices such as "1,799 €/l" are
  read as thousands; they are rejected as unit prices before they get here;
- any other single separator is decimal (`12,5`, `,95`, `1.29`);
- `,-`, `.-`, `,–` and `:-` after the integer mean "no cents" (German, Swiss and Swedish);
- a euro sign between the euros and two cent digits is the decimal separator (`349€99`, as
  French retailers print prices).

price-parser (`Price.fromstring`) gets most of these right but reads `,95` as 95 and picks the
first number rather than the one next to the currency; those cases are covered in the tests.
The symbol is resolved to ISO 4217 by `pricemon.domain.currency.resolve_symbol`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pricemon.domain.currency import CURRENCY_TOKEN_RE, ISO_CODES, minor_digits, resolve_symbol

_SPACES = "\u00a0\u202f\u2009\u2007 "
# A number: digits with grouping/decimal separators, or a bare ",95". Spaces only group when
# followed by exactly three digits, so "2 x 10" stays two numbers. A number may start right
# after a dot that ends a symbol ("Rs.4,990.00", "S/.59.90", "Fr.12.50"), but never inside
# another number; a bare ",95" is neither glued to a letter nor followed by more digits.
NUMBER_RE = re.compile(
    rf"(?:(?<![\d,'’])(?<!\d\.)(?<![.,]\.)\d+(?:[.,'’]\d+|[{_SPACES}]\d{{3}}(?!\d))*"
    r"|(?<![\d.,\w])[.,]\d{1,2}(?![\d]|[.,'’]\d))"
    r"(?:\s?[.,:][-–—]{1,2})?"
)
_NO_CENTS_RE = re.compile(r"\s?[.,:][-–—]{1,2}$")
# Three-letter words that are ISO codes but also ordinary words in product text.
_WORD_CODES = frozenset({"ALL", "TOP", "CUP", "MOP", "BOB", "GEL", "MAD", "PEN", "SOS", "BAM"})
_WORD_CODES |= {"AMD", "XXX", "ANG", "LAK", "MDL", "CVE", "TRY", "EEK", "CUC", "SVC"}
_ADJACENT_CHARS = 4  # how far (in characters) a currency token may sit from its number
_EURO_AS_SEPARATOR_RE = re.compile(r"(\d)€(\d{2})(?!\d)")


@dataclass(frozen=True)
class Price:
    """An amount of money: an exact decimal and an ISO 4217 code (None when unknown)."""

    amount: Decimal
    currency: str | None


def parse_amount(number: str, *, currency: str | None = None) -> Decimal | None:
    """Read one number token ("1.299,95", "1'299.95", ",95", "1.299,-") as a Decimal."""
    text = _NO_CENTS_RE.sub("", number.strip())
    for ch in _SPACES + "'’":
        text = text.replace(ch, "")
    if not text or not any(c.isdigit() for c in text):
        return None
    decimal_sep = _decimal_separator(text, currency)
    group_sep = {",": ".", ".": ","}.get(decimal_sep or "")
    if group_sep:
        text = text.replace(group_sep, "")
    elif decimal_sep is None:
        text = text.replace(",", "").replace(".", "")
    text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _decimal_separator(text: str, currency: str | None) -> str | None:
    """Which of `.` or `,` is the decimal separator in `text`, or None when it has none."""
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    sep = "." if last_dot >= 0 else "," if last_comma >= 0 else None
    if sep is None:
        return None
    if text.count(sep) > 1:
        return None
    whole, _, fraction = text.partition(sep)
    if len(fraction) == 3 and whole not in ("", "0") and minor_digits(currency) != 3:
        return None
    return sep


def parse_price(
    text: str | None, *, currency_hint: str | None = None, locale_hint: str | None = None
) -> Price | None:
    """Parse the price in `text` ("1.299,95 €", "$29.99", "12,800円") into an exact `Price`.

    `currency_hint` is a currency the page declares (`priceCurrency`, `og:price:currency`):
    it settles shared symbols (`$`, `kr`, `¥`) and is the currency of a bare number.
    `locale_hint` is the page's locale ("en-AU") or domain ("shop.com.au"), used for shared
    symbols when no currency is declared. Returns None when `text` holds no number.
    When the text has several numbers, the one next to a currency symbol wins.
    """
    if not text:
        return None
    if not text.isascii():
        # Full-width forms ("１２，８００円", "￥") are the ASCII ones in Japanese and Chinese
        # typography; NFKC maps them (and keeps €, £, ₹ and friends as they are).
        text = unicodedata.normalize("NFKC", text)
        if "€" in text:  # "349€99" (€ is not ASCII, so this is the only place to look)
            text = _EURO_AS_SEPARATOR_RE.sub(r"\1,\2 €", text)
    numbers = list(NUMBER_RE.finditer(text))
    if not numbers:
        return None
    tokens = [m for m in CURRENCY_TOKEN_RE.finditer(text) if _is_currency_token(m.group())]
    number, token = _pick_number(numbers, tokens)
    currency = None
    if token is not None:
        currency = resolve_symbol(token, currency_hint=currency_hint, locale_hint=locale_hint)
    if currency is None and currency_hint and currency_hint.upper() in ISO_CODES:
        currency = currency_hint.upper()
    if currency is None and number.rstrip().endswith(":-"):
        currency = "SEK"  # "1.299:-" is how Swedish shops write whole kronor
    amount = parse_amount(number, currency=currency)
    if amount is None:
        return None
    return Price(amount=amount, currency=currency)


def price_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each number written with a currency next to it, currency included.

    "Was £59.99, now £49.99" has two; "2 for $10" has one; "12,99" has none.
    """
    tokens = [m for m in CURRENCY_TOKEN_RE.finditer(text) if _is_currency_token(m.group())]
    if not tokens:
        return []
    spans: list[tuple[int, int]] = []
    for number in NUMBER_RE.finditer(text):
        near = [
            t
            for t in tokens
            if max(t.start() - number.end(), number.start() - t.end()) <= _ADJACENT_CHARS
        ]
        if near:
            token = min(near, key=lambda t: abs(t.start() - number.start()))
            start, end = min(number.start(), token.start()), max(number.end(), token.end())
            if spans and start < spans[-1][1]:  # shares its currency with the previous one
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


def normalize_amount(amount: Decimal, currency: str | None) -> Decimal:
    """Drop trailing zeros beyond the currency's minor digits: Magento's "12.5000" is 12.50.

    Significant digits are never dropped (a fuel price of 1.799 stays 1.799), and nothing is
    padded (JPY 12800 and a shop's "1299" stay as they were written).
    """
    digits = minor_digits(currency)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -digits:
        quantized = amount.quantize(Decimal(1).scaleb(-digits))
        if quantized == amount:
            return quantized
    return amount


def has_currency(text: str) -> bool:
    """True when `text` names a currency (a symbol, or an ISO code that is not a word)."""
    return any(_is_currency_token(m.group()) for m in CURRENCY_TOKEN_RE.finditer(text))


def _is_currency_token(token: str) -> bool:
    if len(token) == 3 and token.isalpha() and token.isupper():
        return token in ISO_CODES and token not in _WORD_CODES
    return True


def _pick_number(
    numbers: list[re.Match[str]], tokens: list[re.Match[str]]
) -> tuple[str, str | None]:
    """The number next to a currency token (and that token), else the first number."""
    best: tuple[int, re.Match[str], re.Match[str]] | None = None
    for number in numbers:
        for token in tokens:
            gap = max(token.start() - number.end(), number.start() - token.end())
            if gap <= _ADJACENT_CHARS and (best is None or gap < best[0]):
                best = (gap, number, token)
    if best is not None:
        return best[1].group(), best[2].group()
    fallback_token = tokens[0].group() if tokens else None
    return numbers[0].group(), fallback_token
