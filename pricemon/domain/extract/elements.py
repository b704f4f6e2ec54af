"""Which element holds a whole price: the text node's own element, or the container that
joins a price split over several (`<span>€<b>12</b>,99</span>`, `$1,099.<sup>99</sup>`,
`<span>CHF</span> <span>599.00</span>`), and the currency written beside a bare number.
"""

from __future__ import annotations

import re
from decimal import Decimal

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.page import Page
from pricemon.domain.extract.price_text import is_rate, price_only, sibling_currency
from pricemon.domain.extract.rules import (
    INLINE_TAGS,
    NOT_AMOUNT_CLASS_RE,
    PERCENT_RE,
    PRICEISH_RE,
    SKIP_TAGS,
    STATE_CLASS_RE,
)
from pricemon.domain.money import has_currency

_MAX_BARE_PART = 24  # a bare part of a split price ("1'299.95", "579.") is short
# A number without its cents ("$1,099." or "$1,099", not "$10.99"), and cents on their own.
_OPEN_CENTS_RE = re.compile(r"(?:^|[^\d.,])\d+(?:[.,]\d{3})*[.,]?\s*$")
_CENTS_ONLY_RE = re.compile(r"\s*[.,]?\d{2}\s*")
_OTHER_AMOUNT_RE = re.compile(r"\d{3,}|\d[.,]\d")
_BARE_AMOUNT_RE = re.compile(r"\s*\d[\d.,'’\s]*")


def price_element(text_node: LexborNode, text: str) -> LexborNode | None:
    """The element whose text is the whole price (`<span>€<b>12</b>,99</span>` is split)."""
    element = text_node.parent
    if element is None or element.tag in SKIP_TAGS:
        return None
    if NOT_AMOUNT_CLASS_RE.search(class_label(element)):
        return None
    if has_currency(text) or text.rstrip().endswith(":-"):
        return _with_split_cents(element, text)
    if len(text) > _MAX_BARE_PART or PERCENT_RE.search(text) or not price_only(text):
        return None  # prose with a number in it; only bare parts of split prices go on
    current: LexborNode | None = element
    priceish = None
    for _ in range(3):
        if current is None or current.tag in ("body", "main", "html"):
            break
        whole = current.text()
        if len(whole) > 48:
            break
        if has_currency(whole):
            # "Now: AED <b>2,899.00</b> incl. VAT": the container says more than the price,
            # so the price-marked part of it is the price; so it is when the container holds
            # other prices too ("$629.99 579.99 8% off": the was, the now and the saving).
            if priceish is not None and (
                not price_only(whole) or _holds_other_amount(whole, priceish)
            ):
                return priceish
            if price_only(whole):
                return current
            break
        if is_rate(text, whole):
            return None  # "45<em>%</em>" in a price box: the discount rate, not an amount
        if priceish is None and _is_priceish(current):
            # A bare number in a price box ("1’249.–" over "statt 1’399.–") is the price
            # when its own element holds nothing else.
            priceish = current if price_only(whole) else element
        current = current.parent
    if priceish is None and sibling_currency(element) is not None:
        return element  # "<span>CHF</span> <span>599.00</span><span>au lieu de …</span>"
    return priceish


def _with_split_cents(element: LexborNode, text: str) -> LexborNode:
    """`<span>$1,099.</span><span>99</span>`: cents in the next element, so the price is
    the parent's text (a currency-less `<sup>99</sup>` is never read on its own)."""
    if not _OPEN_CENTS_RE.search(text):
        return element
    sibling = element.next
    while sibling is not None and sibling.is_text_node and not (sibling.text_content or "").strip():
        sibling = sibling.next
    if sibling is None or sibling.is_text_node or sibling.tag not in INLINE_TAGS:
        return element
    parent = element.parent
    if not _CENTS_ONLY_RE.fullmatch(sibling.text()) or parent is None:
        return element
    return parent if len(parent.text()) <= _MAX_BARE_PART else element


def with_sibling_currency(element: LexborNode, text: str) -> str:
    """ "599.00" read as "CHF 599.00" when the currency is its own element beside it."""
    found = sibling_currency(element)
    if found is None:
        return text
    currency, before = found
    return f"{currency} {text}" if before else f"{text} {currency}"


def class_label(node: LexborNode | None) -> str:
    """Class and id of `node`, without state classes such as Shopware's "with-list-price"
    (the price that HAS a list price next to it, not the list price)."""
    if node is None:
        return ""
    label = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    return STATE_CLASS_RE.sub(" ", label)


def _is_priceish(node: LexborNode) -> bool:
    attrs = node.attributes
    label = " ".join(
        attrs.get(name) or ""
        for name in ("class", "id", "itemprop", "data-test", "data-testid", "data-qa")
    )
    return bool(PRICEISH_RE.search(label)) and not NOT_AMOUNT_CLASS_RE.search(label)


def priceish_near(node: LexborNode) -> bool:
    current: LexborNode | None = node
    for _ in range(3):
        if current is None:
            return False
        if _is_priceish(current):
            return True
        current = current.parent
    return False


def container_currency(page: Page, element: LexborNode, amount: Decimal) -> str | None:
    """The currency written beside a split price's number ("AED <b>2,899.00</b>")."""
    current = element.parent
    for _ in range(2):
        if current is None:
            return None
        text = current.text()
        if len(text) > 60:
            return None
        price = page.parse_price(text)
        if price is not None and price.amount == amount and price.currency:
            return price.currency
        current = current.parent
    return None


def _holds_other_amount(whole: str, part: LexborNode) -> bool:
    """True when `part` is a bare amount and `whole` holds another one besides it: another
    price ("$629.99" beside "579.99"), not the cents or currency of a price split over
    elements (".99", "$"), nor a count's label ("bis 4" beside "12,90 €")."""
    own = part.text()
    if not _BARE_AMOUNT_RE.fullmatch(own):
        return False
    return _OTHER_AMOUNT_RE.search(whole.replace(own, " ", 1)) is not None
