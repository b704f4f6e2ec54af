"""The text of a price element and the words around it.

Shops split prices across elements (`$<strong>1,049</strong><sup>.99</sup>`), write several in
one line ("Was £59.99, now £49.99") and label them with the words just before or after
("Save US $150", "/ea", "incl. VAT"), and some draw the currency with an icon font
(`<i class="sicon-sar"></i>`). These helpers turn an element into the text a person reads
and cut out the words on either side of the amount, for heuristics.py's rules.
"""

from __future__ import annotations

import re
from decimal import Decimal

from selectolax.lexbor import LexborNode

from pricemon.domain.currency import CURRENCY_TOKEN_RE, ISO_CODES
from pricemon.domain.extract.page import clean_text
from pricemon.domain.extract.rules import (
    CURRENCY_PREFIX_RE,
    INLINE_TAGS,
    PERCENT_RE,
    TRAILING_CURRENCY_RE,
)
from pricemon.domain.money import NUMBER_RE, has_currency, parse_amount, price_spans

_MAX_LABEL = 40  # a row label ("List Price:", "배송비") is short
_DIGIT_RE = re.compile(r"\d")
_MAX_COUNT_LABEL = 12  # "ab 10", "1-4 Stk.", "10 or more"
_MAX_SYMBOL = 5  # "CHF", "zł", "ر.س": a currency element holds nothing else
_MAX_LABEL = 60  # a label on its own line is short; a longer block is content
_LABEL_LEVELS = 3
_CENTS_RE = re.compile(r"\s*\d{2}\s*")
_LAST_NUMBER_RE = re.compile(r"[\d.,'’]+$")
# "sicon-sar", "icon-currency-eur", "fa-inr", "currency-usd-sign"
_ICON_CURRENCY_RE = re.compile(
    r"(?:^|\s)(?:[a-z]*icon|fa|currency)[-_](?:currency[-_])?([a-z]{3})(?:[-_]sign)?(?=\s|$)",
    re.I,
)
_ICON_WORDS = frozenset({"ALL", "TOP", "CUP", "MOP"})  # ISO codes that are also icon names
_FOUR_LETTERS_RE = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){3}")


def price_only(text: str) -> bool:
    """True when `text` is a price and little else ("$ 579.95", not "Kaffeemühle M2 349 €")."""
    rest = CURRENCY_TOKEN_RE.sub("", NUMBER_RE.sub("", text))
    return _FOUR_LETTERS_RE.search(rest) is None


def is_rate(number: str, whole: str) -> bool:
    """True when `number` is followed by "%" (or "折") in its container's text: "45<em>%</em>"
    in a price box is the discount rate, not an amount."""
    at = whole.find(number.strip())
    return at >= 0 and PERCENT_RE.match(whole, max(0, at + len(number.strip()) - 1)) is not None


def sibling_currency(element: LexborNode) -> tuple[str, bool] | None:
    """The currency written in its own element right before or after `element` (and whether
    before): `<span class="devise">CHF</span> <span class="montant">599.00</span>`."""
    for backwards in (True, False):
        sibling = element.prev if backwards else element.next
        while (
            sibling is not None
            and sibling.is_text_node
            and not (sibling.text_content or "").strip()
        ):
            sibling = sibling.prev if backwards else sibling.next
        if sibling is None or sibling.tag not in INLINE_TAGS or sibling.tag == "-text":
            continue
        text = sibling.text().strip()
        if (
            0 < len(text) <= _MAX_SYMBOL
            and CURRENCY_TOKEN_RE.fullmatch(text)
            and has_currency(text)
        ):
            return text, backwards
    return None


def icon_currency(element: LexborNode) -> str | None:
    """The currency drawn by an icon font inside or beside `element`: Salla's
    `95.00 <i class="sicon-sar"></i>`, Font Awesome's `<i class="fa fa-inr"></i>`. Only an
    empty element whose class names an ISO 4217 code after an icon prefix counts."""
    nodes = list(element.iter(include_text=False))
    for backwards in (False, True):
        sibling = element.prev if backwards else element.next
        while (
            sibling is not None
            and sibling.is_text_node
            and not (sibling.text_content or "").strip()
        ):
            sibling = sibling.prev if backwards else sibling.next
        if sibling is not None and not sibling.is_text_node:
            nodes.append(sibling)
    for node in nodes:
        if node.tag not in ("i", "span", "em") or node.text().strip():
            continue
        for match in _ICON_CURRENCY_RE.finditer(node.attributes.get("class") or ""):
            code = match.group(1).upper()
            if code in ISO_CODES and code not in _ICON_WORDS:
                return code
    return None


def segments(text: str) -> list[tuple[str, str, str]]:
    """(text before, price, text after) for each price written with its currency in `text`;
    the whole text when it holds one price or none with a currency."""
    spans = price_spans(text)
    if len(spans) <= 1:
        return [("", text, "")]
    return [(text[:start], text[start:end], text[end:]) for start, end in spans]


def price_text(element: LexborNode) -> str:
    """The element's text, with split cents put back: `$29<sup>99</sup>` reads "$29.99".

    Shops draw cents smaller in their own element (`<sup>`, `<span class="cents">`); the
    plain text would be "$2999". Two digits in their own text node right after a digit are
    cents; after a separator (`29,<sup>99</sup>`) they already read right.
    """
    child = element.child
    if child is None or (child.is_text_node and child.next is None):
        return element.text()
    pieces: list[str] = []
    for node in element.traverse(include_text=True):
        if not node.is_text_node:
            continue
        piece = node.text_content or ""
        if pieces and _CENTS_RE.fullmatch(piece) and pieces[-1].rstrip()[-1:].isdigit():
            pieces[-1] = pieces[-1].rstrip()
            # "1.299<sup>99</sup>" groups with dots, so its cents take a comma.
            whole = _LAST_NUMBER_RE.search(pieces[-1])
            piece = ("," if whole and "." in whole.group() else ".") + piece.strip()
        pieces.append(piece)
    return "".join(pieces)


