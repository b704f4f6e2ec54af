"""Visible prices: every price-looking text on the page, scored by where it sits and what it
says around it.

What users of price trackers complain about decides the rules: a related product's price taken
for the main one (so prices near the title and the add-to-cart button win, and those in
carousels, recommendation grids, cart widgets, headers and footers lose); a struck-through
"was" price taken for the sale price (so `del`/`s`/`strike`, line-through styles,
was/old/compare/list-price classes and "Market price:" labels lose); "$29/month", "4 payments
of $12", "Save $50", "Free shipping over $50", "€2,99/kg", "Get $1.80 in CT Money",
"protection plan - $12.99" and "Pay $124.00 after $25 OFF" taken for the price (those are not
prices at all and are dropped); another variant's price in a `<select>` (dropped); a members'
price ("Club price", or "IKEA Family price" in a short label on the line above) taken for what
everyone pays (penalised); a price mentioned in a sentence of the description ("was appraised
at $1,200") on an ad that shows no price of its own (weak, dropped unless labelled); the same
price converted into another currency ("19,90 € / 149,94 kn" while a country changes to the
euro: penalised).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.availability import OUT_OF_STOCK_RE
from pricemon.domain.extract.elements import (
    class_label,
    container_currency,
    price_element,
    priceish_near,
    with_sibling_currency,
)
from pricemon.domain.extract.layout import Layout
from pricemon.domain.extract.not_price import PER_ITEM_RE, not_a_price
from pricemon.domain.extract.page import Page, clean_text, prev_element
from pricemon.domain.extract.price_text import (
    icon_currency,
    label_above,
    price_only,
    price_text,
    segments,
    split_at_amount,
    surroundings,
)
from pricemon.domain.extract.regions import after, away_regions, region_prices
from pricemon.domain.extract.rules import (
    CONVERTED_AFTER_RE,
    DIGIT_RE,
    EXCL_TAX_BEFORE_RE,
    EXCL_TAX_RE,
    FROM_RE,
    MAX_TEXT,
    MEMBER_AFTER_RE,
    MEMBER_LABEL_RE,
    NOT_PRICE_CLASS_RE,
    NOW_LABEL_RE,
    PROSE_WORD_RE,
    PROSE_WORDS,
    RANGE_END_RE,
    UNIT_CLASS_RE,
    WAS_LABEL_RE,
    Markup,
    has_ancestor,
    in_description,
    in_option_label,
    markup_of,
)
from pricemon.domain.money import has_currency

_CODE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "textarea"})
_CLOSE_LEVELS = 6  # how far above the title the shared container may be
_SCREEN_READER_RE = re.compile(r"visually-?hidden|sr-only|screen-reader", re.I)
_SCREEN_READER_SELECTOR = "[class*=visually-hidden], [class*=visuallyhidden], [class*=sr-only]"
_CORROBORATED_FROM = 0.3  # decide.MIN_VISIBLE: below it a price is not a candidate at all


@dataclass
class Visible:
    """One price seen in the page text, with the evidence for and against it."""

    amount: Decimal
    currency: str | None
    score: float
    context: str
    reasons: list[str] = field(default_factory=list)
    struck: bool = False
    near_title: bool = False
    order: int = 0
    node: LexborNode | None = field(default=None, repr=False)


def visible_candidates(page: Page, layout: Layout) -> list[Visible]:
    """All visible prices, best first."""
    found = _collect(page, away_regions(page, layout), _anchor_markup(layout))
    _score_position(found, layout)
    _corroborate(found)
    found.sort(key=lambda v: (-v.score, v.order))
    return found


def _anchor_markup(layout: Layout) -> dict[int, Markup]:
    """Markup of the title's containers, never "away": the product block may have a class
    that elsewhere marks other products ("rf-pdp-bundle", "product-grid"), and it holds the
    product's own price. (Not the cart button's: on a page whose product cannot be bought,
    the first "Add to cart" is a recommendation's.)"""
    cache: dict[int, Markup] = {}
    node = layout.title.node if layout.title is not None else None
    while node is not None:
        cache[node.mem_id] = replace(markup_of(node, {}), away=None)
        node = node.parent
    return cache


def _collect(page: Page, regions: dict[int, str], cache: dict[int, Markup]) -> list[Visible]:
    """Walk the text once: price texts in the product area one by one, each away region
    (recommendations, menus, footers) in one pass over its text."""
    body = page.tree.body
    if body is None:
        return []
    seen: set[int] = set()
    out: list[Visible] = []
    order = 0
    node = body.child
    while node is not None:
        order += 1
        if node.is_text_node:
            text = node.text_content
            if text and len(text) <= MAX_TEXT and DIGIT_RE.search(text):
                element = price_element(node, text)
                if element is not None and element.mem_id not in seen:
                    seen.add(element.mem_id)
                    out.extend(_read(page, element, order, cache))
        else:
            why = regions.get(node.mem_id)
            if why is not None:
                out.extend(_read_region(page, node, why, order))
            elif node.tag not in _CODE_TAGS:
                child = node.child
                if child is not None:
                    node = child
                    continue
            # A region is read already, and script or style text (often hundreds of KB of
            # inline state) would only be copied to be thrown away: the walk skips them.
        node = after(node, within=body)
    return out