def surroundings(element: LexborNode, text: str) -> tuple[str, str]:
    """The text on the same line before and after the price element.

    Inline siblings (`<span>`, `<s>`, text) are read, up to the first block element, and up
    through inline parents: "Was <s>$30</s>" is one line, while a "$29/mo with Affirm" block
    above the real price is not part of the real price's line. A table or definition-list
    cell's row label ("<th>List Price:</th>", "<dt>Shipping</dt>") is read as the words before.
    """
    before: list[str] = []
    after: list[str] = []
    node: LexborNode | None = element
    for _ in range(3):
        if node is None:
            break
        _collect_inline(node, before, backwards=True)
        _collect_inline(node, after, backwards=False)
        node = node.parent
        if node is None or node.tag not in INLINE_TAGS:
            break
    label = _cell_label(element if element.tag not in INLINE_TAGS else node)
    if label:
        before.append(label)
    return clean_text(" ".join(reversed(before))), clean_text(" ".join(after))


def _cell_label(cell: LexborNode | None) -> str | None:
    """The label of a value cell: `<dt>Shipping</dt><dd>3,000원</dd>`, `<th>Price:</th><td>`.
    The label is on the same line for a reader, though not in the same block."""
    if cell is None or cell.tag not in ("dd", "td"):
        return None
    label = cell.prev
    while label is not None and label.is_text_node and not (label.text_content or "").strip():
        label = label.prev
    if label is None or label.tag not in ("dt", "th", "td"):
        return None
    text = label.text() or ""
    if len(text) > _MAX_LABEL or (cell.tag == "dd") != (label.tag == "dt"):
        return None
    # A neighbouring cell with a number is a label only when short and not a price itself:
    # Shopware's block prices ("ab 5 | 11,50 € *") name the quantity the price is for, while
    # a seller's name with its rating ("Shop ★ 4.6 · 812 reviews") says nothing about it.
    numeric = label.tag == "td" and _DIGIT_RE.search(text) is not None
    return None if numeric and (len(text) > _MAX_COUNT_LABEL or has_currency(text)) else text


def _collect_inline(node: LexborNode, out: list[str], *, backwards: bool) -> None:
    sibling = node.prev if backwards else node.next
    size = 0
    while sibling is not None and size < 120:
        if not (sibling.is_text_node or sibling.tag in INLINE_TAGS):
            if sibling.tag not in ("-comment", "script", "style"):
                break
        elif sibling.tag != "-comment":
            piece = sibling.text() or ""
            out.append(piece)
            size += len(piece)
        sibling = sibling.prev if backwards else sibling.next


_TAIL_CHARS = 6  # the longest currency sign written before an amount ("S/.", "NT$", "лв.")


def split_at_amount(text: str, before: str, after: str, amount: Decimal) -> tuple[str, str]:
    """The text before and after the number that was read as `amount`, currency stripped."""
    for number in NUMBER_RE.finditer(text):
        if parse_amount(number.group()) == amount or number.end() == len(text):
            own_before = f"{before} {text[: number.start()]}"
            own_before = _strip_currency(own_before)
            own_after = _strip_leading_currency(f"{text[number.end() :]} {after}")
            return own_before, own_after
    return before, after


def _strip_leading_currency(text: str) -> str:
    """`text` without the currency that starts it ("€ /kg" -> "/kg"); "OFF" is no currency."""
    match = CURRENCY_PREFIX_RE.match(text)
    if match is None or (match.group(1) and match.group(1) not in ISO_CODES):
        return text
    return text[match.end() :]


def _strip_currency(text: str) -> str:
    """`text` without the currency that ends it ("Save US $" -> "Save", "mayores a S/" ->
    "mayores a"); "UVP" stays."""
    match = TRAILING_CURRENCY_RE.search(text)
    if match is not None and not (match.group(1) and match.group(1) not in ISO_CODES):
        return text[: match.start()]
    stripped = text.rstrip()
    tail = stripped[-_TAIL_CHARS:]
    for token in CURRENCY_TOKEN_RE.finditer(tail):  # the symbols of every other currency
        if token.end() == len(tail) and has_currency(token.group()):
            return stripped[: len(stripped) - len(tail) + token.start()]
    return text


def label_above(element: LexborNode) -> str:
    """The text of the block right above the price's line, when it is short: a label on
    its own line ("IKEA Family price" over "£269", "Club price" over "8 490:-"), which
    `surroundings` does not read. Inline siblings are skipped (they are on the price's line
    already); the first block sibling found, at this level or one of the next two up, is
    the only one read."""
    node: LexborNode | None = element
    for _ in range(_LABEL_LEVELS):
        if node is None:
            return ""
        sibling = node.prev
        while sibling is not None and (sibling.is_text_node or sibling.tag in INLINE_TAGS):
            sibling = sibling.prev
        while sibling is not None and sibling.tag in ("-comment", "script", "style"):
            sibling = sibling.prev
        if sibling is not None and not sibling.is_text_node:
            text = sibling.text(deep=True, strip=True) if sibling.child is not None else ""
            return clean_text(text) if len(text) <= _MAX_LABEL else ""
        node = node.parent
    return ""