def _read_region(page: Page, region: LexborNode, why: str, order: int) -> list[Visible]:
    out = []
    for text, context in region_prices(page, region):
        price = page.parse_price(text)
        if price is None or price.amount <= 0:
            continue
        currency = price.currency or page.currency_hint
        visible = Visible(price.amount, currency, 0.05, context, [f"outside the product ({why})"])
        visible.order, visible.node = order, region
        out.append(visible)
    return out


def _read(page: Page, element: LexborNode, order: int, cache: dict[int, Markup]) -> list[Visible]:
    """The prices in one element: usually one, two in "Was £59.99, now £49.99"."""
    text = clean_text(price_text(element), limit=MAX_TEXT)
    if not has_currency(text):
        text = with_sibling_currency(element, text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # full-width digits, as parse_price reads
    before, after = surroundings(element, text)
    found = []
    for head, segment, tail in segments(text):
        visible = _read_one(
            page, element, segment, f"{before} {head}".strip(), f"{tail} {after}".strip(), cache
        )
        if visible is not None:
            _score_prose(visible, text)  # the whole sentence: "appraised at $1,200 ... for $80"
            visible.order = order
            found.append(visible)
    return found


def _read_one(
    page: Page,
    element: LexborNode,
    text: str,
    before: str,
    after: str,
    cache: dict[int, Markup],
) -> Visible | None:
    price = page.parse_price(text)
    if price is None or price.amount <= 0 or price.amount >= 10**8:
        return None
    currency = price.currency
    if currency is None:
        if not (priceish_near(element) and price_only(text)):
            return None
        currency = container_currency(page, element, price.amount)
        currency = currency or icon_currency(element) or page.currency_hint
    other = NOT_PRICE_CLASS_RE.search(f"{class_label(element)} {class_label(element.parent)}")
    visible = Visible(price.amount, currency, 0.4, "")
    visible.context = clean_text(f"{before[-50:]} [{text}] {after[:40]}", limit=MAX_TEXT)
    visible.node = element
    before, after = split_at_amount(text, before, after, price.amount)
    why = not_a_price(before, after) or (f"class {other.group()}" if other else None)
    if why:
        visible.score = -1.0
        visible.reasons.append(f"not the price: {why}")
        return visible
    _score_markup(visible, element, before, cache)
    if UNIT_CLASS_RE.search(f"{class_label(element)} {class_label(element.parent)}"):
        # A penalty, not a verdict: "unitPrice" is also what some shops call the price of
        # one item; a real unit price says "/ 100 g" next to it and is rejected above.
        _adjust(visible, -0.4, "unit price markup")
    _score_words(visible, text, before, after)
    if "a members' price" not in visible.reasons and MEMBER_LABEL_RE.search(label_above(element)):
        _adjust(visible, -0.3, "a members' price")
    if _converted(page, before, currency):
        _adjust(visible, -0.4, "another currency's price converted")
    return visible


def _converted(page: Page, before: str, currency: str | None) -> bool:
    """True right after a price in another currency and a bracket or slash."""
    tail = before[-40:].rstrip()
    if not tail.endswith(("(", "/", "≈")):
        return False  # most prices: no regex pass
    match = CONVERTED_AFTER_RE.search(tail)
    if match is None:
        return False
    earlier = page.parse_price(match.group(1))
    return earlier is not None and earlier.currency not in (None, currency)


def _score_words(visible: Visible, text: str, before: str, after: str) -> None:
    """Adjust the score for the words just before and after the amount."""
    if MEMBER_LABEL_RE.search(before[-40:]) or MEMBER_AFTER_RE.search(after[:30]):
        _adjust(visible, -0.3, "a members' price")
    if NOW_LABEL_RE.search(before[-30:]) and not visible.struck:
        _adjust(visible, 0.15, "labelled as the price")
    if RANGE_END_RE.search(before[-30:]):
        _adjust(visible, -0.2, "upper end of a range")
    if after.startswith("+") and not after[1:].strip():
        _adjust(visible, -0.2, "a 'from' price (+)")  # Etsy's "$24.50+": variants cost more
    if PER_ITEM_RE.search(after[:30]):
        _adjust(visible, -0.3, "per item")
    if EXCL_TAX_RE.search(after[:30]) or EXCL_TAX_BEFORE_RE.search(before[-30:]):
        _adjust(visible, -0.2, "excluding tax")


def _score_prose(visible: Visible, sentence: str) -> None:
    """A price inside a sentence is weak evidence, and weaker still in the description, where
    sellers mention what they paid, what it was appraised at or what delivery costs."""
    if visible.score <= -1.0 or len(PROSE_WORD_RE.findall(sentence)) <= PROSE_WORDS:
        return
    _adjust(visible, -0.3, "in running text")
    if visible.node is not None and in_description(visible.node):
        _adjust(visible, -0.4, "in the product description")
    elif OUT_OF_STOCK_RE.search(sentence):
        # "Discontinued: no longer available. See the A-30 ($1,495.00) replacement."
        _adjust(visible, -0.4, "in a notice that the product cannot be bought")


def _score_markup(
    visible: Visible, element: LexborNode, before: str, cache: dict[int, Markup]
) -> None:
    """Adjust the score for the tags and classes around the price and the words before it."""
    current: LexborNode | None = element
    level = 0
    while current is not None and current.tag not in ("body", "html"):
        _score_ancestor(visible, markup_of(current, cache), level)
        current = current.parent
        level += 1
    if FROM_RE.search(before):
        visible.score -= 0.2
        visible.reasons.append("a 'from' price")
    if WAS_LABEL_RE.search(before[-80:]) and not _read_aloud_regular(element):
        _mark_struck(visible, "labelled as an old or reference price")
    if element.tag in ("option", "select") or has_ancestor(element, ("option", "select")):
        visible.score = -1.0
        visible.reasons.append("not the price: in a variant selector")
    elif in_option_label(element):
        _adjust(visible, -0.4, "an add-on option (protection plan, service)")


def _read_aloud_regular(element: LexborNode) -> bool:
    """True when the old-price label is a screen-reader-only "Regular price" just before
    the price: Shopify's themes label every price that way, on sale or not (Dawn: a hidden
    span beside it; Debut: `<dt><span class="visually-hidden">` before its `<dd>`). A
    regular price that is really old is struck by its own `<s>`, which the markup check sees."""
    node: LexborNode | None = element
    for _ in range(3):
        if node is None:
            return False
        label = prev_element(node)
        if label is not None:
            hidden = (
                label
                if _SCREEN_READER_RE.search(label.attributes.get("class") or "")
                else (label.css_first(_SCREEN_READER_SELECTOR))
            )
            return hidden is not None and bool(WAS_LABEL_RE.search(hidden.text()))
        node = node.parent
    return False


def _score_ancestor(visible: Visible, m: Markup, level: int) -> None:
    reasons = visible.reasons
    if level <= 3:
        if m.struck:
            _mark_struck(visible, m.struck)
        elif m.regular and "regular price" not in reasons:
            _adjust(visible, -0.1, "regular price")
        if m.sale and "sale price" not in reasons:
            _adjust(visible, 0.15, "sale price")
        if m.priceish and "price markup" not in reasons:
            _adjust(visible, 0.1, "price markup")
        if m.itemprop_price and "itemprop=price" not in reasons:
            _adjust(visible, 0.15, "itemprop=price")
    if m.hidden and "hidden" not in reasons:
        _adjust(visible, -0.2, "hidden")
    if m.away and not any(r.startswith("outside") for r in reasons):
        _adjust(visible, -0.35, m.away)


def _adjust(visible: Visible, delta: float, why: str) -> None:
    visible.score += delta
    visible.reasons.append(why)


def _mark_struck(visible: Visible, why: str) -> None:
    if not visible.struck:
        visible.struck = True
        visible.score -= 0.5
        visible.reasons.append(why)


def _away(visible: Visible) -> bool:
    return any(r.startswith("outside") for r in visible.reasons)


def _corroborate(found: list[Visible]) -> None:
    """A tie-breaker: an amount the product area shows twice (the headline "from 1 502,20"
    and the cheapest offer's row, or the price and the sticky cart bar) is more likely the
    price than one shown once."""
    shown = [v for v in found if v.score >= _CORROBORATED_FROM and not v.struck and not _away(v)]
    counts = Counter(v.amount for v in shown)
    for v in shown:
        if counts[v.amount] > 1:
            v.score += 0.02
            v.reasons.append("shown twice")


def _score_position(found: list[Visible], layout: Layout) -> None:
    """Reward the candidates that share the deepest container with the title and the cart.

    "Deepest" is relative (the best any candidate achieves) and bounded (the container must
    be a few levels above the title), so a page whose only prices are in a carousel does not
    get its carousel rewarded.
    """
    # A price already known to sit in a carousel or menu gets no credit for being near the
    # title: on pages whose product block holds the recommendations, it shares the title's
    # container as closely as the real price does.
    live = [v for v in found if v.score > -1.0 and v.node is not None and not _away(v)]
    for anchor, why, bonus, is_title in (
        (layout.title, "near the title", 0.3, True),
        (layout.cart, "near add-to-cart", 0.2, False),
    ):
        if anchor is None or not live:
            continue
        top = max(anchor.depth_of.values())
        depths = {id(v): anchor.shared_depth(v.node) for v in live if v.node is not None}
        best = max(depths.values())
        for v in live:
            depth = depths[id(v)]
            if depth == best and top - depth <= _CLOSE_LEVELS:
                v.score += bonus
                v.reasons.append(why)
                v.near_title = v.near_title or is_title
            elif depth >= best - 1 and top - depth <= _CLOSE_LEVELS + 1:
                v.score += bonus / 2
                v.reasons.append(f"{why} (one level out)")
